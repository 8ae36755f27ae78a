"""Create the local key file (TANDEM_KEK_FILE) with a fresh KEK and blind-index key.

For developer machines only. Idempotent: an existing file is never overwritten. The file is
created with mode 0600 in one step (O_CREAT | O_EXCL), so it is never briefly readable
by others and two concurrent runs cannot both write it.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tandem.core.encryption.exceptions import KeyConfigurationError
from tandem.core.encryption.keys import generate_key, read_key_file


class Command(BaseCommand):
    help = "Create the local key file named by TANDEM_KEK_FILE if it does not exist."
    requires_system_checks = []  # the key check would otherwise complain about the missing file

    def add_arguments(self, parser):
        parser.add_argument("--path", help="Write here instead of TANDEM_KEK_FILE.")

    def handle(self, *args, path: str | None, **options):
        target = path or getattr(settings, "TANDEM_KEK_FILE", None)
        if not target:
            raise CommandError(
                "TANDEM_KEK_FILE is not set (production keys come from the environment or a "
                "mounted secrets file, never from this command)."
            )
        target = Path(target)
        if target.exists():
            try:
                read_key_file(target)  # fail loudly on a broken file rather than ignore it
            except KeyConfigurationError as exc:
                raise CommandError(str(exc)) from None
            mode = stat.S_IMODE(target.stat().st_mode)
            self.stdout.write(f"Key file {target} already exists; left unchanged.")
            if mode & 0o077:
                self.stderr.write(f"Warning: {target} has mode {mode:04o}; run chmod 600.")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        content = {
            "current": "1",
            "keys": {"1": generate_key()},
            "blind_index_key": generate_key(),
        }
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            self.stdout.write(f"Key file {target} was created concurrently; left unchanged.")
            return
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(content, handle, indent=2)
            handle.write("\n")
        os.chmod(target, 0o600)  # in case a umask or filesystem widened it
        self.stdout.write(self.style.SUCCESS(f"Created key file {target} (mode 0600)."))
