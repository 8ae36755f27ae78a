"""/healthz: 200 when the database answers, the keys are loaded and every migration is
applied; 503 naming the failed check otherwise; open to anyone, revealing nothing else.
One test starts the production server (gunicorn) for real and asks it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from conftest import create_user
from tandem.core import health

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def fresh_migration_state():
    health.forget_migration_state()
    yield
    health.forget_migration_state()


@pytest.mark.django_db
def test_healthy_answers_200_with_a_small_body_and_sets_nothing(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not response.cookies
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_user_with_a_password_but_no_second_factor_is_not_redirected(client):
    user = create_user("coordinator", mfa=False)
    client.force_login(user)

    response = client.get("/healthz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_only_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_an_unreachable_database_answers_503(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": ["database", "migrations"]}
    assert "down" not in response.content.decode()


@pytest.mark.django_db
def test_missing_keys_answer_503(client):
    with override_settings(TANDEM_KEKS=None, TANDEM_KEK_FILE=None, TANDEM_BLIND_INDEX_KEY=None):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": ["keys"]}


@pytest.mark.django_db
def test_a_missing_blind_index_key_alone_answers_503(client):
    with override_settings(TANDEM_BLIND_INDEX_KEY=None):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["keys"]


@pytest.mark.django_db
def test_a_pending_migration_answers_503_until_it_is_applied(client):
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="core").order_by("-name").first()
    latest.delete()  # as if new code had arrived with a migration not applied yet

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": ["migrations"]}

    recorder.record_applied("core", latest.name)
    assert client.get("/healthz").status_code == 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def production_environment(**extra: str) -> dict[str, str]:
    """What `make serve` needs, with the test keys and the test database."""
    from django.conf import settings

    kek_version, _ = settings.TANDEM_KEKS.split(",")[0].split(":", 1)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TANDEM_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="test-only-not-secret-but-long-enough-for-the-deploy-check",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        TANDEM_KEKS=settings.TANDEM_KEKS,
        TANDEM_KEK_CURRENT=kek_version,
        TANDEM_BLIND_INDEX_KEY=settings.TANDEM_BLIND_INDEX_KEY,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def wait_for(url: str, *, process: subprocess.Popen, timeout: float = 30) -> tuple[int, bytes]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_healthz_under_production_settings_with_metrics_and_json_logs():
    port, metrics_port = _free_port(), _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=production_environment(
            TANDEM_BIND=f"127.0.0.1:{port}",
            TANDEM_WEB_WORKERS="2",
            TANDEM_WEB_THREADS="2",
            TANDEM_METRICS_BIND=f"127.0.0.1:{metrics_port}",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        status, body = wait_for(f"http://127.0.0.1:{port}/healthz", process=process)
        assert (status, body) == (200, b'{"status": "ok"}')
        # Everything else stays behind HTTPS: plain HTTP is sent there.
        with pytest.raises(urllib.error.HTTPError) as redirected:
            opener = urllib.request.build_opener(NoRedirect)
            opener.open(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"].startswith("https://")
        # The metrics of every worker, on their own port.
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as got:
            metrics = got.read().decode()
        assert 'tandem_http_requests_total{method="GET",route="core:healthz",status="2xx"}' in (
            metrics
        )
        assert "tandem_http_request_duration_seconds_bucket" in metrics
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output = process.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0].decode()
    assert "Booting worker" in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    healthz = [line for line in lines if line.get("route") == "core:healthz"]
    assert healthz
    assert all(line["status"] == 200 and len(line["request_id"]) == 32 for line in healthz)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
