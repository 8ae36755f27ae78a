"""Compile everything Tandem holds about one person into DIR: a ZIP (JSON and CSV) and a
PDF, for a subject access request."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tandem.cases.models import Case
from tandem.privacy.subject_access import subject_access_compile


class Command(BaseCommand):
    help = "Compile a subject access package for the person with case REFERENCE into DIR."

    def add_arguments(self, parser):
        parser.add_argument("reference")
        parser.add_argument("--out", required=True, help="The folder to write into.")

    def handle(self, *args, reference: str, out: str, **options):
        case = Case.objects.filter(reference=reference.strip()).first()
        if case is None:
            raise CommandError(f"No case has the reference {reference!r}.")
        if case.subject_erased:
            raise CommandError(f"{case.reference} has been erased: nothing is held to compile.")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        archive, pdf = subject_access_compile(actor=None, case=case)
        (folder / f"{case.reference}.zip").write_bytes(archive)
        (folder / f"{case.reference}.pdf").write_bytes(pdf)
        self.stdout.write(f"Wrote {case.reference}.zip and {case.reference}.pdf to {folder}.")
