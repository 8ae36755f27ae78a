"""Per-subject data keys: create, unwrap (with a small cache), destroy and re-wrap.

Every data subject (a client, say) has one random 256-bit data key, stored only wrapped
under a key-encryption key (KEK) in ``core.DataKey``. Destroying the key erases every
value encrypted for the subject, wherever those ciphertexts live.

The unwrapped-key cache
-----------------------
Reading a list page of notes would otherwise cost one query per note. Unwrapped keys are
kept per process for ``TANDEM_DATA_KEY_CACHE_SECONDS`` (default 30) and at most
``TANDEM_DATA_KEY_CACHE_SIZE`` (default 1024) subjects. Correctness rules:

* a destroy in this process evicts the subject at once and again on commit; a destroy in
  another process is seen here at the latest when the entry expires (the TTL bound);
* an entry filled from a read that raced with an eviction is discarded (generation counter);
* a key row created or destroyed inside a still-open transaction is never cached until that
  transaction commits, so a rollback cannot leave a key in the cache that the database
  does not hold (encrypting under such a key would lose the data).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.signals import setting_changed
from django.db import OperationalError, connections, router, transaction
from django.db.models import Count
from django.dispatch import receiver
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import crypto
from .exceptions import DecryptionError, MissingDataKey, SubjectKeyDestroyed
from .keys import KEY_SETTINGS, get_keyring
from .models import MAX_SUBJECT_ID, MAX_SUBJECT_TYPE, DataKey

Subject = tuple[str, str]


def check_subject(subject: object) -> Subject:
    """Validate ``(subject_type, subject_id)``: two non-empty strings of bounded length."""
    if (
        not isinstance(subject, tuple)
        or len(subject) != 2
        or not all(isinstance(part, str) and part for part in subject)
        or len(subject[0]) > MAX_SUBJECT_TYPE
        or len(subject[1]) > MAX_SUBJECT_ID
    ):
        raise ValueError(
            "An encryption subject is a (subject_type, subject_id) pair of non-empty strings "
            f"of at most {MAX_SUBJECT_TYPE} and {MAX_SUBJECT_ID} characters."
        )
    return subject


# --- cache -----------------------------------------------------------------------------

_DESTROYED = object()


@dataclass
class _Entry:
    value: AESGCM | object  # an AESGCM, or _DESTROYED
    expires: float


@dataclass
class DataKeyCache:
    """Process-wide LRU+TTL cache of unwrapped data keys. See the module docstring."""

    _entries: OrderedDict[Subject, _Entry] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _generation: int = 0
    _local: threading.local = field(default_factory=threading.local)
    _room: int = 0  # entries held beyond the setting while a long list is decrypted

    @staticmethod
    def ttl() -> float:
        return float(getattr(settings, "TANDEM_DATA_KEY_CACHE_SECONDS", 30))

    def max_size(self) -> int:
        size = int(getattr(settings, "TANDEM_DATA_KEY_CACHE_SIZE", 1024))
        return size + self._room if size > 0 else size

    @contextmanager
    def room_for(self, n: int) -> Iterator[None]:
        """Hold ``n`` more keys than the setting allows while the block runs, so that a
        list's keys read at once are all still there when the list is decrypted."""
        with self._lock:
            self._room += n
        try:
            yield
        finally:
            with self._lock:
                self._room -= n
                size = self.max_size()
                while size > 0 and len(self._entries) > size:
                    self._entries.popitem(last=False)

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, subject: Subject) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(subject)
            if entry is None:
                return None
            if entry.expires <= time.monotonic():
                del self._entries[subject]
                return None
            self._entries.move_to_end(subject)
            return entry

    def _uncommitted(self, using: str) -> set[Subject]:
        pending = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = {}
        return pending.setdefault(using, set())

    def mark_uncommitted(self, subject: Subject, *, using: str) -> None:
        """The subject's key row changed in an open transaction: keep it out of the cache."""
        if not connections[using].in_atomic_block:
            return
        self._uncommitted(using).add(subject)

        def committed() -> None:
            self._uncommitted(using).discard(subject)
            self.invalidate(subject)

        transaction.on_commit(committed, using=using)

    def put(self, subject: Subject, value: AESGCM | object, *, generation: int, using: str):
        ttl, size = self.ttl(), self.max_size()
        if ttl <= 0 or size <= 0:
            return
        pending = self._uncommitted(using)
        if not connections[using].in_atomic_block:
            pending.clear()  # no open transaction on this thread: nothing is uncommitted
        elif subject in pending:
            return
        with self._lock:
            if generation != self._generation:
                return  # an eviction happened since the read began; the value may be stale
            self._entries[subject] = _Entry(value, time.monotonic() + ttl)
            self._entries.move_to_end(subject)
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def invalidate(self, subject: Subject | None = None) -> None:
        with self._lock:
            self._generation += 1
            if subject is None:
                self._entries.clear()
            else:
                self._entries.pop(subject, None)

    def clear(self) -> None:
        self.invalidate(None)

    def __len__(self) -> int:
        return len(self._entries)


cache = DataKeyCache()


@receiver(setting_changed)
def _clear_cache_on_key_change(*, setting: str, **kwargs) -> None:
    if setting in KEY_SETTINGS or setting.startswith("TANDEM_DATA_KEY_CACHE"):
        cache.clear()


# --- unwrap / create -------------------------------------------------------------------


@sensitive_variables()
def _unwrap_bytes(row, keyring) -> bytes:
    subject = (row.subject_type, row.subject_id)
    if row.destroyed_at is not None:
        raise SubjectKeyDestroyed(*subject)
    try:
        return crypto.unwrap_data_key(
            keyring.kek(row.kek_version),
            bytes(row.wrapped_key),
            crypto.data_key_aad(*subject, row.kek_version),
        )
    except DecryptionError:
        raise DecryptionError(
            f"The data key of {subject[0]} {subject[1]} does not unwrap under KEK version "
            f"{row.kek_version!r}: wrong key for that version, or the row was tampered with."
        ) from None


def _unwrap_row(row) -> AESGCM:
    return AESGCM(_unwrap_bytes(row, get_keyring()))


@sensitive_variables()
def _create_row(subject: Subject, *, using: str):
    """Create the subject's data key; if another process won the race, use theirs."""
    version, kek = get_keyring().current_kek
    data_key = crypto.new_data_key()
    wrapped = crypto.wrap_data_key(kek, data_key, crypto.data_key_aad(*subject, version))
    row, created = DataKey.objects.using(using).get_or_create(
        subject_type=subject[0],
        subject_id=subject[1],
        defaults={"wrapped_key": wrapped, "kek_version": version},
    )
    if created:
        cache.mark_uncommitted(subject, using=using)
        return row, AESGCM(data_key)
    return row, None


def _resolve(subject: Subject, *, create: bool) -> AESGCM:
    subject = check_subject(subject)
    entry = cache.get(subject)
    if entry is not None:
        if entry.value is _DESTROYED:
            raise SubjectKeyDestroyed(*subject)
        return entry.value
    generation = cache.generation
    using = router.db_for_write(DataKey) if create else router.db_for_read(DataKey)
    row = DataKey.objects.using(using).filter(subject_type=subject[0], subject_id=subject[1])
    row = row.first()
    aead = None
    if row is None:
        if not create:
            raise MissingDataKey(*subject)
        row, aead = _create_row(subject, using=using)
    if row.destroyed_at is not None:
        cache.put(subject, _DESTROYED, generation=generation, using=using)
        raise SubjectKeyDestroyed(*subject)
    if aead is None:
        aead = _unwrap_row(row)
    cache.put(subject, aead, generation=generation, using=using)
    return aead


def key_for_encryption(subject: Subject) -> AESGCM:
    """The subject's data key, created on first use. Raises SubjectKeyDestroyed if erased."""
    return _resolve(subject, create=True)


def key_for_decryption(subject: Subject) -> AESGCM:
    """The subject's existing data key. Raises SubjectKeyDestroyed or MissingDataKey."""
    return _resolve(subject, create=False)


def is_subject_erased(subject: Subject) -> bool:
    """True when the subject's data key has been destroyed."""
    subject = check_subject(subject)
    entry = cache.get(subject)
    if entry is not None:
        return entry.value is _DESTROYED
    return DataKey.objects.filter(
        subject_type=subject[0], subject_id=subject[1], destroyed_at__isnull=False
    ).exists()


def with_data_keys[T](records: Sequence[T]) -> Iterator[T]:
    """``records`` (encrypted models, their ``encryption_subject()`` loaded) one by one,
    every data key among them read with one query first. A list longer than the cache
    would evict its first keys before they are used (one query per record again), so the
    cache holds room for the whole list until the last record is handed out."""
    with cache.room_for(len(records)):
        preload(record.encryption_subject() for record in records)
        yield from records


def preload(subjects: Iterable[Subject]) -> None:
    """Unwrap the keys of many subjects with one query (e.g. before rendering a list)."""
    wanted = {check_subject(s) for s in subjects}
    wanted = {s for s in wanted if cache.get(s) is None}
    if not wanted:
        return
    generation = cache.generation
    using = router.db_for_read(DataKey)
    by_type: dict[str, list[str]] = {}
    for subject_type, subject_id in wanted:
        by_type.setdefault(subject_type, []).append(subject_id)
    for subject_type, ids in by_type.items():
        rows = DataKey.objects.using(using).filter(subject_type=subject_type, subject_id__in=ids)
        for row in rows:
            subject = (row.subject_type, row.subject_id)
            value = _DESTROYED if row.destroyed_at is not None else _unwrap_row(row)
            cache.put(subject, value, generation=generation, using=using)


# --- destroy and rotate ----------------------------------------------------------------


def destroy_subject_key(*, subject_type: str, subject_id: str):
    """Erase a subject cryptographically: drop their wrapped key for good.

    Idempotent. If the subject has no key yet a destroyed tombstone is stored, so nothing
    can be encrypted for them afterwards either. Old database backups still hold the
    wrapped key until the KEK it was wrapped under is retired (see docs/encryption.md).
    Call it from a service that also writes the audit event, in the same transaction.
    """
    subject = check_subject((subject_type, subject_id))
    using = router.db_for_write(DataKey)
    cache.invalidate(subject)
    with transaction.atomic(using=using):
        row = (
            DataKey.objects.using(using)
            .select_for_update()
            .filter(subject_type=subject_type, subject_id=subject_id)
            .first()
        )
        now = timezone.now()
        if row is None:
            row = DataKey.objects.using(using).create(
                subject_type=subject_type,
                subject_id=subject_id,
                wrapped_key=b"",
                kek_version="",
                destroyed_at=now,
            )
        elif row.destroyed_at is None:
            row.wrapped_key = b""
            row.kek_version = ""
            row.destroyed_at = now
            row.save(update_fields=["wrapped_key", "kek_version", "destroyed_at"])
        cache.mark_uncommitted(subject, using=using)
        transaction.on_commit(lambda: purge_freed_storage(using), using=using)
    cache.invalidate(subject)
    return row


def purge_freed_storage(using: str = "default") -> bool:
    """Make a destroyed key unrecoverable from the database's own files.

    On SQLite, ``secure_delete`` (set on every connection, config/settings/base.py)
    zeroes freed cells, but earlier versions of a page stay in the write-ahead log until
    it is checkpointed and truncated, which this does. PostgreSQL needs nothing here:
    a dump holds live rows only, and dead tuples are reclaimed by vacuum. Returns False
    when a reader kept the log from being truncated (it is truncated at a later erasure,
    and SQLite checkpoints it by itself as it grows).
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return True
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = cursor.fetchone()
    except OperationalError:  # another statement on this connection is still open
        return False
    return row is None or row[0] == 0


@dataclass
class RotationReport:
    rewrapped: int = 0
    batches: int = 0
    unknown_versions: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(self.unknown_versions.values())


def version_counts() -> dict[str, int]:
    """Live (not destroyed) data keys per KEK version."""
    rows = (
        DataKey.objects.filter(destroyed_at__isnull=True)
        .values("kek_version")
        .annotate(n=Count("pk"))
        .order_by("kek_version")
    )
    return {row["kek_version"]: row["n"] for row in rows}


@sensitive_variables()
def rotate(*, batch_size: int = 500, on_batch: Callable[[int, int], None] | None = None):
    """Re-wrap every live data key that is not under the current KEK version.

    Each batch is one transaction holding row locks; a key wrapped under a version the
    key ring lacks is counted and skipped, never touched. Data ciphertexts are unchanged.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    keyring = get_keyring()
    current, current_kek = keyring.current_kek
    using = router.db_for_write(DataKey)
    report = RotationReport()
    last_pk = 0
    while True:
        ids = list(
            DataKey.objects.using(using)
            .filter(destroyed_at__isnull=True, pk__gt=last_pk)
            .exclude(kek_version=current)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        last_pk = ids[-1]
        done = 0
        with transaction.atomic(using=using):
            rows = DataKey.objects.using(using).select_for_update().filter(pk__in=ids)
            for row in rows.order_by("pk"):
                if row.destroyed_at is not None or row.kek_version == current:
                    continue  # changed since the id scan
                if row.kek_version not in keyring.keks:
                    report.unknown_versions[row.kek_version] = (
                        report.unknown_versions.get(row.kek_version, 0) + 1
                    )
                    continue
                subject = (row.subject_type, row.subject_id)
                data_key = _unwrap_bytes(row, keyring)
                row.wrapped_key = crypto.wrap_data_key(
                    current_kek, data_key, crypto.data_key_aad(*subject, current)
                )
                row.kek_version = current
                row.save(update_fields=["wrapped_key", "kek_version"])
                done += 1
        report.rewrapped += done
        report.batches += 1
        if on_batch is not None:
            on_batch(report.batches, done)
    # Data keys themselves are unchanged, so cached entries stay valid; clear anyway so
    # the next read proves the new wrapping.
    cache.clear()
    return report
