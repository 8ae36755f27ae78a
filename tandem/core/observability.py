"""Logs and metrics for running Tandem.

* ``JsonFormatter``: one JSON object per log line with the time, level, logger, message
  and the request id; an exception is given by its class and stack frames, never its text
  (which may hold personal data). Production logs this way (config/settings/production.py).
* ``RequestMetricsMiddleware``: times every request and logs one ``request`` line with the
  method, the route's name (``cases:detail``, never the path or the query, which may hold
  ids or search terms), the status and the duration; it also feeds the Prometheus metrics
  below. The app server publishes them on a separate loopback port
  (``TANDEM_METRICS_BIND``, config/gunicorn.conf.py), so they never share the public site.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import traceback

from prometheus_client import Counter, Histogram

from .request_context import current_request_id

request_logger = logging.getLogger("tandem.requests")

REQUESTS = Counter(
    "tandem_http_requests",
    "HTTP requests answered, by method, route name and status class.",
    ["method", "route", "status"],
)
EXCEPTIONS = Counter(
    "tandem_http_exceptions",
    "Requests that raised an exception (answered 500), by route name.",
    ["route"],
)
DURATION = Histogram(
    "tandem_http_request_duration_seconds",
    "Time to answer a request, by route name.",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30),
)

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

# Standard LogRecord attributes; anything else on a record was passed as ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}
# Only these extra fields reach a JSON line: a caller's ``extra`` could carry anything.
SAFE_EXTRA = {"method", "route", "status", "duration_ms", "subject", "task", "attempt"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for key, value in vars(record).items():
            if key in SAFE_EXTRA and key not in _STANDARD:
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, tb = record.exc_info
            line["exception"] = kind.__name__
            line["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(line, default=str)


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or "unnamed"


class RequestMetricsMiddleware:
    """Time each request; log it and count it (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            self._record(request, 500, time.perf_counter() - started, raised=True)
            raise
        self._record(request, response.status_code, time.perf_counter() - started)
        return response

    def process_exception(self, request, exception):
        EXCEPTIONS.labels(route=_route(request)).inc()

    def _record(self, request, status: int, seconds: float, *, raised: bool = False) -> None:
        route = _route(request)
        method = request.method if request.method in METHODS else "OTHER"
        REQUESTS.labels(method=method, route=route, status=f"{status // 100}xx").inc()
        DURATION.labels(route=route).observe(seconds)
        request_logger.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "request",
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
