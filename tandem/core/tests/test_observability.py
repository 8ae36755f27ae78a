"""JSON logs with the request id and no personal data; request timing and error counts."""

from __future__ import annotations

import json
import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from prometheus_client import REGISTRY

from conftest import create_user, sign_in
from tandem.core.observability import JsonFormatter, RequestMetricsMiddleware
from tandem.core.request_context import request_id_var


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_json_line_has_the_request_id_and_names_an_exception_without_its_text():
    token = request_id_var.set("req-12345678")
    try:
        try:
            raise ValueError("Jane Doe, 1 Acacia Avenue")
        except ValueError:
            record = logging.getLogger("tandem.test").makeRecord(
                "tandem.test", logging.ERROR, __file__, 1, "could not save", (), None
            )
            import sys

            record.exc_info = sys.exc_info()
        record.__dict__["email"] = "jane@example.org"  # an ``extra`` not on the safe list
        record.__dict__["route"] = "cases:detail"
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)

    data = json.loads(line)
    assert data["request_id"] == "req-12345678"
    assert data["message"] == "could not save"
    assert data["level"] == "ERROR"
    assert data["exception"] == "ValueError"
    assert data["route"] == "cases:detail"
    assert data["stack"] and data["time"].endswith("+00:00")
    assert "Jane" not in line and "Acacia" not in line and "jane@example.org" not in line


@pytest.mark.django_db
def test_each_request_is_logged_and_counted_by_route_never_by_path(client, caplog):
    sign_in(client, create_user("coordinator"))
    before = sample("tandem_http_requests_total", method="GET", route="cases:list", status="2xx")
    with caplog.at_level(logging.INFO, logger="tandem.requests"):
        response = client.get("/cases/?q=Alice+Smith", HTTP_X_REQUEST_ID="probe-request-0001")
    assert response.status_code == 200

    after = sample("tandem_http_requests_total", method="GET", route="cases:list", status="2xx")
    assert after == before + 1
    assert sample("tandem_http_request_duration_seconds_count", route="cases:list") >= 1
    [record] = [r for r in caplog.records if r.name == "tandem.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["route"] == "cases:list"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["duration_ms"] >= 0
    assert line["request_id"] == "probe-request-0001"
    assert "Alice" not in json.dumps(line) and "/cases/" not in json.dumps(line)


@pytest.mark.django_db
def test_an_unknown_page_is_counted_without_its_path(client):
    before = sample("tandem_http_requests_total", method="GET", route="unmatched", status="4xx")
    client.get("/no-such-page-for-someone@example.org/")
    after = sample("tandem_http_requests_total", method="GET", route="unmatched", status="4xx")
    assert after == before + 1


def test_errors_are_counted():
    request = RequestFactory().get("/")
    request.resolver_match = type("Match", (), {"view_name": "test:boom"})()
    middleware = RequestMetricsMiddleware(lambda r: HttpResponse(status=500))
    before_5xx = sample("tandem_http_requests_total", method="GET", route="test:boom", status="5xx")
    before_exc = sample("tandem_http_exceptions_total", route="test:boom")

    middleware(request)
    middleware.process_exception(request, RuntimeError("boom"))

    assert (
        sample("tandem_http_requests_total", method="GET", route="test:boom", status="5xx")
        == before_5xx + 1
    )
    assert sample("tandem_http_exceptions_total", route="test:boom") == before_exc + 1


def test_a_strange_method_does_not_grow_the_labels():
    request = RequestFactory().generic("BREW", "/")
    RequestMetricsMiddleware(lambda r: HttpResponse(status=405))(request)
    assert sample("tandem_http_requests_total", method="OTHER", route="unmatched", status="4xx")
