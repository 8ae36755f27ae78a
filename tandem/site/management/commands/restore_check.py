"""Prove that a PostgreSQL backup can be restored and read: restore DUMP into a fresh
database, verify the audit chain there and decrypt a sample of every encrypted model.

    python manage.py restore_check /backups/tandem-2026-12-05.dump [--sample 20] [--keep]

DUMP is a ``pg_dump --format=custom`` file (or a plain SQL dump). The fresh database is
made on the server of ``DATABASE_URL`` and dropped afterwards unless ``--keep``. The
command reads it with this process's keys, so it also proves that the keys in custody
still open the backup: run it with the key versions the backup needs
(docs/operations.md). Exits non-zero if anything fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from tandem.audit.selectors import verify_chain
from tandem.core.encryption import datakeys
from tandem.core.encryption.exceptions import DecryptionError, SubjectKeyDestroyed
from tandem.core.encryption.fields import EncryptedTextField
from tandem.core.models import EncryptedModel


class Command(BaseCommand):
    help = (
        "Restore a PostgreSQL dump into a fresh database, verify its audit chain and "
        "decrypt a sample of its encrypted records."
    )

    def add_arguments(self, parser):
        parser.add_argument("dump", help="a pg_dump file (custom format or plain SQL)")
        parser.add_argument(
            "--sample", type=int, default=20, help="records to decrypt per model (default 20)"
        )
        parser.add_argument("--database", help="name of the fresh database (default: made up)")
        parser.add_argument("--keep", action="store_true", help="keep the restored database")

    def handle(self, *args, dump, sample, database=None, keep=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("restore_check restores PostgreSQL dumps: set DATABASE_URL.")
        path = Path(dump)
        if not path.is_file():
            raise CommandError(f"No dump file at {path}.")
        if sample < 1:
            raise CommandError("--sample must be at least 1.")
        name = database or f"tandem_restore_check_{int(time.time())}_{os.getpid()}"
        if not name.replace("_", "").isalnum():
            raise CommandError("--database takes letters, digits and underscores only.")

        self._create(name)
        try:
            self._restore(path, name)
            self.stdout.write(f"Restored {path.name} into {name}")
            with _pointed_at(name):
                problems = self._verify(sample)
        finally:
            if keep:
                self.stdout.write(f"Kept {name}")
            else:
                self._drop(name)
        if problems:
            raise CommandError("The restored backup failed its checks: " + "; ".join(problems))
        self.stdout.write(self.style.SUCCESS("The backup restores and reads."))

    # -- the fresh database

    def _create(self, name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')

    def _drop(self, name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _restore(self, path: Path, name: str) -> None:
        settings = connection.settings_dict
        env = {**os.environ}
        if settings.get("PASSWORD"):
            env["PGPASSWORD"] = settings["PASSWORD"]
        target = [
            "--host",
            settings.get("HOST") or "127.0.0.1",
            "--port",
            str(settings.get("PORT") or 5432),
        ]
        target += ["--username", settings.get("USER") or "postgres"]
        with path.open("rb") as handle:
            custom = handle.read(5) == b"PGDMP"
        if custom:
            tool = shutil.which("pg_restore")
            command = [tool, *target, "--no-owner", "--no-privileges", "--exit-on-error"]
            command += ["--dbname", name, str(path)]
        else:
            tool = shutil.which("psql")
            command = [tool, *target, "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", name]
            command += ["--file", str(path)]
        if tool is None:
            raise CommandError("pg_restore and psql must be installed.")
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(f"The restore failed: {result.stderr.strip()[:2000]}")

    # -- the checks, on the restored database

    def _verify(self, sample: int) -> list[str]:
        problems: list[str] = []
        result = verify_chain()
        self.stdout.write(str(result))
        if not result.intact:
            problems.append(str(result))

        records = values = erased = 0
        for model in apps.get_models():
            if not issubclass(model, EncryptedModel):
                continue
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            for instance in model._default_manager.order_by("?")[:sample]:
                records += 1
                for field in fields:
                    try:
                        if getattr(instance, field.name) is not None:
                            values += 1
                    except SubjectKeyDestroyed:
                        erased += 1  # erased on purpose: its key was destroyed
                    except DecryptionError as exc:
                        problems.append(
                            f"{model._meta.label}.{field.name} of record {instance.pk} does "
                            f"not decrypt ({type(exc).__name__})"
                        )
        self.stdout.write(
            f"Decrypted {values} values in {records} sampled records"
            + (f" ({erased} erased on purpose)" if erased else "")
        )
        return problems


@contextmanager
def _pointed_at(name: str):
    """Point this process's default connection at database ``name`` for a while; data keys
    unwrapped from the other database are forgotten, so each is read from the restore."""
    default = connections["default"]
    original = default.settings_dict["NAME"]
    default.close()
    datakeys.cache.clear()
    default.settings_dict["NAME"] = name
    try:
        yield
    finally:
        default.close()
        datakeys.cache.clear()
        default.settings_dict["NAME"] = original
