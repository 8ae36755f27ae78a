"""List what the retention schedule says is due (cases, mentors, claims, and how many
audit events are past their period); with --apply and the officer's approval, erase the
cases and mentors and anonymise the claims. A dry run by default. Audit events are only
counted: they are links in the hash chain and are never deleted."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tandem.accounts.models import User
from tandem.privacy import retention


class Command(BaseCommand):
    help = (
        "List what the retention schedule says is due (a dry run by default). With --apply "
        "and --approved-by the data-protection officer's email, erase each due case and "
        "mentor not under a legal hold and anonymise the claims past the finance period."
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
        mentors = retention.mentors_due()
        claims = retention.claims_due()
        if not (due or mentors or any(c.count - c.held for c in claims)):
            self.stdout.write("Nothing is due under the retention schedule.")
        for item in due:
            line = (
                f"{item.case.reference}  {item.rule.code}  since "
                f"{item.since:%Y-%m-%d}  then {item.rule.action}"
            )
            self._apply(
                line,
                item.held,
                approver
                and (lambda i=item: retention.case_erase(actor=approver, case=i.case, rule=i.rule)),
            )
        for item in mentors:
            line = (
                f"mentor {item.mentor.pk}  {item.rule.code}  since "
                f"{item.since:%Y-%m-%d}  then {item.rule.action}"
            )
            self._apply(
                line,
                item.held,
                approver
                and (
                    lambda i=item: retention.mentor_erase(
                        actor=approver, mentor=i.mentor, rule=i.rule
                    )
                ),
            )
        for year in claims:
            held = f" ({year.held} of mentors under a legal hold, kept)" if year.held else ""
            self.stdout.write(
                f"claims {year.label}  {year.rule.code}  {year.count} past the finance "
                f"period{held}  then {year.rule.action}"
            )
        if claims and approver is not None:
            try:
                done = retention.claims_anonymise(actor=approver)
            except retention.RetentionRefused as refusal:
                self.stdout.write(f"claims  not done: {refusal}")
            else:
                self.stdout.write(f"claims  done: {done} anonymised")
        audit = retention.audit_due()
        if audit is not None:
            if audit.count:
                self.stdout.write(
                    f"audit events  {audit.rule.code}  {audit.count} older than "
                    f"{audit.rule.period_months} months, the oldest from "
                    f"{audit.oldest:%Y-%m-%d}  then review: kept, the hash chain needs "
                    "every link"
                )
            else:
                self.stdout.write(
                    f"audit events  {audit.rule.code}  none older than "
                    f"{audit.rule.period_months} months"
                )
        for rule in retention.review_rules():
            self.stdout.write(
                f"Review by hand: {rule.kind} ({rule.period_months} months from "
                f"{rule.starts_from})."
            )
        pending = any(not i.held for i in [*due, *mentors]) or any(c.count - c.held for c in claims)
        if not apply and pending:
            self.stdout.write("Dry run: nothing was changed. Add --apply --approved-by EMAIL.")

    def _apply(self, line: str, held: bool, erase) -> None:
        if held:
            self.stdout.write(f"{line}  HELD: under a legal hold, kept")
            return
        if not erase:
            self.stdout.write(f"{line}  due")
            return
        try:
            erase()
        except retention.RetentionRefused as refusal:
            self.stdout.write(f"{line}  not done: {refusal}")
        else:
            self.stdout.write(f"{line}  done")
