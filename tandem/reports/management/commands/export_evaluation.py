"""``python manage.py export_evaluation --out DIR --purpose "…"``: the pseudonymised
evaluation export written to a directory (the same files as the evaluator's download)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tandem.audit.services import record_event

from ...export import K_DEFAULT, to_directory


class Command(BaseCommand):
    help = "Write the pseudonymised evaluation export (cases, sessions, answers) to a directory."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The directory to write to.")
        parser.add_argument(
            "--purpose", required=True, help="What the export is for (kept in the audit log)."
        )
        parser.add_argument("--k", type=int, default=K_DEFAULT, help="Smallest group released.")

    def handle(self, *args, out, purpose, k, **options):
        purpose = purpose.strip()
        if len(purpose) < 10:
            raise CommandError("Say what the export is for in at least 10 characters.")
        if k < 2:
            raise CommandError("--k must be at least 2.")
        path = Path(out)
        if path.exists() and any(path.iterdir()):
            raise CommandError(f"{path} is not empty: give a new or empty directory.")
        manifest = to_directory(path, purpose=purpose, k=k)
        record_event(
            actor=None,
            action="evaluation_export.create",
            object_type="reports.evaluationexport",
            object_id="command",
            reason=purpose,
        )
        self.stdout.write(
            f"Wrote {manifest['cases_released']} cases "
            f"({manifest['cases_left_out']} left out, k = {manifest['k_achieved']}) and "
            f"{manifest['rows']['sessions.csv']} sessions to {path}."
        )
