"""Every write in safeguarding: raising a concern, moving it through its lifecycle,
changing its urgency, escalating it and recording the agency's decision, the policy,
and the scheduled deadline alerts.

Each change is audited in its own transaction and put on the case's timeline without
content ("Safeguarding concern raised (urgent)"). Notifications name the concern's
reference only and wait for the commit. Two leads acting on one concern at once cannot
both succeed: the concern is locked (``select_for_update``) and its version compared
with the one the form showed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.accounts.selectors import active_coordinators
from tandem.audit.services import record_event
from tandem.cases.models import Case
from tandem.cases.services.lifecycle import case_event_add
from tandem.core.notifications import email_users, notify
from tandem.meetings.models import Session
from tandem.mentors.models import Mentor

from . import lifecycle
from .deadlines import due_at as deadline_for
from .models import (
    Agency,
    AlertKind,
    CaseArrangement,
    Concern,
    ConcernAlert,
    ConcernCategory,
    ConcernStatus,
    ConcernStep,
    Escalation,
    EscalationMethod,
    Outcome,
    SafeguardingPolicy,
    Urgency,
)
from .signals import concern_raised


class ConcernRefused(Exception):
    """The change cannot be made; the message says why and is safe to show."""


class ConcernConflict(ConcernRefused):
    def __init__(self):
        super().__init__(
            "Someone else changed this concern while you were looking at it. "
            "Check what they did, then try again."
        )


def active_leads():
    return User.objects.filter(is_active=True, role_grants__role=Role.SAFEGUARDING_LEAD).distinct()


def _link(concern: Concern) -> str:
    return reverse("safeguarding:detail", kwargs={"pk": concern.pk})


def _tell(users, *, concern: Concern, subject: str, message: str) -> None:
    """Tell ``users`` in Tandem and by email, once the transaction commits: the concern's
    reference and what is needed, never its content."""
    users = list(users)
    notify(users=users, message=message, link=_link(concern))
    email_users(
        users=users,
        subject=subject,
        body=f"{message}\n\nSign in to Tandem and open the safeguarding concern "
        f"{concern.reference} to see it.",
    )


def _timeline(concern: Concern, *, kind: str, summary: str, actor) -> None:
    if concern.case_id:
        case_event_add(case=concern.case, kind=f"safeguarding.{kind}", summary=summary, actor=actor)


def _step(concern: Concern, *, action: str, summary: str, actor, before: str, now) -> None:
    ConcernStep.objects.create(
        concern=concern,
        action=action,
        summary=summary,
        from_status=before,
        to_status=concern.status,
        actor=actor,
        occurred_at=now,
    )


def _claim(concern: Concern, expected_version: int | None) -> Concern:
    """Lock the concern, refuse if it changed since ``expected_version``, bump the
    version. Call inside the transaction of any change."""
    locked = (
        Concern.objects.select_for_update(of=("self",))
        .select_related("case", "mentor", "category")
        .get(pk=concern.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcernConflict()
    locked.version += 1
    return locked


# Raising -------------------------------------------------------------------------------


@transaction.atomic
def concern_raise(
    *,
    actor,
    category: ConcernCategory,
    urgency: str,
    details: str,
    case: Case | None = None,
    session: Session | None = None,
    mentor: Mentor | None = None,
    request=None,
    now: dt.datetime | None = None,
) -> Concern:
    """Raise a concern about a case (from the case or one of its sessions) or, for a
    mentor, about their own safety (``mentor``, no case). The deadline follows the
    urgency and the policy."""
    now = now or timezone.now()
    details = (details or "").strip()
    if urgency not in Urgency.values:
        raise ConcernRefused("Choose how urgent the concern is.")
    if not category.is_active:
        raise ConcernRefused("Choose a category of concern.")
    if not details:
        raise ConcernRefused("Say what you saw or heard.")
    if session is not None:
        case = session.case
    if case is None and mentor is None:
        raise ConcernRefused("Choose who the concern is about.")
    concern = Concern.objects.create(
        case=case,
        session=session,
        mentor=None if case is not None else mentor,
        category=category,
        urgency=urgency,
        details=details,
        raised_by=actor,
        raised_at=now,
        due_at=deadline_for(urgency=urgency, raised_at=now, policy=SafeguardingPolicy.current()),
    )
    label = Urgency(urgency).label.lower()
    summary = f"Safeguarding concern raised ({label})"
    _step(concern, action="raise", summary=summary, actor=actor, before="", now=now)
    _timeline(concern, kind="raised", summary=summary, actor=actor)
    record_event(
        actor=actor,
        action="concern.raise",
        obj=concern,
        request=request,
        changed_fields=["category", "urgency", "details", "case", "session", "mentor"],
    )
    concern_raised.send(sender=Concern, concern=concern, actor=actor, request=request)
    _tell(
        active_leads(),
        concern=concern,
        subject=f"Tandem: a new {label} safeguarding concern, {concern.reference}",
        message=f"A new {label} safeguarding concern, {concern.reference}, needs "
        f"acknowledging by {timezone.localtime(concern.due_at):%H:%M on %d %B}.",
    )
    return concern


# The lifecycle -------------------------------------------------------------------------


def _move(
    *,
    actor,
    concern: Concern,
    action: str,
    expected_version: int | None,
    now: dt.datetime,
    request,
    changed_fields: list[str],
    summary: str = "",
    updates: dict | None = None,
) -> Concern:
    move = lifecycle.ACTIONS[action]
    locked = _claim(concern, expected_version)
    if locked.status not in move.sources:
        raise ConcernRefused(
            f"A concern that is {locked.get_status_display().lower()} cannot be "
            f"{move.summary.rsplit(' ', 1)[-1]}."
        )
    before = locked.status
    locked.status = move.target
    for name, value in (updates or {}).items():
        setattr(locked, name, value)
    locked.save()
    summary = summary or move.summary
    _step(locked, action=action, summary=summary, actor=actor, before=before, now=now)
    _timeline(locked, kind=action, summary=summary, actor=actor)
    record_event(
        actor=actor,
        action=f"concern.{action}",
        obj=locked,
        request=request,
        changed_fields=["status", *changed_fields],
    )
    return locked


@transaction.atomic
def concern_acknowledge(
    *, actor, concern: Concern, expected_version: int | None = None, request=None, now=None
) -> Concern:
    now = now or timezone.now()
    locked = _move(
        actor=actor,
        concern=concern,
        action="acknowledge",
        expected_version=expected_version,
        now=now,
        request=request,
        changed_fields=["acknowledged_at", "acknowledged_by"],
        updates={"acknowledged_at": now, "acknowledged_by": actor},
    )
    notify(
        users=[locked.raised_by],
        message=f"The safeguarding lead has acknowledged your concern {locked.reference}.",
        link=_link(locked),
    )
    return locked


@transaction.atomic
def concern_action(
    *, actor, concern: Concern, expected_version: int | None = None, request=None, now=None
) -> Concern:
    now = now or timezone.now()
    return _move(
        actor=actor,
        concern=concern,
        action="action",
        expected_version=expected_version,
        now=now,
        request=request,
        changed_fields=["actioned_at"],
        updates={"actioned_at": now},
    )


@transaction.atomic
def concern_escalate(
    *,
    actor,
    concern: Concern,
    agency: Agency,
    method: str,
    escalated_at: dt.datetime | None = None,
    agency_reference: str = "",
    case_arrangement: str = CaseArrangement.CONTINUES,
    expected_version: int | None = None,
    request=None,
    now=None,
) -> Escalation:
    """Record an escalation to ``agency`` and move the concern to escalated. Mentoring
    continues unless the lead says otherwise: the case's status is not changed, the
    arrangement is kept on the concern and said on the timeline."""
    now = now or timezone.now()
    if method not in EscalationMethod.values:
        raise ConcernRefused("Choose how the concern was escalated.")
    if case_arrangement not in CaseArrangement.values:
        raise ConcernRefused("Choose what happens to mentoring.")
    if not agency.is_active:
        raise ConcernRefused("Choose the agency the concern was escalated to.")
    escalated_at = escalated_at or now
    if escalated_at > now + dt.timedelta(minutes=5):
        raise ConcernRefused("The date of the escalation cannot be in the future.")
    locked = _move(
        actor=actor,
        concern=concern,
        action="escalate",
        expected_version=expected_version,
        now=now,
        request=request,
        changed_fields=["escalated_at", "case_arrangement"],
        summary=f"Safeguarding concern escalated to {agency.name}",
        updates={"escalated_at": escalated_at, "case_arrangement": case_arrangement},
    )
    escalation = Escalation.objects.create(
        concern=locked,
        agency=agency,
        escalated_at=escalated_at,
        method=method,
        escalated_by=actor,
        agency_reference=agency_reference.strip(),
    )
    record_event(
        actor=actor,
        action="escalation.create",
        obj=escalation,
        request=request,
        changed_fields=["agency", "escalated_at", "method"]
        + (["agency_reference"] if agency_reference.strip() else []),
    )
    if locked.case_id and case_arrangement != CaseArrangement.CONTINUES:
        case_event_add(
            case=locked.case,
            kind="safeguarding.arrangement",
            summary=CaseArrangement(case_arrangement).label,
            actor=actor,
        )
    return escalation


@transaction.atomic
def escalation_decision_record(
    *, actor, escalation: Escalation, decision: str, agency_reference: str = "", request=None
) -> Escalation:
    """What the receiving agency decided (and their reference, if it came later)."""
    decision = (decision or "").strip()
    if not decision:
        raise ConcernRefused("Say what the agency decided.")
    locked = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("concern")
        .get(pk=escalation.pk)
    )
    changed = ["decision", "decision_recorded_at"]
    locked.decision = decision
    locked.decision_recorded_at = timezone.now()
    if agency_reference.strip() and agency_reference.strip() != locked.agency_reference:
        locked.agency_reference = agency_reference.strip()
        changed.append("agency_reference")
    locked.save()
    Concern.objects.filter(pk=locked.concern_id).update(version=F("version") + 1)
    record_event(
        actor=actor,
        action="escalation.decision",
        obj=locked,
        request=request,
        changed_fields=changed,
    )
    return locked


@transaction.atomic
def concern_resolve(
    *, actor, concern: Concern, expected_version: int | None = None, request=None, now=None
) -> Concern:
    now = now or timezone.now()
    return _move(
        actor=actor,
        concern=concern,
        action="resolve",
        expected_version=expected_version,
        now=now,
        request=request,
        changed_fields=["resolved_at"],
        updates={"resolved_at": now},
    )


@transaction.atomic
def concern_close(
    *,
    actor,
    concern: Concern,
    outcome: str,
    outcome_notes: str = "",
    signed_off: bool = False,
    expected_version: int | None = None,
    request=None,
    now=None,
) -> Concern:
    """Close with an outcome and the lead's sign-off (the signing lead is the actor)."""
    now = now or timezone.now()
    if outcome not in Outcome.values:
        raise ConcernRefused("Choose the outcome.")
    if not signed_off:
        raise ConcernRefused("Confirm that you sign off the concern as the safeguarding lead.")
    if Role.SAFEGUARDING_LEAD not in actor.roles:
        raise ConcernRefused("Only a safeguarding lead can sign off a concern.")
    return _move(
        actor=actor,
        concern=concern,
        action="close",
        expected_version=expected_version,
        now=now,
        request=request,
        changed_fields=["outcome", "signed_off_by", "closed_at"]
        + (["outcome_notes"] if outcome_notes.strip() else []),
        updates={
            "outcome": outcome,
            "outcome_notes": outcome_notes.strip(),
            "signed_off_by": actor,
            "closed_at": now,
        },
    )


@transaction.atomic
def concern_reopen(
    *, actor, concern: Concern, expected_version: int | None = None, request=None, now=None
) -> Concern:
    """Back to acknowledged; the earlier outcome and sign-off are cleared so that closing
    again needs them again (the history keeps every step)."""
    now = now or timezone.now()
    return _move(
        actor=actor,
        concern=concern,
        action="reopen",
        expected_version=expected_version,
        now=now,
        request=request,
        changed_fields=["outcome", "signed_off_by", "closed_at", "resolved_at"],
        updates={
            "outcome": "",
            "outcome_notes": "",
            "signed_off_by": None,
            "closed_at": None,
            "resolved_at": None,
        },
    )


SIMPLE_ACTIONS = {
    "acknowledge": concern_acknowledge,
    "action": concern_action,
    "resolve": concern_resolve,
    "reopen": concern_reopen,
}


@transaction.atomic
def concern_urgency_change(
    *,
    actor,
    concern: Concern,
    urgency: str,
    expected_version: int | None = None,
    request=None,
) -> Concern:
    """The lead changes the urgency; the deadline is worked out again from when the
    concern was raised."""
    if urgency not in Urgency.values:
        raise ConcernRefused("Choose how urgent the concern is.")
    locked = _claim(concern, expected_version)
    if not locked.is_open:
        raise ConcernRefused("A closed concern's urgency cannot be changed.")
    if locked.urgency == urgency:
        raise ConcernRefused("The concern already has that urgency.")
    locked.urgency = urgency
    locked.due_at = deadline_for(
        urgency=urgency, raised_at=locked.raised_at, policy=SafeguardingPolicy.current()
    )
    locked.save()
    summary = f"Safeguarding concern urgency changed to {Urgency(urgency).label.lower()}"
    now = timezone.now()
    _step(locked, action="urgency", summary=summary, actor=actor, before=locked.status, now=now)
    _timeline(locked, kind="urgency", summary=summary, actor=actor)
    record_event(
        actor=actor,
        action="concern.urgency",
        obj=locked,
        request=request,
        changed_fields=["urgency", "due_at"],
    )
    return locked


# Listing and reading -------------------------------------------------------------------


@transaction.atomic
def concern_queue_audit(*, actor, request=None) -> None:
    """The queue names cases and categories: listing it is a read of record."""
    record_event(
        actor=actor, action="concern.list", object_type="safeguarding.concern", request=request
    )


# Policy --------------------------------------------------------------------------------

POLICY_FIELDS = (
    "immediate_minutes",
    "urgent_minutes",
    "standard_working_days",
    "warn_minutes",
    "repeat_minutes",
    "deputy",
)


@transaction.atomic
def safeguarding_policy_update(*, actor, data: dict, request=None) -> list[str]:
    policy = SafeguardingPolicy.objects.select_for_update().get(pk=SafeguardingPolicy.current().pk)
    deputy = data.get("deputy")
    if deputy is not None and (not deputy.is_active or Role.SAFEGUARDING_LEAD not in deputy.roles):
        raise ConcernRefused("The deputy must be an active safeguarding lead.")
    changed = [name for name in POLICY_FIELDS if getattr(policy, name) != data.get(name)]
    if not changed:
        return []
    for name in changed:
        setattr(policy, name, data.get(name))
    policy.save()
    record_event(
        actor=actor,
        action="safeguarding_policy.change",
        obj=policy,
        request=request,
        changed_fields=changed,
    )
    return changed


# Scheduled alerts ----------------------------------------------------------------------


@dataclass
class AlertRun:
    sent: list[ConcernAlert] = field(default_factory=list)


def _alert_once(
    *, concern: Concern, kind: str, slot: int, users, subject: str, message: str, now
) -> ConcernAlert | None:
    """Insert the ledger row unless this alert went out already; the winner tells the
    people in Tandem and by email (both once the row is committed)."""
    try:
        with transaction.atomic():
            alert = ConcernAlert.objects.create(
                concern=concern, kind=kind, slot=slot, due_at=concern.due_at, sent_at=now
            )
            record_event(
                actor=None,
                action=f"concern_alert.{kind}",
                obj=concern,
                changed_fields=["alert"],
            )
            _tell(users, concern=concern, subject=subject, message=message)
    except IntegrityError:
        return None  # sent already, by an earlier or a concurrent run
    return alert


def safeguarding_alerts_run(*, now: dt.datetime | None = None) -> AlertRun:
    """Alert the leads when an unacknowledged concern's deadline is near; the deputy,
    the leads and the coordinators when it is missed, again every ``repeat_minutes``
    until it is acknowledged. Idempotent: each (concern, kind, deadline, slot) alerts
    once, also when two copies run at once."""
    now = now or timezone.now()
    policy = SafeguardingPolicy.current()
    run = AlertRun()
    warn = dt.timedelta(minutes=policy.warn_minutes)
    repeat = dt.timedelta(minutes=policy.repeat_minutes)
    leads = list(active_leads().values_list("pk", flat=True))
    missed_to = sorted(
        {*leads, *active_coordinators().values_list("pk", flat=True), policy.deputy_id} - {None}
    )
    pending = Concern.objects.filter(status=ConcernStatus.RAISED, due_at__lte=now + warn).only(
        "pk", "due_at", "urgency", "status"
    )
    for concern in pending.iterator(chunk_size=500):
        if concern.due_at > now:
            when = timezone.localtime(concern.due_at)
            alert = _alert_once(
                concern=concern,
                kind=AlertKind.NEARING,
                slot=0,
                users=leads,
                subject=f"Tandem: safeguarding concern {concern.reference} is due soon",
                message=f"Safeguarding concern {concern.reference} must be acknowledged "
                f"by {when:%H:%M}.",
                now=now,
            )
        else:
            slot = math.floor((now - concern.due_at) / repeat)
            alert = _alert_once(
                concern=concern,
                kind=AlertKind.MISSED,
                slot=slot,
                users=missed_to,
                subject=f"Tandem: safeguarding concern {concern.reference} is overdue",
                message=f"Safeguarding concern {concern.reference} has not been "
                f"acknowledged in time: it was due at "
                f"{timezone.localtime(concern.due_at):%H:%M on %d %B}.",
                now=now,
            )
        if alert:
            run.sent.append(alert)
    return run
