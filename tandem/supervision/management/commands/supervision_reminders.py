from django.core.management.base import BaseCommand

from tandem.supervision.services import supervision_reminders_send


class Command(BaseCommand):
    help = (
        "Remind each active mentor with a supervisor, and their supervisor (in Tandem and "
        "by email, names and dates only), when supervision falls due within the policy's "
        "reminder days, and again once it is overdue. Each reminder is sent once, also "
        "when two copies run at once. Run it once a day."
    )

    def handle(self, *args, **options):
        sent = supervision_reminders_send()
        self.stdout.write(
            f"Supervision reminders sent: {sent['due_soon']} due soon; {sent['overdue']} overdue."
        )
