"""Background work on the task worker, done once and retried on failure.

Work is a plain module-level function marked ``@background``; ``run_once(function,
key=..., **kwargs)`` queues it on Django's tasks framework when the surrounding
transaction commits. The key names the work (``email:<id>:<address>``,
``export:<id>``): a key already queued is not queued again, and a worker runs a key's
function only after claiming it with one conditional update, so the same work is never
done twice, whether it is queued twice, a retry overlaps, or two workers pick it up.

A function that raises is retried with growing delays (immediately where the backend
cannot defer, as in tests) up to ``MAX_ATTEMPTS``; then the work is marked failed and
logged (the exception's class only, never its text or traceback, which may hold
personal data). Failed work shows in the ``background_work`` command's report.
A claim that a crashed worker left behind is taken over after ``LEASE``.

Production runs the database backend (django-tasks-db) and a worker process,
``manage.py db_worker`` (``make worker``); tests run tasks immediately.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import BackgroundWork

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_DELAYS = (
    dt.timedelta(seconds=10),
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
)
LEASE = dt.timedelta(minutes=10)
KEY_MAX = BackgroundWork._meta.get_field("key").max_length

_REGISTERED: set[str] = set()


def _path(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def background(function: Callable) -> Callable:
    """Mark a module-level function as work the worker may run."""
    _REGISTERED.add(_path(function))
    return function


def run_once(function: Callable, *, key: str, **kwargs) -> None:
    """Queue ``function(**kwargs)`` under ``key`` once the transaction commits (or now,
    outside one). Keyword arguments must be JSON: ids, strings, numbers."""
    path = _path(function)
    if path not in _REGISTERED:
        raise ValueError(f"{path} is not marked @background")
    if not key or len(key) > KEY_MAX:
        raise ValueError("A background work key is 1 to 200 characters.")

    def enqueue() -> None:
        with transaction.atomic():
            _, created = BackgroundWork.objects.get_or_create(key=key, defaults={"function": path})
            if created:
                perform.enqueue(key=key, function=path, kwargs=kwargs, attempt=1)

    transaction.on_commit(enqueue)


def _claim(key: str) -> bool:
    now = timezone.now()
    return bool(
        BackgroundWork.objects.filter(key=key)
        .filter(
            Q(status=BackgroundWork.Status.QUEUED)
            | Q(status=BackgroundWork.Status.RUNNING, started_at__lt=now - LEASE)
        )
        .update(status=BackgroundWork.Status.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )


@task()
def perform(*, key: str, function: str, kwargs: dict, attempt: int = 1) -> str:
    """Run the work under ``key`` unless it is done, or being done, already."""
    if function not in _REGISTERED:
        import_string(function)  # registers it, if it is marked @background
    if function not in _REGISTERED:
        logger.error("background work refused: %s is not marked @background", function)
        BackgroundWork.objects.filter(key=key).update(
            status=BackgroundWork.Status.FAILED, last_error="NotRegistered"
        )
        return "refused"
    if not _claim(key):
        return "skipped"
    work = BackgroundWork.objects.filter(key=key)
    error = ""
    try:
        import_string(function)(**kwargs)
    except Exception as exc:
        # The class only: the exception's text may hold an address or other personal data,
        # so it is neither stored nor logged, and the task itself ends without raising.
        error = type(exc).__name__[: BackgroundWork._meta.get_field("last_error").max_length]
    if not error:
        work.update(status=BackgroundWork.Status.DONE, finished_at=timezone.now(), last_error="")
        return "done"
    if attempt >= MAX_ATTEMPTS:
        work.update(
            status=BackgroundWork.Status.FAILED, last_error=error, finished_at=timezone.now()
        )
        logger.error(
            "background work failed for good: %s after %d attempts (%s)", function, attempt, error
        )
        return "failed"
    work.update(status=BackgroundWork.Status.QUEUED, last_error=error)
    logger.warning("background work will be retried: %s attempt %d (%s)", function, attempt, error)
    _retry(key=key, function=function, kwargs=kwargs, attempt=attempt)
    return "retrying"


def _retry(*, key: str, function: str, kwargs: dict, attempt: int) -> None:
    delay = RETRY_DELAYS[min(attempt - 1, len(RETRY_DELAYS) - 1)]
    queued = perform
    if perform.get_backend().supports_defer:
        queued = perform.using(run_after=timezone.now() + delay)
    queued.enqueue(key=key, function=function, kwargs=kwargs, attempt=attempt + 1)
