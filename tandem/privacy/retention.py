"""The retention schedule applied: which cases are due, and erasing them.

A rule's ``code`` says which records it selects (``CASE_RULES``); rules for kinds of
record this module does not select yet (mentors, claims, audit events) are listed for
the officer to review by hand. Erasure destroys the person's data key (every value
encrypted for them, in every table, becomes unreadable), blanks their blind indexes,
and for "anonymise" also blanks the plain fields that could still point to them. The
case row stays with its status, dates, concern type and area, so reports still add up.
Every step is one audited transaction; the audit chain stays verifiable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.cases.models import Case, CaseStatus
from tandem.core.encryption import destroy_subject_key
from tandem.safeguarding.models import Concern

from .models import (
    Erasure,
    ErasureDecision,
    ErasureRequest,
    LegalHold,
    RetentionAction,
    RetentionRule,
)

# rule code → the case statuses it applies to (measured from the last status change)
CASE_RULES: dict[str, frozenset[str]] = {
    "referral-not-taken-forward": frozenset({CaseStatus.NOT_SUITABLE, CaseStatus.CONSENT_DECLINED}),
    "closed-case": frozenset(
        {CaseStatus.CLOSED, CaseStatus.CONSENT_WITHDRAWN, CaseStatus.ESCALATED}
    ),
}


class RetentionRefused(Exception):
    """The step cannot be taken; the message says why and is safe to show."""


@dataclass(frozen=True)
class Due:
    case: Case
    rule: RetentionRule
    since: dt.datetime
    held: bool


def due(*, now: dt.datetime | None = None) -> list[Due]:
    """Every case past its rule's period and not yet erased, held ones marked."""
    now = now or timezone.now()
    held = set(LegalHold.objects.filter(lifted_at__isnull=True).values_list("case_id", flat=True))
    found: list[Due] = []
    for rule in RetentionRule.objects.filter(code__in=CASE_RULES):
        cutoff = now - relativedelta(months=rule.period_months)
        cases = (
            Case.objects.filter(
                status__in=CASE_RULES[rule.code],
                status_changed_at__lte=cutoff,
                erasure__isnull=True,
            )
            .only("pk", "reference", "status", "status_changed_at")
            .order_by("status_changed_at", "pk")
        )
        found += [Due(c, rule, c.status_changed_at, c.pk in held) for c in cases]
    return found


def review_rules() -> list[RetentionRule]:
    """Rules this module does not apply: the officer reviews those records by hand."""
    return list(RetentionRule.objects.exclude(code__in=CASE_RULES))


@transaction.atomic
def case_erase(
    *, actor, case: Case, rule: RetentionRule | None, request=None, why: str = ""
) -> Erasure:
    """Erase one case's person as ``rule`` says (or, with no rule, at their request),
    approved by ``actor`` (the officer)."""
    if "data_protection_officer" not in actor.roles:
        raise RetentionRefused("Only the data-protection officer approves erasure.")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if LegalHold.objects.filter(case=locked, lifted_at__isnull=True).exists():
        raise RetentionRefused(f"{locked.reference} is under a legal hold.")
    if Erasure.objects.filter(case=locked).exists():
        raise RetentionRefused(f"{locked.reference} has already been erased.")
    action = rule.action if rule is not None else RetentionAction.ERASE
    if action == RetentionAction.REVIEW:
        raise RetentionRefused("This rule asks for a review, not an erasure.")
    destroy_subject_key(subject_type="client", subject_id=str(locked.record_uuid))
    blanks = {"identity_index": "", "name_index": ""}
    if action == RetentionAction.ANONYMISE:
        blanks |= {"guardian_relationship": "", "referrer_organisation": "Withheld"}
    Case.objects.filter(pk=locked.pk).update(**blanks)
    erasure = Erasure.objects.create(case=locked, rule=rule, action=action, approved_by=actor)
    record_event(
        actor=actor,
        action=f"retention.{action}",
        obj=locked,
        reason=rule.code if rule is not None else why,
        changed_fields=[*sorted(blanks), "data_key"],
        request=request,
    )
    return erasure


@transaction.atomic
def hold_place(*, actor, case: Case, reason: str, request=None) -> LegalHold:
    reason = (reason or "").strip()
    if not reason:
        raise RetentionRefused("Enter the reason for the hold.")
    if len(reason) > 300:
        raise RetentionRefused("Keep the reason to 300 characters or fewer.")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if LegalHold.objects.filter(case=locked, lifted_at__isnull=True).exists():
        raise RetentionRefused("The case is already under a legal hold.")
    hold = LegalHold.objects.create(case=locked, reason=reason, placed_by=actor)
    record_event(
        actor=actor,
        action="legal_hold.place",
        obj=locked,
        changed_fields=["legal_hold"],
        request=request,
    )
    return hold


@transaction.atomic
def hold_lift(*, actor, case: Case, request=None) -> LegalHold:
    hold = LegalHold.objects.select_for_update().filter(case=case, lifted_at__isnull=True).first()
    if hold is None:
        raise RetentionRefused("The case is not under a legal hold.")
    hold.lifted_by = actor
    hold.lifted_at = timezone.now()
    hold.save(update_fields=["lifted_by", "lifted_at"])
    record_event(
        actor=actor,
        action="legal_hold.lift",
        obj=case,
        changed_fields=["legal_hold"],
        request=request,
    )
    return hold


def schedule_markdown(rules=None) -> str:
    """The schedule as the table in docs/data-protection.md (``retention_review
    --table`` prints it; a test keeps the page in step with the default schedule)."""
    rules = list(RetentionRule.objects.all()) if rules is None else rules
    lines = [
        "| kind of record | kept for | from | then | why |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.kind} | {r.period_months} months | {r.starts_from} | "
        f"{r.get_action_display()}{'' if r.code in CASE_RULES else ' (by hand)'} | {r.reason} |"
        for r in rules
    ]
    return "\n".join(lines) + "\n"


# Erasure at the person's request -----------------------------------------------------------

OPEN_CONCERN = frozenset({"raised", "acknowledged", "actioned", "escalated", "resolved"})


def erasure_blocked(case: Case) -> str | None:
    """Why erasing ``case`` now is refused, or None."""
    if Concern.objects.filter(case=case, status__in=OPEN_CONCERN).exists():
        return (
            "A safeguarding concern about the person is still open: safeguarding "
            "retention applies until it is closed."
        )
    if LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists():
        return "The case is under a legal hold."
    if Erasure.objects.filter(case=case).exists():
        return "The person has already been erased."
    return None


@transaction.atomic
def erasure_request_decide(
    *, actor, case: Case, received_on: dt.date, decision: str, reasons: str, request=None
):
    if "data_protection_officer" not in actor.roles:
        raise RetentionRefused("Only the data-protection officer decides erasure requests.")
    if decision not in ErasureDecision.values:
        raise RetentionRefused("Select whether to erase or refuse.")
    if received_on > timezone.localdate():
        raise RetentionRefused("The date received must be today or in the past.")
    reasons = (reasons or "").strip()
    if not reasons:
        raise RetentionRefused("Enter the reasons for the decision.")
    if len(reasons) > 500:
        raise RetentionRefused("Keep the reasons to 500 characters or fewer.")
    if decision == ErasureDecision.ERASE and (blocked := erasure_blocked(case)):
        raise RetentionRefused(f"Erasure is refused: {blocked}")
    made = ErasureRequest.objects.create(
        case=case,
        received_on=received_on,
        decision=decision,
        reasons=reasons,
        decided_by=actor,
    )
    record_event(
        actor=actor,
        action="erasure_request.decide",
        obj=case,
        reason=decision,
        changed_fields=["decision", "reasons"],
        request=request,
    )
    if decision == ErasureDecision.ERASE:
        case_erase(actor=actor, case=case, rule=None, request=request, why="erasure-request")
    return made
