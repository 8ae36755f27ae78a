"""Re-wrap every live data key under the current key-encryption key (KEK) version.

Runbook (docs/encryption.md): add the new KEK version next to the old one, make it current,
restart, run this command until it reports nothing left, and only then remove the old KEK.
Data ciphertexts are not touched: only the small wrapped data keys change.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from tandem.core.encryption import datakeys
from tandem.core.encryption.exceptions import KeyConfigurationError
from tandem.core.encryption.keys import get_keyring


class Command(BaseCommand):
    help = "Re-wrap data keys under the current KEK version (envelope-encryption key rotation)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Data keys per transaction (default 500).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only report how many live data keys are on each KEK version; exit 1 if "
            "any are not on the current one.",
        )

    def handle(self, *args, batch_size: int, check: bool, **options):
        try:
            keyring = get_keyring()
            current, _ = keyring.current_kek
        except KeyConfigurationError as exc:
            raise CommandError(str(exc)) from None
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        counts = datakeys.version_counts()
        old = {version: n for version, n in counts.items() if version != current}
        self.stdout.write(f"Current KEK version: {current}")
        for version, n in counts.items():
            marker = " (current)" if version == current else ""
            missing = "" if version in keyring.keks else " (KEK NOT CONFIGURED)"
            self.stdout.write(f"  version {version}: {n} live data key(s){marker}{missing}")
        if check:
            if old:
                self.stdout.write(f"{sum(old.values())} data key(s) not on version {current}.")
                sys.exit(1)
            self.stdout.write(self.style.SUCCESS(f"All live data keys are on version {current}."))
            return
        if not old:
            self.stdout.write(self.style.SUCCESS("Nothing to re-wrap."))
            return

        def progress(batch: int, done: int) -> None:
            self.stdout.write(f"  batch {batch}: re-wrapped {done}")

        report = datakeys.rotate(batch_size=batch_size, on_batch=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-wrapped {report.rewrapped} data key(s) under version {current} "
                f"in {report.batches} batch(es)."
            )
        )
        if report.failed:
            versions = ", ".join(f"{v} ({n})" for v, n in sorted(report.unknown_versions.items()))
            raise CommandError(
                f"{report.failed} data key(s) are wrapped under KEK versions that are not "
                f"configured: {versions}. Add those KEKs back and run again."
            )
