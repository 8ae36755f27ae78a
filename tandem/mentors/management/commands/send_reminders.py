import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tandem.mentors.services.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Remind mentors and coordinators of vetting checks and accreditations that expire "
        "within 60, 30 or 7 days or have expired. Safe to run every few minutes: each "
        "reminder goes to each recipient once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Act as if today were this date (for testing and catching up).",
        )

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date written as YYYY-MM-DD.") from None
        sent = reminders_send(today=today)
        self.stdout.write(f"Reminders sent: {sent}.")
