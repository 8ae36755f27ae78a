"""gunicorn's settings for Tandem: `make serve` (or `gunicorn -c config/gunicorn.conf.py
config.wsgi:application`). The values that vary come from config.env like every other
setting: TANDEM_BIND, TANDEM_WEB_WORKERS, TANDEM_WEB_THREADS."""

from config import env

bind = [address.strip() for address in env.WEB_BIND.split(",") if address.strip()]
workers = max(1, env.WEB_WORKERS)
threads = max(1, env.WEB_THREADS)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is stuck: the worker is replaced.
timeout = 30
graceful_timeout = 20
# Replace workers now and then so that a slow leak cannot grow without bound; the wide
# jitter spreads the replacements, as evenly loaded workers would otherwise all restart
# (and start cold) within seconds of each other.
max_requests = 4000
max_requests_jitter = 2000
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn creates its own private files there

# Tandem logs every request itself, as JSON with the request id (tandem.core.observability);
# gunicorn's own access log would repeat it without the id.
accesslog = None
errorlog = "-"
loglevel = "info"
# The HTTPS proxy in front sets X-Forwarded-Proto; trust it only from this machine.
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "tandem"


# --- metrics -------------------------------------------------------------------------
# With TANDEM_METRICS_BIND (say 127.0.0.1:9100) the master publishes every worker's request
# counts and timings (tandem.core.observability) for a Prometheus scraper on that address,
# apart from the site: keep it on loopback or a private network.

_metrics_dir: str | None = None


def on_starting(server):
    global _metrics_dir
    if env.METRICS_BIND:
        import os
        import tempfile

        # Workers write their metrics here (prometheus_client's multiprocess mode); set
        # before any worker starts, so each inherits it.
        _metrics_dir = tempfile.mkdtemp(prefix="tandem-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def when_ready(server):
    if env.METRICS_BIND:
        from prometheus_client import CollectorRegistry, multiprocess, start_http_server

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        host, _, port = env.METRICS_BIND.rpartition(":")
        start_http_server(int(port), addr=host or "127.0.0.1", registry=registry)
        server.log.info("Metrics at http://%s/metrics", env.METRICS_BIND)


def child_exit(server, worker):
    if env.METRICS_BIND:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_dir:
        import shutil

        shutil.rmtree(_metrics_dir, ignore_errors=True)
