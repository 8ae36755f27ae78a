from django.core.management.base import BaseCommand

from tandem.meetings.services.lone_working import lone_working_alerts_run


class Command(BaseCommand):
    help = (
        "Alert coordinators about each lone-working session whose mentor has not checked "
        "out by its end plus the grace period, and escalate (to coordinators and "
        "safeguarding leads) an alert nobody acknowledged in time. Idempotent and safe to "
        "run concurrently: run it every minute or two."
    )

    def handle(self, *args, **options):
        run = lone_working_alerts_run()
        self.stdout.write(f"Missed check-outs alerted: {run.alerted}; escalated: {run.escalated}.")
