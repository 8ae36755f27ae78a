"""Background work: queued once per key, retried on failure, never done twice; emails go
through it; one test runs a real worker process against the test database."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from conftest import create_user
from tandem.core import background
from tandem.core.background import MAX_ATTEMPTS, perform, run_once
from tandem.core.background import background as mark
from tandem.core.models import BackgroundWork
from tandem.core.notifications import deliver_email, email_users, send_email

from .test_health import ROOT, production_environment

CALLS: list[str] = []
FAILURES_LEFT = {"count": 0}


@mark
def record_call(*, label: str) -> None:
    CALLS.append(label)


@mark
def fail_then_record(*, label: str) -> None:
    if FAILURES_LEFT["count"] > 0:
        FAILURES_LEFT["count"] -= 1
        raise ConnectionError("mail server said no to someone@example.org")
    CALLS.append(label)


def not_marked(*, label: str) -> None:  # never runs
    CALLS.append(label)


@pytest.fixture(autouse=True)
def reset():
    CALLS.clear()
    FAILURES_LEFT["count"] = 0
    yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit at the end of the ``with`` block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_work_runs_once_however_often_it_is_queued(committed):
    with committed():
        run_once(record_call, key="report:1", label="first")
        run_once(record_call, key="report:1", label="again")
        run_once(record_call, key="report:2", label="other")

    assert CALLS == ["first", "other"]
    work = BackgroundWork.objects.get(key="report:1")
    assert (work.status, work.attempts, work.function) == (
        BackgroundWork.Status.DONE,
        1,
        "tandem.core.tests.test_background.record_call",
    )


def test_a_task_delivered_twice_does_the_work_once(committed):
    with committed():
        run_once(record_call, key="k", label="once")
    perform.call(key="k", function=background._path(record_call), kwargs={"label": "x"})

    assert CALLS == ["once"]


def test_work_waits_for_the_transaction_and_is_dropped_with_a_rollback(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_once(record_call, key="later", label="later")
    assert CALLS == []
    assert not BackgroundWork.objects.filter(key="later").exists()
    for callback in callbacks:
        callback()
    assert CALLS == ["later"]


def test_a_failure_is_retried_until_it_succeeds(caplog, committed):
    FAILURES_LEFT["count"] = 2
    with committed():
        run_once(fail_then_record, key="flaky", label="sent")

    assert CALLS == ["sent"]
    work = BackgroundWork.objects.get(key="flaky")
    assert (work.status, work.attempts, work.last_error) == (BackgroundWork.Status.DONE, 3, "")
    # What failed is named by its class; the exception's text (an address) stays out.
    assert "ConnectionError" in caplog.text
    assert "someone@example.org" not in caplog.text


def test_work_failing_every_time_is_marked_failed_after_the_last_attempt(caplog, committed):
    FAILURES_LEFT["count"] = 100
    with committed():
        run_once(fail_then_record, key="doomed", label="never")

    assert CALLS == []
    work = BackgroundWork.objects.get(key="doomed")
    assert (work.status, work.attempts, work.last_error) == (
        BackgroundWork.Status.FAILED,
        MAX_ATTEMPTS,
        "ConnectionError",
    )
    assert "failed for good" in caplog.text
    # Failed work is not done again by a stray delivery of its task.
    perform.call(key="doomed", function=background._path(fail_then_record), kwargs={"label": "x"})
    assert CALLS == []


def test_work_another_worker_holds_is_left_alone_until_its_lease_runs_out():
    path = background._path(record_call)
    BackgroundWork.objects.create(
        key="held", function=path, status=BackgroundWork.Status.RUNNING, started_at=timezone.now()
    )
    assert perform.call(key="held", function=path, kwargs={"label": "x"}) == "skipped"

    BackgroundWork.objects.filter(key="held").update(
        started_at=timezone.now() - background.LEASE - dt.timedelta(seconds=1)
    )
    assert perform.call(key="held", function=path, kwargs={"label": "taken over"}) == "done"
    assert CALLS == ["taken over"]


def test_only_marked_functions_can_be_queued_or_run():
    with pytest.raises(ValueError, match="not marked"):
        run_once(not_marked, key="x", label="x")
    BackgroundWork.objects.create(key="forged", function="os.system")
    assert perform.call(key="forged", function="os.system", kwargs={"command": "true"}) == (
        "refused"
    )
    assert BackgroundWork.objects.get(key="forged").status == BackgroundWork.Status.FAILED


def test_a_key_must_fit():
    with pytest.raises(ValueError):
        run_once(record_call, key="", label="x")
    with pytest.raises(ValueError):
        run_once(record_call, key="k" * 201, label="x")


def test_email_users_sends_one_message_per_person_as_separate_work(
    django_capture_on_commit_callbacks,
):
    one, two = create_user("coordinator"), create_user("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        email_users(users=[one, two, one], subject="Something to look at", body="Open Tandem.")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([one.email, two.email])
    assert BackgroundWork.objects.filter(status=BackgroundWork.Status.DONE).count() == 2


def test_a_keyed_email_is_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_email(to="new@example.org", subject="Hello", body="Body", key="welcome:1")
        send_email(to="new@example.org", subject="Hello", body="Body", key="welcome:1")

    assert len(mail.outbox) == 1


def test_a_failing_mail_server_is_retried(monkeypatch, django_capture_on_commit_callbacks):
    real = mail.send_mail
    attempts = []

    def flaky(*args, **kwargs):
        attempts.append(1)
        if len(attempts) < 3:
            raise OSError("connection refused")
        return real(*args, **kwargs)

    monkeypatch.setattr("tandem.core.notifications.send_mail", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        send_email(to="later@example.org", subject="Hello", body="Body")

    assert len(attempts) == 3
    assert [m.to for m in mail.outbox] == [["later@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_delivers_the_email(monkeypatch, tmp_path: Path):
    # Queue into the database, as production does, and let a separate worker run it.
    backend = DatabaseBackend(alias="default", params={"OPTIONS": {}})
    monkeypatch.setattr(task_backends._connections, "default", backend, raising=False)
    user = create_user("coordinator")
    email_users(users=[user], subject="A concern needs you", body="Sign in to Tandem.")
    work = BackgroundWork.objects.get()
    assert work.status == BackgroundWork.Status.QUEUED
    assert mail.outbox == []

    outbox = tmp_path / "outbox"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--interval",
            "0",
        ],
        cwd=ROOT,
        env=production_environment(TANDEM_EMAIL_FILE_PATH=str(outbox)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    work.refresh_from_db()
    assert (work.status, work.attempts) == (BackgroundWork.Status.DONE, 1)
    messages = [path.read_text() for path in outbox.iterdir()]
    assert len(messages) == 1
    assert "Subject: A concern needs you" in messages[0]
    assert f"To: {user.email}" in messages[0]

    # A second worker finds nothing more to do.
    again = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=production_environment(TANDEM_EMAIL_FILE_PATH=str(outbox)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0
    assert len(list(outbox.iterdir())) == 1


def test_deliver_email_is_background_work():
    assert background._path(deliver_email) in background._REGISTERED


def test_the_report_counts_work_and_fails_when_some_failed():
    from django.core.management import CommandError, call_command

    BackgroundWork.objects.create(key="a", function="f", status=BackgroundWork.Status.DONE)
    call_command("background_work", stdout=(out := __import__("io").StringIO()))
    assert "Done: 1" in out.getvalue()

    BackgroundWork.objects.create(
        key="b", function="f", status=BackgroundWork.Status.FAILED, finished_at=timezone.now()
    )
    with pytest.raises(CommandError):
        call_command("background_work", stdout=out)


def test_old_finished_work_is_pruned_and_recent_or_failed_work_kept():
    from django.core.management import call_command

    old = timezone.now() - dt.timedelta(days=40)
    BackgroundWork.objects.create(
        key="old", function="f", status=BackgroundWork.Status.DONE, finished_at=old
    )
    BackgroundWork.objects.create(
        key="new", function="f", status=BackgroundWork.Status.DONE, finished_at=timezone.now()
    )
    BackgroundWork.objects.create(key="queued", function="f")
    call_command("background_work", "--prune-days", "30", stdout=__import__("io").StringIO())
    assert set(BackgroundWork.objects.values_list("key", flat=True)) == {"new", "queued"}
