from django.core.management.base import BaseCommand

from tandem.meetings.services.contact import contact_alerts_raise


class Command(BaseCommand):
    help = (
        "Alert coordinators (in Tandem and by email, case references only) about each case "
        "whose contact is overdue: too long without a held session, or too many "
        "did-not-attends in a row. Each gap is alerted once, also when two copies run at "
        "once; alerts whose gap has closed are resolved. Run it every hour or so."
    )

    def handle(self, *args, **options):
        run = contact_alerts_raise()
        self.stdout.write(
            f"Contact alerts raised: {len(run.raised)}; resolved: {run.resolved}; "
            f"contact summaries repaired: {run.repaired}."
        )
