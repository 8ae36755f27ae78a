"""Figures kept between requests: the board's dashboard and the evaluation analytics read
every case, so each is computed at most once in ``KEEP_SECONDS`` (and by the scheduled
``precompute_dashboard``), kept in the shared cache, and says when it was computed.

A kept figure is forgotten early when who is counted changes: a restriction placed or
lifted (UK GDPR Article 18) or an erasure. Every key holds a *generation*, a counter in
the cache that those events move on (``forget``, connected in ``ReportsConfig.ready``),
so every process reads afresh at once, whatever the cache backend, without listing keys.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache

KEEP_SECONDS = 15 * 60
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
    this generation; ``refresh`` computes afresh and keeps the result."""
    key = cache_key(name)
    if not refresh and (value := cache.get(key)) is not None:
        return value
    value = compute()
    cache.set(key, value, KEEP_SECONDS)
    return value


def forget(**_kwargs) -> None:
    """Every kept figure is stale (a restriction or an erasure changed who is counted)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (evicted, or never read): start a new one
        cache.set(GENERATION_KEY, generation() + 1, timeout=None)
