"""restore_check: a PostgreSQL dump of the test data restores into a fresh database, whose
audit chain verifies and whose encrypted records decrypt with the keys in custody."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from conftest import create_user
from tandem.audit.services import record_event
from tandem.core.encryption import destroy_subject_key
from tandem.core.tests.encryption_app.models import Note, Subject

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "restore_check restores PostgreSQL dumps; this run's database is SQLite "
            "(CI runs this test in its PostgreSQL pass)"
        )
    for tool in ("pg_dump", "pg_restore"):
        assert shutil.which(tool), f"{tool} must be installed to test restores"


def write_records():
    actor = create_user("coordinator")
    subject = Subject.objects.create(label="kept", name="Restored Name", date_of_birth="2009-04-01")
    Note.objects.create(subject=subject, body="A note that must survive the backup.")
    erased = Subject.objects.create(label="erased", name="Erased Name")
    Note.objects.create(subject=erased, body="Gone with its key.")
    destroy_subject_key(subject_type="subject", subject_id=str(erased.record_uuid))
    for n in range(5):
        record_event(actor=actor, action="case.view", object_type="case", object_id=str(n))


def dump(tmp_path) -> str:
    settings = connection.settings_dict
    path = tmp_path / "tandem.dump"
    subprocess.run(
        [
            shutil.which("pg_dump"),
            "--format=custom",
            "--host",
            settings.get("HOST") or "127.0.0.1",
            "--port",
            str(settings.get("PORT") or 5432),
            "--username",
            settings.get("USER") or "postgres",
            "--file",
            str(path),
            settings["NAME"],
        ],
        check=True,
    )
    return str(path)


def databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {row[0] for row in cursor.fetchall()}


def test_a_dump_restores_verifies_and_decrypts(postgresql, tmp_path):
    write_records()
    before = databases()
    out = io.StringIO()

    call_command("restore_check", dump(tmp_path), "--sample", "5", stdout=out)

    report = out.getvalue()
    assert "Audit chain intact:" in report
    assert "Decrypted" in report and "erased on purpose" in report
    assert "The backup restores and reads." in report
    assert databases() == before  # the fresh database is dropped again
    # This process is back on its own database.
    assert Subject.objects.get(label="kept").name == "Restored Name"


def test_a_backup_the_keys_in_custody_cannot_open_fails(postgresql, tmp_path):
    write_records()
    path = dump(tmp_path)
    other_key = "1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
    with (
        override_settings(TANDEM_KEKS=other_key, TANDEM_KEK_CURRENT="1"),
        pytest.raises(CommandError, match="does not decrypt"),
    ):
        call_command("restore_check", path, stdout=io.StringIO())


def test_a_missing_or_broken_dump_is_a_clear_error(postgresql, tmp_path):
    with pytest.raises(CommandError, match="No dump file"):
        call_command("restore_check", str(tmp_path / "nothing.dump"))
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP this is not a dump")
    before = databases()
    with pytest.raises(CommandError, match="The restore failed"):
        call_command("restore_check", str(broken), stdout=io.StringIO())
    assert databases() == before


def test_sqlite_is_refused_with_a_clear_message(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("checks the refusal on SQLite; this run's database is PostgreSQL")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("restore_check", str(tmp_path / "x.dump"))
