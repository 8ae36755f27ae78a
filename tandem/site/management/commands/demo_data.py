from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users
from tandem.site.demo.cases import DEMO_CASES, ensure_demo_cases
from tandem.site.demo.history import HISTORY_CASES, ensure_demo_history
from tandem.site.demo.matching import ensure_demo_matches
from tandem.site.demo.meetings import ensure_demo_meetings
from tandem.site.demo.mentors import DEMO_MENTORS, ensure_demo_mentors
from tandem.site.demo.outcomes import ensure_demo_outcomes
from tandem.site.demo.privacy import ensure_demo_privacy
from tandem.site.demo.rehabilitation import ensure_demo_rehabilitation
from tandem.site.demo.safeguarding import ensure_demo_safeguarding
from tandem.site.demo.supervision import ensure_demo_supervision


class Command(BaseCommand):
    help = "Create Tandem's demo data. Idempotent: running it again changes nothing."

    def handle(self, *args, **options):
        if not getattr(settings, "TANDEM_ALLOW_DEMO_DATA", False):
            raise CommandError("Demo data is disabled in these settings (never in production).")
        created = ensure_demo_users()
        self.stdout.write(f"Demo users created: {created} (of {len(DEMO_USERS)}).")
        mentors = ensure_demo_mentors()
        self.stdout.write(f"Demo mentors created: {mentors} (of {len(DEMO_MENTORS)}).")
        cases = ensure_demo_cases()
        self.stdout.write(f"Demo cases created: {cases} (of {len(DEMO_CASES)}).")
        self.stdout.write(f"Demo matches created: {ensure_demo_matches()}.")
        meetings = ensure_demo_meetings()
        self.stdout.write(
            f"Demo sessions created: {meetings.sessions} (with {meetings.claims} claims, "
            f"{meetings.briefs} meeting briefs and {meetings.questions} advice questions)."
        )
        self.stdout.write(f"Demo safeguarding concerns created: {ensure_demo_safeguarding()}.")
        self.stdout.write(
            f"Demo cases on the rehabilitation pathway: {ensure_demo_rehabilitation()}."
        )
        supervision = ensure_demo_supervision()
        self.stdout.write(
            f"Demo supervisions created: {supervision.records} (with {supervision.checkins} "
            "wellbeing check-ins)"
            + (f"; supervision overdue: {supervision.overdue}." if supervision.overdue else ".")
        )
        self.stdout.write(f"Demo questionnaire answers created: {ensure_demo_outcomes()}.")
        history = ensure_demo_history()
        self.stdout.write(
            f"Demo history of closed cases created: {history.cases} (of {len(HISTORY_CASES)}; "
            f"with {history.matches} matches, {history.sessions} sessions and "
            f"{history.answers} questionnaire answers)."
        )
        self.stdout.write(f"Demo disclosures logged by hand or release: {ensure_demo_privacy()}.")
        self.stdout.write("")
        self.stdout.write("Sign in at http://127.0.0.1:8000 with any of these accounts.")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write("Add the TOTP secret to an authenticator app, or get the current")
        self.stdout.write(
            "code with: make code EMAIL=<email>  (python manage.py totp_code <email>)"
        )
        self.stdout.write("")
        width = max(len(spec.email) for spec in DEMO_USERS)
        for spec in DEMO_USERS:
            roles = ", ".join(str(r.label) for r in spec.roles)
            self.stdout.write(f"  {spec.email:<{width}}  {spec.totp_secret}  {roles}")
