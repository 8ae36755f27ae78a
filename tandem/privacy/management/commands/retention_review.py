"""List the cases the retention schedule says are due; with --apply and the officer's
approval, erase them. A dry run by default."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tandem.accounts.models import User
from tandem.privacy import retention


class Command(BaseCommand):
    help = (
        "List what the retention schedule says is due (a dry run by default). With --apply "
        "and --approved-by the data-protection officer's email, erase each due case not "
        "under a legal hold."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Erase what is due.")
        parser.add_argument("--approved-by", default="", help="The officer's email address.")
        parser.add_argument(
            "--table", action="store_true", help="Print the schedule as a Markdown table."
        )

    def handle(self, *args, apply: bool, approved_by: str, table: bool = False, **options):
        if table:
            self.stdout.write(retention.schedule_markdown(), ending="")
            return
        due = retention.due()
        approver = None
        if apply:
            approver = User.objects.filter(
                email__iexact=approved_by.strip(), is_active=True
            ).first()
            if approver is None or "data_protection_officer" not in approver.roles:
                raise CommandError(
                    "--apply needs --approved-by with the email of an active "
                    "data-protection officer."
                )
        if not due:
            self.stdout.write("Nothing is due under the retention schedule.")
        for item in due:
            line = (
                f"{item.case.reference}  {item.rule.code}  since "
                f"{item.since:%Y-%m-%d}  then {item.rule.action}"
            )
            if item.held:
                self.stdout.write(f"{line}  HELD: under a legal hold, kept")
                continue
            if approver is None:
                self.stdout.write(f"{line}  due")
                continue
            try:
                retention.case_erase(actor=approver, case=item.case, rule=item.rule)
            except retention.RetentionRefused as refusal:
                self.stdout.write(f"{line}  not done: {refusal}")
            else:
                self.stdout.write(f"{line}  done")
        for rule in retention.review_rules():
            self.stdout.write(
                f"Review by hand: {rule.kind} ({rule.period_months} months from "
                f"{rule.starts_from})."
            )
        if not apply and any(not item.held for item in due):
            self.stdout.write("Dry run: nothing was changed. Add --apply --approved-by EMAIL.")
