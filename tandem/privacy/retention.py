"""The retention schedule applied: which records are due, and erasing them.

A rule's ``code`` says which records it selects: cases (``CASE_RULES``), mentors
(``MENTOR_RULES``: applicants who did not progress, former mentors), claims
(``CLAIMS_RULE``) and audit events (``AUDIT_RULE``). Erasure destroys the person's data
key (every value encrypted for them, in every table, becomes unreadable), blanks their
blind indexes, and blanks the plain fields that could still point to them. The case or
mentor row stays with its status, dates and coarse facts, so reports still add up.
Claims past the finance period lose their personal text and receipts and keep their
amounts. Audit events are never erased: each is a link in the hash chain, so the rule
for them is a review that counts what is past the period. Every step is one audited
transaction whose event names ids and fields, never a person; the chain stays
verifiable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone
from django_otp import devices_for_user

from tandem.accounts.models import RoleGrant, User
from tandem.accounts.services import user_sessions_end
from tandem.audit.models import AuditEvent
from tandem.audit.services import record_event
from tandem.cases.models import Case, CaseStatus
from tandem.core.encryption import destroy_subject_key
from tandem.core.models import Notification
from tandem.matching.models import Match
from tandem.meetings.models import Claim, Receipt
from tandem.mentors.models import (
    Accreditation,
    ConflictDeclaration,
    Mentor,
    MentorSpecialism,
    MentorStatus,
    ProfileChangeRequest,
    StatusChange,
    VettingCheck,
)
from tandem.safeguarding.lifecycle import OPEN as OPEN_CONCERN_STATUSES
from tandem.safeguarding.models import Concern

from .models import (
    ClaimAnonymisation,
    Erasure,
    ErasureDecision,
    ErasureRequest,
    LegalHold,
    MentorErasure,
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
# rule code → whether it selects mentors who were once accredited (active), measured from
# their leaving: applicants who stopped or were turned down, and former mentors.
MENTOR_RULES: dict[str, bool] = {"mentor-applicant": False, "former-mentor": True}
CLAIMS_RULE = "claims"
AUDIT_RULE = "audit-events"
APPLIED_RULES = frozenset({*CASE_RULES, *MENTOR_RULES, CLAIMS_RULE, AUDIT_RULE})


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
    held = set(
        LegalHold.objects.filter(lifted_at__isnull=True, case__isnull=False).values_list(
            "case_id", flat=True
        )
    )
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
    """Rules this module does not select records for: the officer reviews them by hand."""
    return list(RetentionRule.objects.exclude(code__in=APPLIED_RULES))


def _officer(actor) -> None:
    if "data_protection_officer" not in actor.roles:
        raise RetentionRefused("Only the data-protection officer approves erasure.")


# Mentors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MentorDue:
    mentor: Mentor
    rule: RetentionRule
    since: dt.datetime
    held: bool


def held_mentor_ids() -> set[int]:
    return set(
        LegalHold.objects.filter(lifted_at__isnull=True, mentor__isnull=False).values_list(
            "mentor_id", flat=True
        )
    )


# The statuses of someone who was a mentor, not only an applicant.
SERVED = (MentorStatus.ACTIVE, MentorStatus.PAUSED, MentorStatus.SUSPENDED)


def _was_mentor() -> Q:
    """Who was ever a mentor rather than only an applicant: any move into or out of an
    accredited status, any accreditation, or any match. Any one of them is enough, so a
    record whose history is incomplete (imported, made before status changes were kept)
    is kept for the longer period, never erased early."""
    return (
        Q(Exists(StatusChange.objects.filter(mentor=OuterRef("pk"), to_status__in=SERVED)))
        | Q(Exists(StatusChange.objects.filter(mentor=OuterRef("pk"), from_status__in=SERVED)))
        | Q(Exists(Accreditation.objects.filter(mentor=OuterRef("pk"))))
        | Q(Exists(Match.objects.filter(mentor=OuterRef("pk"))))
    )


def mentors_due(*, now: dt.datetime | None = None) -> list[MentorDue]:
    """Every mentor who left (an applicant who did not progress, or a former mentor) and
    whose leaving is older than the rule's period, not yet erased; held ones marked."""
    now = now or timezone.now()
    held = held_mentor_ids()
    found: list[MentorDue] = []
    for rule in RetentionRule.objects.filter(code__in=MENTOR_RULES):
        cutoff = now - relativedelta(months=rule.period_months)
        mentors = (
            Mentor.objects.filter(
                _was_mentor() if MENTOR_RULES[rule.code] else ~_was_mentor(),
                status=MentorStatus.LEFT,
                status_changed_at__lte=cutoff,
                erasure__isnull=True,
            )
            .only("pk", "status", "status_changed_at")
            .order_by("status_changed_at", "pk")
        )
        found += [MentorDue(m, rule, m.status_changed_at, m.pk in held) for m in mentors]
    return found


def erased_mentor_label(mentor_id: int) -> str:
    return f"Erased mentor {mentor_id}"


@transaction.atomic
def mentor_erase(*, actor, mentor: Mentor, rule: RetentionRule | None, request=None):
    """Erase a mentor who has left, as ``rule`` says, approved by ``actor`` (the officer).

    The mentor's key is destroyed (phone, motivation, backgrounds, vetting references,
    observation notes, feedback, conflicts, supervision notes, claim notes and receipts
    encrypted under it become unreadable); the plain fields that name or describe them
    are blanked, their conflicts' blind indexes too; receipts are deleted; their sign-in
    account is deactivated, its roles and sessions ended and its name and email replaced
    by a placeholder. The row keeps its status, dates, gender and age band, areas,
    languages, specialisms, accreditations and counts, so the pool's reports add up."""
    _officer(actor)
    locked = Mentor.objects.select_for_update().get(pk=mentor.pk)
    if LegalHold.objects.filter(mentor=locked, lifted_at__isnull=True).exists():
        raise RetentionRefused(f"Mentor {locked.pk} is under a legal hold.")
    if MentorErasure.objects.filter(mentor=locked).exists():
        raise RetentionRefused(f"Mentor {locked.pk} has already been erased.")
    if locked.status != MentorStatus.LEFT:
        raise RetentionRefused("Only a mentor who has left the scheme is erased.")
    if Concern.objects.filter(mentor=locked, status__in=OPEN_CONCERN_STATUSES).exists():
        raise RetentionRefused(
            f"A safeguarding concern about mentor {locked.pk} is still open: safeguarding "
            "retention applies until it is closed."
        )
    action = rule.action if rule is not None else RetentionAction.ERASE
    if action == RetentionAction.REVIEW:
        raise RetentionRefused("This rule asks for a review, not an erasure.")
    destroy_subject_key(subject_type="mentor", subject_id=str(locked.record_uuid))
    placeholder = erased_mentor_label(locked.pk)
    Mentor.objects.filter(pk=locked.pk).update(
        full_name=placeholder,
        email=f"erased-mentor-{locked.pk}@erased.invalid",
        gender_self_description="",
        updated_at=timezone.now(),
    )
    StatusChange.objects.filter(mentor=locked).update(reason="")
    MentorSpecialism.objects.filter(mentor=locked).update(evidence="", qualification="")
    checks = VettingCheck.objects.filter(mentor=locked)
    checks.update(verifier="")
    checks.exclude(failure_reason="").update(failure_reason="[erased]")
    accreditations = Accreditation.objects.filter(mentor=locked)
    accreditations.update(note="")
    accreditations.exclude(revoked_reason="").update(revoked_reason="[erased]")
    ConflictDeclaration.objects.filter(mentor=locked).update(name_index="")
    ProfileChangeRequest.objects.filter(mentor=locked).update(decision_reason="")
    Receipt.objects.filter(claim__mentor=locked).delete()
    # In-app messages to staff name the mentor ("… needs a debrief"): they go.
    if locked.full_name.strip():
        Notification.objects.filter(message__contains=locked.full_name).delete()
    erasure = MentorErasure.objects.create(
        mentor=locked, rule=rule, action=action, approved_by=actor
    )
    changed = [
        "conflicts.name_index",
        "data_key",
        "email",
        "full_name",
        "notifications",
        "receipts",
    ]
    if locked.user_id is not None:
        _scrub_account(actor=actor, user_id=locked.user_id, request=request)
        changed.append("user")
    record_event(
        actor=actor,
        action=f"retention.{action}",
        obj=locked,
        reason=rule.code if rule is not None else "mentor",
        changed_fields=changed,
        request=request,
    )
    return erasure


def _scrub_account(*, actor, user_id: int, request=None) -> None:
    """The erased mentor's sign-in account: no roles, sessions, notifications or
    authenticator devices, inactive, and a placeholder for the name and email (the row
    stays: audit events point to it)."""
    user = User.objects.select_for_update().get(pk=user_id)
    RoleGrant.objects.filter(user=user).delete()
    user_sessions_end(user=user)
    Notification.objects.filter(user=user).delete()
    for device in devices_for_user(user, confirmed=None):  # named by the person, perhaps
        device.delete()
    User.objects.filter(pk=user.pk).update(
        full_name=f"Erased account {user.pk}",
        email=f"erased-user-{user.pk}@erased.invalid",
        is_active=False,
        deactivated_at=user.deactivated_at or timezone.now(),
        password="!",
    )
    record_event(
        actor=actor,
        action="user.erase",
        obj=user,
        changed_fields=["devices", "email", "full_name", "is_active", "roles"],
        request=request,
    )


# Claims ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimsDue:
    rule: RetentionRule
    year_end: dt.date  # the 31 March the financial year ended on
    count: int
    held: int  # of those, claims of mentors under a legal hold (kept)

    @property
    def label(self) -> str:
        return f"{self.year_end.year - 1}-{self.year_end:%y}"


def _claims_cutoff(rule: RetentionRule, now: dt.datetime) -> dt.date:
    """The first day of the earliest financial year (1 April) not yet past the period:
    claims for months before it are due."""
    cutoff = timezone.localtime(now).date() - relativedelta(months=rule.period_months)
    last_end = dt.date(
        cutoff.year if cutoff >= dt.date(cutoff.year, 3, 31) else cutoff.year - 1, 3, 31
    )
    return last_end + dt.timedelta(days=1)


def _due_claims(rule: RetentionRule, now: dt.datetime):
    return Claim.objects.filter(
        month__lt=_claims_cutoff(rule, now), anonymisation__isnull=True
    ).order_by("month", "pk")


def claims_due(*, now: dt.datetime | None = None) -> list[ClaimsDue]:
    """The claims past the finance period not yet anonymised, by financial year."""
    now = now or timezone.now()
    rule = RetentionRule.objects.filter(code=CLAIMS_RULE).first()
    if rule is None:
        return []
    held = held_mentor_ids()
    years: dict[dt.date, list[int]] = {}
    for month, mentor_id in _due_claims(rule, now).values_list("month", "mentor_id"):
        year_end = dt.date(month.year + 1 if month.month >= 4 else month.year, 3, 31)
        counts = years.setdefault(year_end, [0, 0])
        counts[0] += 1
        counts[1] += mentor_id in held
    return [ClaimsDue(rule, end, n, h) for end, (n, h) in sorted(years.items())]


@transaction.atomic
def claims_anonymise(*, actor, now: dt.datetime | None = None, request=None) -> int:
    """Anonymise every claim past the finance period (not those of held mentors): the
    note on expenses and the decision's reasons blanked, receipts deleted; the amounts,
    rates, month and status stay for the scheme's totals. Returns how many."""
    _officer(actor)
    now = now or timezone.now()
    rule = RetentionRule.objects.get(code=CLAIMS_RULE)
    if rule.action == RetentionAction.REVIEW:
        raise RetentionRefused("This rule asks for a review, not an anonymisation.")
    claims = list(
        _due_claims(rule, now).exclude(mentor__in=held_mentor_ids()).select_related("mentor")
    )
    for claim in claims:
        Receipt.objects.filter(claim=claim).delete()
        if not claim.subject_erased:
            claim.expenses_note = ""
            claim.decision_reason = ""
            claim.save(update_fields=["expenses_note", "decision_reason"])
    ClaimAnonymisation.objects.bulk_create(
        ClaimAnonymisation(claim=claim, rule=rule, approved_by=actor) for claim in claims
    )
    if claims:
        record_event(
            actor=actor,
            action="retention.anonymise_claims",
            object_type="meetings.claim",
            reason=f"{rule.code}: {len(claims)} claims",
            changed_fields=["decision_reason", "expenses_note", "receipts"],
            request=request,
        )
    return len(claims)


# Audit events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditDue:
    rule: RetentionRule
    count: int
    oldest: dt.datetime | None


def audit_due(*, now: dt.datetime | None = None) -> AuditDue | None:
    """How many audit events are older than the period, and the oldest one's time. They
    are reviewed, never deleted: every event is a link in the hash chain, and removing
    one would make ``audit_verify`` fail for every event after it."""
    now = now or timezone.now()
    rule = RetentionRule.objects.filter(code=AUDIT_RULE).first()
    if rule is None:
        return None
    past = AuditEvent.objects.filter(
        occurred_at__lte=now - relativedelta(months=rule.period_months)
    )
    summary = past.aggregate(oldest=Min("occurred_at"))
    return AuditDue(rule, past.count(), summary["oldest"])


@transaction.atomic
def case_erase(
    *, actor, case: Case, rule: RetentionRule | None, request=None, why: str = ""
) -> Erasure:
    """Erase one case's person as ``rule`` says (or, with no rule, at their request),
    approved by ``actor`` (the officer)."""
    _officer(actor)
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


def _hold_target(case: Case | None, mentor: Mentor | None) -> dict:
    if (case is None) == (mentor is None):
        raise ValueError("A legal hold is on a case or on a mentor, not both or neither.")
    if case is not None:
        return {"case": Case.objects.select_for_update().get(pk=case.pk)}
    return {"mentor": Mentor.objects.select_for_update().get(pk=mentor.pk)}


def standing_hold(*, case: Case | None = None, mentor: Mentor | None = None) -> LegalHold | None:
    where = {"case": case} if case is not None else {"mentor": mentor}
    return LegalHold.objects.filter(lifted_at__isnull=True, **where).first()


@transaction.atomic
def hold_place(
    *, actor, case: Case | None = None, mentor: Mentor | None = None, reason: str, request=None
) -> LegalHold:
    """Hold a case or a mentor: nothing about the person is erased while it stands.
    Only the officer places a hold on a mentor (a case's hold page is the officer's
    too, by the access matrix)."""
    if mentor is not None and "data_protection_officer" not in actor.roles:
        raise RetentionRefused("Only the data-protection officer places a legal hold.")
    reason = (reason or "").strip()
    if not reason:
        raise RetentionRefused("Enter the reason for the hold.")
    if len(reason) > 300:
        raise RetentionRefused("Keep the reason to 300 characters or fewer.")
    target = _hold_target(case, mentor)
    if LegalHold.objects.filter(lifted_at__isnull=True, **target).exists():
        what = "case" if case is not None else "mentor"
        raise RetentionRefused(f"The {what} is already under a legal hold.")
    if mentor is not None and MentorErasure.objects.filter(mentor=mentor).exists():
        raise RetentionRefused("The mentor has already been erased.")
    hold = LegalHold.objects.create(reason=reason, placed_by=actor, **target)
    record_event(
        actor=actor,
        action="legal_hold.place",
        obj=next(iter(target.values())),
        changed_fields=["legal_hold"],
        request=request,
    )
    return hold


@transaction.atomic
def hold_lift(
    *, actor, case: Case | None = None, mentor: Mentor | None = None, request=None
) -> LegalHold:
    if mentor is not None and "data_protection_officer" not in actor.roles:
        raise RetentionRefused("Only the data-protection officer lifts a legal hold.")
    target = _hold_target(case, mentor)
    hold = LegalHold.objects.select_for_update().filter(lifted_at__isnull=True, **target).first()
    if hold is None:
        what = "case" if case is not None else "mentor"
        raise RetentionRefused(f"The {what} is not under a legal hold.")
    hold.lifted_by = actor
    hold.lifted_at = timezone.now()
    hold.save(update_fields=["lifted_by", "lifted_at"])
    record_event(
        actor=actor,
        action="legal_hold.lift",
        obj=next(iter(target.values())),
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
        f"{r.get_action_display()}{'' if r.code in APPLIED_RULES else ' (by hand)'} | {r.reason} |"
        for r in rules
    ]
    return "\n".join(lines) + "\n"


# Erasure at the person's request -----------------------------------------------------------


def erasure_blocked(case: Case) -> str | None:
    """Why erasing ``case`` now is refused, or None."""
    if Concern.objects.filter(case=case, status__in=OPEN_CONCERN_STATUSES).exists():
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
