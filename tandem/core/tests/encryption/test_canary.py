"""The canary: plaintext written through the ORM never reaches the database in any form.

A known canary string goes into every encrypted field (and so into the blind indexes),
is updated and partly deleted; then the raw storage is searched for it in every encoding
a leak could take: UTF-8, case-folded, hex, base64 at each alignment, UTF-16, and every
16-character window. A plaintext control string written to an ordinary column must be
found by the same search, which proves the search reads what is really stored.

SQLite: the test database is a file (config/settings/test.py); the database file and its
-wal and -shm files are read before and after a checkpoint. PostgreSQL: the test database
is dumped with pg_dump. Each database runs its own test; the other one is skipped.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tandem.core.encryption import destroy_subject_key
from tandem.core.tests.encryption_app.models import Note, Subject

CANARY = "CANARY-d41c7b-Zoë-Ωmega-never-stored-in-clear"
CONTROL = "CONTROL-93e2af-plain-column-must-be-found"


def leak_forms(secret: str) -> set[bytes]:
    """Byte strings whose presence in storage would mean ``secret`` leaked."""
    forms: set[bytes] = set()
    for text in {secret, secret.casefold(), secret.upper()}:
        data = text.encode("utf-8")
        forms |= {data, data.hex().encode(), data.hex().upper().encode()}
        forms.add(text.encode("utf-16-le"))
        for offset in range(3):  # base64 of the value at any alignment inside a larger blob
            aligned = data[offset:]
            aligned = aligned[: len(aligned) // 3 * 3]
            forms.add(base64.b64encode(aligned))
            forms.add(base64.urlsafe_b64encode(aligned))
        forms |= {data[i : i + 16] for i in range(len(data) - 15)}
    return forms


def found(secret: str, blob: bytes) -> set[bytes]:
    return {form for form in leak_forms(secret) if form in blob}


class QueryLog:
    """Every SQL statement and parameter sent to the database."""

    def __init__(self):
        self.sent: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sent.append(f"{sql!r} {params!r}")
        return execute(sql, params, many, context)


def write_canary() -> tuple[Subject, QueryLog]:
    log = QueryLog()
    with connection.execute_wrapper(log):
        # A subject erased first (destroying a key truncates SQLite's write-ahead log, and
        # the writes after it must still be in the log): its ciphertext stays behind,
        # its key does not.
        erased = Subject.objects.create(label=CONTROL, name=CANARY)
        Note.objects.create(subject=erased, body=CANARY)
        destroy_subject_key(subject_type="subject", subject_id=str(erased.record_uuid))

        subject = Subject.objects.create(label=CONTROL, name=CANARY, date_of_birth="2009-04-01")
        kept = Note.objects.create(subject=subject, body=f"Session: {CANARY}.", summary=CANARY)
        dropped = Note.objects.create(subject=subject, body=CANARY, summary=None)
        kept = Note.objects.select_related("subject").get(pk=kept.pk)
        assert kept.body == f"Session: {CANARY}."
        kept.body = f"{CANARY} (updated)"
        kept.save()
        dropped.delete()
        assert Subject.objects.get(pk=subject.pk).name == CANARY

    return subject, log


def assert_no_leak_in_queries(log: QueryLog) -> None:
    sent = "\n".join(log.sent).encode("utf-8")
    assert len(log.sent) > 10
    assert not found(CANARY, sent), "plaintext was sent to the database"


def assert_blind_indexes_hold_no_plaintext() -> None:
    assert Subject.objects.exclude(name_index="").count() == 2
    for name_index, identity_index in Subject.objects.values_list("name_index", "identity_index"):
        for index in (name_index, identity_index):
            assert len(index) in (0, 64)  # blank source values are not indexed
            assert not found(CANARY, index.encode())


@pytest.mark.django_db(transaction=True)
def test_canary_never_reaches_the_sqlite_files():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite canary; this run's database is PostgreSQL (its canary uses pg_dump)")
    assert not connection.is_in_memory_db(), "the SQLite test database must be a file"
    database = Path(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"

    _, log = write_canary()
    assert_no_leak_in_queries(log)
    assert_blind_indexes_hold_no_plaintext()

    def storage() -> dict[str, bytes]:
        files = {p: p.read_bytes() for p in (database, Path(f"{database}-wal"))}
        shm = Path(f"{database}-shm")
        if shm.exists():
            files[shm] = shm.read_bytes()
        return files

    before = storage()  # committed pages are (at least partly) still in the WAL
    assert len(before[Path(f"{database}-wal")]) > 0
    assert found(CONTROL, b"".join(before.values())), "the search cannot see stored text"

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(FULL)")
        busy, _, _ = cursor.fetchone()
        assert busy == 0
    after = storage()
    assert found(CONTROL, after[database]), "after a checkpoint the main file holds the rows"

    for files in (before, after):
        for path, blob in files.items():
            assert not found(CANARY, blob), f"plaintext found in {path.name}"


@pytest.mark.django_db(transaction=True)
def test_canary_never_reaches_a_postgresql_dump():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL canary (pg_dump); this run's database is SQLite")
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump must be installed to run the PostgreSQL canary"

    _, log = write_canary()
    assert_no_leak_in_queries(log)
    assert_blind_indexes_hold_no_plaintext()

    db = connection.settings_dict
    command = [pg_dump, "--no-owner", "--no-privileges", "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    dump = subprocess.run(command, capture_output=True, env=env, timeout=120, check=True).stdout

    assert b"encryption_app_note" in dump
    assert found(CONTROL, dump), "the search cannot see stored text"
    assert not found(CANARY, dump), "plaintext found in the pg_dump of the test database"
