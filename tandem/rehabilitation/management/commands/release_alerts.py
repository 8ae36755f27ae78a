from django.core.management.base import BaseCommand

from tandem.rehabilitation.services import release_alerts_raise


class Command(BaseCommand):
    help = (
        "Rehabilitation pathway: prompt coordinators and the matched mentor to plan the first "
        "meeting after a release coming within the policy's window, and raise a contact alert "
        "when no meeting was held within the policy's days after a release. Each release is "
        "prompted and alerted once, also when two copies run at once; alerts are resolved "
        "once a meeting after release is held. Run it daily."
    )

    def handle(self, *args, **options):
        run = release_alerts_raise()
        self.stdout.write(
            f"Release prompts: {len(run.prompted)}; contact alerts raised: {len(run.raised)}; "
            f"resolved: {run.resolved}."
        )
