from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tandem.core.access import render_markdown

DOC = Path(settings.BASE_DIR) / "docs" / "access-matrix.md"


class Command(BaseCommand):
    help = "Print the access matrix as Markdown, write it to docs/, or check docs/ is current."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true", help="Write docs/access-matrix.md.")
        group.add_argument("--check", action="store_true", help="Fail if docs/ is out of date.")

    def handle(self, *args, write=False, check=False, **options):
        text = render_markdown()
        if write:
            DOC.write_text(text)
            self.stdout.write(f"Wrote {DOC.relative_to(settings.BASE_DIR)}")
        elif check:
            if not DOC.exists() or DOC.read_text() != text:
                raise CommandError(
                    "docs/access-matrix.md is out of date: run manage.py access_matrix --write"
                )
        else:
            self.stdout.write(text)
