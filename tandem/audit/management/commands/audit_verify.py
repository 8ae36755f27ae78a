"""Check the audit log's hash chain end to end. Run it from cron; a non-zero exit is an alarm."""

import re

from django.core.management.base import BaseCommand, CommandError

from tandem.audit.selectors import verify_chain

ANCHOR_RE = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain. Prints 'Audit chain intact: N events' and exits 0, "
        "or names the first bad sequence number and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            metavar="SEQUENCE:HASH",
            help=(
                "A head printed by an earlier run and kept outside the database; the event "
                "at SEQUENCE must still have HASH (catches a log rewritten wholesale)."
            ),
        )

    def handle(self, *args, anchor=None, **options):
        parsed = None
        if anchor:
            match = ANCHOR_RE.match(anchor.strip())
            if not match:
                raise CommandError("--anchor must look like 1234:<64 hex characters>.")
            parsed = (int(match[1]), match[2])
        result = verify_chain(anchor=parsed)
        if not result.intact:
            raise CommandError(str(result))
        self.stdout.write(str(result))
        self.stdout.write(f"Head: {result.head_sequence}:{result.head_hash}")
