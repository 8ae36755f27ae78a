"""Every change to a payment claim, its receipts and the scheme's claim rates.

A claim belongs to one session (the database refuses a second). The mentor writes it
as a draft, then submits the month's drafts in one action; the rates in force at
that moment are copied onto each claim, so later changes to the rates never change
what was claimed. A coordinator approves it, queries it (back to the mentor, who
edits and submits again) or rejects it, with a reason for the last two. Each change
checks the version the actor saw (optimistic concurrency), is audited in the same
transaction, and notifies the other side when it commits. No amount, reason or note
goes into a notification or the audit log.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.selectors import active_coordinators
from tandem.audit.services import record_event, record_view
from tandem.core.links import url_if_installed
from tandem.core.notifications import notify
from tandem.mentors.matchability import current_accreditation
from tandem.mentors.models import AccreditationLevel, Mentor

from ..models import (
    Claim,
    ClaimRate,
    ClaimStatus,
    Receipt,
    Session,
    SessionStatus,
)
from ..receipts import CheckedReceipt
from ..selectors.claims import claimable_statuses

EDITABLE = (ClaimStatus.DRAFT, ClaimStatus.QUERIED)
SUBMITTABLE = EDITABLE
CLAIM_FIELDS = ("session_hours", "travel_hours", "miles", "expenses", "expenses_note")


class ClaimRefused(Exception):
    """The change cannot be made; the message says why and is safe to show."""


class Decision:
    APPROVE = "approve"
    QUERY = "query"
    REJECT = "reject"
    STATUS = {
        APPROVE: ClaimStatus.APPROVED,
        QUERY: ClaimStatus.QUERIED,
        REJECT: ClaimStatus.REJECTED,
    }


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def rates_for(mentor: Mentor, on: dt.date) -> tuple[Decimal, Decimal]:
    """The hourly and mileage rates of the level the mentor held on ``on``; nothing for a
    mentor without a current accreditation (they claim expenses only)."""
    accreditation = current_accreditation(mentor, on)
    if accreditation is None:
        return Decimal("0.00"), Decimal("0.00")
    rate = ClaimRate.objects.filter(level_id=accreditation.level_id).first()
    if rate is None:
        return Decimal("0.00"), Decimal("0.00")
    return rate.hourly_rate, rate.mileage_rate


def _coordinator_message(text: str, month: dt.date) -> None:
    notify(
        users=active_coordinators(),
        message=text,
        link=url_if_installed("meetings:claim_queue") + f"?month={month:%Y-%m}",
    )


def _mentor_users(mentor: Mentor) -> list:
    user = mentor.user
    return [user] if user is not None and user.is_active else []


def _add_receipts(claim: Claim, receipts: Iterable[CheckedReceipt]) -> int:
    added = 0
    for receipt in receipts:
        Receipt.objects.create(
            claim=claim,
            filename=receipt.filename,
            content_type=receipt.content_type,
            size=receipt.size,
            content=receipt.encoded,
        )
        added += 1
    return added


def _lock(claim: Claim, expected_version: int | None, *statuses: str) -> Claim:
    locked = Claim.objects.select_for_update().select_related("mentor", "session").get(pk=claim.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ClaimRefused(
            "Someone else changed this claim while you were looking at it. The page now "
            "shows it as it is; check it and try again."
        )
    if statuses and locked.status not in statuses:
        raise ClaimRefused(
            f"This claim is now “{locked.get_status_display().lower()}”, so that is no longer "
            "possible. The page shows it as it is now."
        )
    return locked


@transaction.atomic
def claim_create(
    *,
    actor,
    session: Session,
    session_hours: Decimal,
    travel_hours: Decimal,
    miles: Decimal,
    expenses: Decimal,
    expenses_note: str = "",
    receipts: Iterable[CheckedReceipt] = (),
    request=None,
) -> Claim:
    """A draft claim for ``session`` by the session's mentor."""
    session = Session.objects.select_related("mentor").get(pk=session.pk)
    if session.status not in claimable_statuses():
        raise ClaimRefused(
            "Only a held session can be claimed for"
            + (
                ", or one the person did not attend."
                if SessionStatus.DID_NOT_ATTEND in claimable_statuses()
                else "."
            )
        )
    if session.starts_at > timezone.now():
        raise ClaimRefused("A session that has not happened yet cannot be claimed for.")
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                session=session,
                mentor=session.mentor,
                month=month_of(timezone.localtime(session.starts_at).date()),
                session_hours=session_hours,
                travel_hours=travel_hours,
                miles=miles,
                expenses=expenses,
                expenses_note=expenses_note.strip(),
            )
    except IntegrityError:
        raise ClaimRefused(
            "There is already a claim for this session: each session can be claimed once. "
            "Open that claim from your claims to change it."
        ) from None
    added = _add_receipts(claim, receipts)
    record_event(
        actor=actor,
        action="claim.create",
        obj=claim,
        request=request,
        changed_fields=[*CLAIM_FIELDS, *(["receipts"] if added else [])],
    )
    return claim


@transaction.atomic
def claim_update(
    *,
    actor,
    claim: Claim,
    expected_version: int,
    session_hours: Decimal,
    travel_hours: Decimal,
    miles: Decimal,
    expenses: Decimal,
    expenses_note: str = "",
    receipts: Iterable[CheckedReceipt] = (),
    remove_receipts: Iterable[int] = (),
    request=None,
) -> Claim:
    """Change a draft or queried claim (a queried claim stays queried until submitted)."""
    claim = _lock(claim, expected_version, *EDITABLE)
    values = {
        "session_hours": session_hours,
        "travel_hours": travel_hours,
        "miles": miles,
        "expenses": expenses,
        "expenses_note": expenses_note.strip(),
    }
    changed = [name for name, value in values.items() if getattr(claim, name) != value]
    for name, value in values.items():
        setattr(claim, name, value)
    removed, _ = Receipt.objects.filter(claim=claim, pk__in=list(remove_receipts)).delete()
    added = _add_receipts(claim, receipts)
    if removed or added:
        changed.append("receipts")
    claim.version += 1
    claim.save(update_fields=[*values, "version"])
    record_event(
        actor=actor, action="claim.change", obj=claim, request=request, changed_fields=changed
    )
    return claim


@transaction.atomic
def claims_submit(*, actor, mentor: Mentor, month: dt.date, request=None) -> list[Claim]:
    """Submit every draft and queried claim of ``mentor`` for ``month`` in one action,
    with the rates in force now for the level the mentor held on each session's date."""
    month = month_of(month)
    claims = list(
        Claim.objects.select_for_update()
        .select_related("session")
        .filter(mentor=mentor, month=month, status__in=SUBMITTABLE)
        .order_by("pk")
    )
    if not claims:
        raise ClaimRefused(f"You have no draft or queried claims for {month:%B %Y} to submit.")
    mentor = Mentor.objects.prefetch_related("accreditations__level").get(pk=mentor.pk)
    rates = {
        rate.level_id: (rate.hourly_rate, rate.mileage_rate) for rate in ClaimRate.objects.all()
    }
    now = timezone.now()
    for claim in claims:
        accreditation = current_accreditation(
            mentor, timezone.localtime(claim.session.starts_at).date()
        )
        hourly, mileage = rates.get(
            accreditation.level_id if accreditation else None, (Decimal("0"), Decimal("0"))
        )
        claim.hourly_rate, claim.mileage_rate = hourly, mileage
        claim.status = ClaimStatus.SUBMITTED
        claim.submitted_at = now
        claim.version += 1
        claim.save(
            update_fields=["hourly_rate", "mileage_rate", "status", "submitted_at", "version"]
        )
        record_event(
            actor=actor,
            action="claim.submit",
            obj=claim,
            request=request,
            changed_fields=["status", "hourly_rate", "mileage_rate", "submitted_at"],
        )
    count = len(claims)
    _coordinator_message(
        f"{mentor.full_name} submitted {count} claim{'s' if count != 1 else ''} for {month:%B %Y}.",
        month,
    )
    return claims


@transaction.atomic
def claim_decide(
    *, actor, claim: Claim, decision: str, reason: str = "", expected_version: int, request=None
) -> Claim:
    """Approve, query or reject a submitted claim; a query or rejection needs a reason."""
    if decision not in Decision.STATUS:
        raise ClaimRefused("Choose whether to approve, query or reject the claim.")
    reason = (reason or "").strip()
    if decision != Decision.APPROVE and not reason:
        raise ClaimRefused("Give the reason, so that the mentor knows what to do.")
    claim = _lock(claim, expected_version, ClaimStatus.SUBMITTED)
    if claim.mentor.user_id is not None and claim.mentor.user_id == actor.pk:
        raise ClaimRefused("You cannot decide your own claim: another coordinator must.")
    claim.status = Decision.STATUS[decision]
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.decision_reason = reason
    claim.version += 1
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "version"])
    record_event(
        actor=actor,
        action=f"claim.{decision}",
        obj=claim,
        request=request,
        changed_fields=["status", *(["decision_reason"] if reason else [])],
    )
    words = {
        Decision.APPROVE: "was approved",
        Decision.QUERY: "was queried: change it and submit it again",
        Decision.REJECT: "was rejected",
    }[decision]
    held_on = timezone.localtime(claim.session.starts_at)
    notify(
        users=_mentor_users(claim.mentor),
        message=f"Your claim for the session on {held_on:%d %B %Y} {words}.",
        link=url_if_installed("meetings:claim_detail", pk=claim.pk),
    )
    return claim


@transaction.atomic
def claim_list_audit(*, actor, month: dt.date | None = None, status: str = "", request=None):
    """Audit a list of claims: a mentor's own, or the coordinators' queue for ``month``
    (with the status it was narrowed to, by name only)."""
    record_event(
        actor=actor,
        action="claim.list",
        object_type="meetings.claim",
        object_id=f"{month:%Y-%m}" if month else None,
        changed_fields=["status"] if status else [],
        request=request,
    )


@transaction.atomic
def receipt_read(*, actor, receipt: Receipt, request=None) -> bytes:
    """The receipt's file, its reading audited."""
    record_view(actor=actor, obj=receipt, request=request, reason="receipt download")
    return base64.b64decode(receipt.content)


@transaction.atomic
def claim_rates_update(
    *,
    actor,
    rates: Mapping[AccreditationLevel, tuple[Decimal, Decimal]],
    request=None,
) -> list[ClaimRate]:
    """Set the hourly and mileage rate of each level. Claims already submitted keep
    the rates they were submitted with."""
    changed_rates = []
    for level, (hourly, mileage) in rates.items():
        rate, created = ClaimRate.objects.select_for_update().get_or_create(level=level)
        changed = [
            name
            for name, value in (("hourly_rate", hourly), ("mileage_rate", mileage))
            if created or getattr(rate, name) != value
        ]
        if not changed:
            continue
        rate.hourly_rate, rate.mileage_rate = hourly, mileage
        rate.save()
        record_event(
            actor=actor,
            action="claim_rate.change",
            obj=rate,
            request=request,
            changed_fields=changed,
        )
        changed_rates.append(rate)
    return changed_rates


@transaction.atomic
def claims_export_record(*, actor, month: dt.date, file_format: str, count: int, request=None):
    """Audit an export of a month's approved claims (the month and format, no content)."""
    record_event(
        actor=actor,
        action=f"claim.export_{file_format}",
        object_type="meetings.claim",
        object_id=f"{month:%Y-%m}",
        reason=f"{count} approved claims for finance",
        request=request,
    )
