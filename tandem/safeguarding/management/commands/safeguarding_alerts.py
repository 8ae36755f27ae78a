"""Alert about safeguarding concerns whose acknowledgement deadline is near or missed.

Run it every few minutes from cron or a timer. It is idempotent and safe to run as two
copies at once: a ledger row per (concern, kind, deadline, repeat) decides who alerts.
"""

from django.core.management.base import BaseCommand

from tandem.safeguarding.services import safeguarding_alerts_run


class Command(BaseCommand):
    help = "Alert the safeguarding leads, the deputy and coordinators about concern deadlines."

    def handle(self, *args, **options):
        run = safeguarding_alerts_run()
        self.stdout.write(f"{len(run.sent)} alert{'s' if len(run.sent) != 1 else ''} sent.")
