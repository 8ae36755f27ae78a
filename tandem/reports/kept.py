"""Figures kept between requests: the board's dashboard and the evaluation analytics read
every case, so each is computed at most once in ``KEEP_SECONDS`` (and by the scheduled
``precompute_dashboard``), by one process at a time, kept in the shared cache, and says
when it was computed.

A kept figure is forgotten early when who is counted changes: a restriction placed or
lifted (UK GDPR Article 18) or an erasure. Every key holds a *generation*, a counter in
the cache that those events move on (``forget``, connected in ``ReportsConfig.ready``),
so every process reads afresh at once, whatever the cache backend, without listing keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

KEEP_SECONDS = 15 * 60
SERVE_STALE_SECONDS = 60 * 60
LOCK_SECONDS = 120
# Well under gunicorn's 30-second worker timeout: a waiting worker must never be killed.
WAIT_SECONDS = 10
WAIT_STEP = 0.2
GENERATION_KEY = "reports:generation"


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return int(value)


def cache_key(name: str) -> str:
    return f"reports:{generation()}:{name}"


def kept[T](name: str, compute: Callable[[], T], *, refresh: bool = False) -> T:
    """``compute()``, or what it gave within the last ``KEEP_SECONDS`` under ``name`` in
    this generation; ``refresh`` computes afresh and keeps the result.

    One process computes at a time (a lock in the shared cache): many people opening
    the dashboard as its figures age would otherwise each compute it at once and hold
    every web worker for the seconds that takes. While one computes, the others are
    given the figures it replaces when they are at most ``SERVE_STALE_SECONDS`` old (the
    page says when they were computed), or wait up to ``WAIT_SECONDS`` for the new ones.
    A generation moved on (a restriction, an erasure) is never served stale: its figures
    are under another key."""
    key = cache_key(name)
    lock = f"{key}:computing"
    entry = None if refresh else cache.get(key)
    if entry is not None:
        computed_at, value = entry
        if time.time() - computed_at < KEEP_SECONDS or not cache.add(lock, 1, LOCK_SECONDS):
            return value
    elif not refresh and not cache.add(lock, 1, LOCK_SECONDS):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP)
            if (entry := cache.get(key)) is not None:
                return entry[1]
        # The one computing is taking too long or has died: compute here too.
    try:
        value = compute()
        cache.set(key, (time.time(), value), SERVE_STALE_SECONDS)
    finally:
        cache.delete(lock)
    return value


def forget(**_kwargs) -> None:
    """Every kept figure is stale (a restriction or an erasure changed who is counted)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (evicted, or never read): start a new one
        cache.set(GENERATION_KEY, generation() + 1, timeout=None)
