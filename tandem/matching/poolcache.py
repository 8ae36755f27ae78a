"""The active pool's arrays, kept between requests and rebuilt only when what they are
made of changes.

Reading the pool (``features.load_pool``) is most of a suggestions page's time at a few
thousand mentors; scoring one case against it takes about a millisecond. The pool is
the same for every case and changes far less often than it is read, so each process
keeps the last one it built, with the key it was built under:

- the **pool version**, a random token in the shared cache (``settings.CACHES``), the
  same for every process (gunicorn worker). Any write to a table the pool is made of
  replaces it once the write's transaction commits, so every process rebuilds on its
  next read. A token, not a counter: a cache that lost the key and started again can
  never hand out a version an old pool was built under.
- **today**: whether a check, an accreditation or supervision is current depends on the
  date, so a pool is never used on another day.
- the process's own **change count**: a write in this process forgets its pool at
  once, before the commit, so a transaction that reads the pool after changing it
  sees its change, and a pool read while another thread's write was under way is not
  kept.

Writes are seen in the database layer, not through model signals: an execute wrapper
on every connection looks at each ``INSERT``, ``UPDATE`` and ``DELETE`` (and
``TRUNCATE``) and compares its table with the registered sources. Bulk inserts and
queryset updates, which send no signals (a profile's languages are replaced in bulk,
supervision ends assignments with ``update``), are seen as well as ``save()``.

The sources are the tables ``load_pool`` and the matchability rules read: matching
registers the register's and the catalogues' tables and its own matches (the
caseload); a capability that adds a blocking rule registers the tables its rule reads
(``register_pool_source``, supervision in its ``ready``).

What is kept: the arrays and the mentors' primary keys, never a name or any decrypted
field. They are made from plain columns only (status, caseload cap, gender, faith,
age band, lived experience, travel radius, online, languages, specialisms, areas,
availability, the dates of checks and accreditations), so there is nothing encrypted
to decrypt. They stay in the process's memory and are never written to the shared
cache: gender, faith and age are personal data about the mentor, and the shared cache
(Redis in production) is not the encrypted, audited database; and a pool of 5,000
mentors is a few megabytes, which would be read back and unpickled on every request.
Each process builds its own copy once per version, and the shared cache holds only the
version token.

A pool older than ``settings.TANDEM_POOL_CACHE_SECONDS`` is rebuilt whatever its key
says (a safety net should the shared cache be unreachable when a change commits).
Checks that decide (``match_propose``, ``evaluate_pair``) never use the kept pool:
they read the mentor afresh under a lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.utils import timezone

from .features import Pool, load_pool

logger = logging.getLogger(__name__)

VERSION_KEY = "tandem:matching:pool-version"

_WRITE = re.compile(
    r"""^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[`"]?(\w+)""",
    re.IGNORECASE,
)
_TRUNCATE = re.compile(r"^\s*TRUNCATE\b", re.IGNORECASE)

_sources: set[str] = set()  # table names


def register_pool_source(*models) -> None:
    """Let writes to ``models`` (and to their many-to-many tables) change the pool."""
    for model in models:
        _sources.add(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            _sources.add(field.remote_field.through._meta.db_table)


def pool_sources() -> frozenset[str]:
    return frozenset(_sources)


def written_table(sql: str) -> str | None:
    """The table an ``INSERT``, ``UPDATE`` or ``DELETE`` statement writes, or None."""
    found = _WRITE.match(sql)
    return found.group(1) if found else None


# The version shared by every process -----------------------------------------------------


def pool_version() -> str:
    """The current pool version token (one shared-cache read)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def pool_changed() -> None:
    """Tell every process that the pool changed: they rebuild on their next read."""
    _forget_here()
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception as error:  # the write itself succeeded; the safety net's age applies
        # (Also while the first migrations run, before the cache table exists.)
        logger.warning("Could not change the shared mentor pool version: %s", error)


# This process's pool --------------------------------------------------------------------


@dataclass(frozen=True)
class _Kept:
    key: tuple[str, dt.date, int]
    pool: Pool
    built: float  # time.monotonic()


_lock = threading.Lock()
_kept: _Kept | None = None
_changes = 0  # writes to the pool's tables seen in this process


def _forget_here() -> None:
    global _kept, _changes
    with _lock:
        _changes += 1
        _kept = None


def forget() -> None:
    """Drop this process's pool (tests: the database was rolled back underneath it)."""
    _forget_here()


def max_age() -> float:
    return settings.TANDEM_POOL_CACHE_SECONDS


def cached_pool(*, today: dt.date | None = None) -> Pool:
    """The active pool as ``load_pool()`` reads it, built at most once per version, day
    and process. Its arrays are read-only: a caller that needs other values copies."""
    global _kept
    today = today or timezone.localdate()
    with _lock:
        changes = _changes
        kept = _kept
    key = (pool_version(), today, changes)
    if kept is not None and kept.key == key and time.monotonic() - kept.built < max_age():
        return kept.pool
    pool = frozen(load_pool(today=today))
    with _lock:
        if _changes == changes:  # nothing written here while it was being read
            _kept = _Kept(key, pool, time.monotonic())
    return pool


def frozen(pool: Pool) -> Pool:
    """``pool`` with every array read-only, so that no reader can change what the next
    request is given."""
    pool.pks.flags.writeable = False
    for field in fields(pool.arrays):
        value = getattr(pool.arrays, field.name)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return pool


# Seeing writes ----------------------------------------------------------------------------


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if _TRUNCATE.match(sql) or written_table(sql) in _sources:
        _forget_here()
        connection = context["connection"]
        pending = getattr(connection, "run_on_commit", ())
        if not any(callback is pool_changed for _, callback, *_ in pending):
            # At once outside a transaction; otherwise once, when it commits.
            transaction.on_commit(pool_changed, using=connection.alias)
    return result


def _install(connection) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def _on_connection_created(sender, connection, **kwargs):
    _install(connection)


def watch_writes(aliases: Iterable[str] | None = None) -> None:
    """Watch every connection, those open now and those opened later."""
    connection_created.connect(_on_connection_created, dispatch_uid="matching.poolcache.watch")
    for alias in aliases if aliases is not None else connections:
        _install(connections[alias])
