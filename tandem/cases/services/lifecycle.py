"""Every change of a case's status goes through ``case_transition``; every change of a case's
record bumps its version, so a form posted from a stale page is refused, not applied."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tandem.audit.services import record_event

from ..lifecycle import ACTIONS, missing_for, refusal_for_missing, target_of
from ..models import Case, CaseEvent, CaseStatus, ClosureOutcome, ReferenceCounter
from ..signals import case_status_changed


class CaseConflict(Exception):
    """Someone else changed the case since the form was loaded."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "Someone else changed this case while you were working on it. Your changes "
            "have not been saved: check the case as it is now, then try again."
        )


class LifecycleRefused(Exception):
    """A move the lifecycle does not allow; the message is safe to show."""


def reference_allocate(*, year: int | None = None) -> str:
    """The next pseudonymous reference, T-YYYY-NNNN, gapless within a year."""
    year = year or timezone.localdate().year
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(year=year)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"T-{year}-{counter.last:04d}"


def case_event_add(
    *, case: Case, kind: str, summary: str, actor=None, from_status="", to_status="", reason=""
) -> CaseEvent:
    """One line on the case's timeline. ``summary`` says what happened, never who or what
    was said; narrative belongs in ``reason`` (encrypted)."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        summary=summary,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )


def case_version_claim(*, case: Case, expected_version: int | None) -> Case:
    """Lock the case, refuse if it changed since ``expected_version``, and bump the
    version. Call inside the transaction of any change to the case's record."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict()
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=timezone.now())
    locked.version += 1
    return locked


@transaction.atomic
def case_transition(
    *,
    actor,
    case: Case,
    action: str,
    expected_version: int | None = None,
    reason: str = "",
    request=None,
    updates: dict | None = None,
    summary: str = "",
) -> Case:
    """Apply lifecycle ``action`` to ``case``, recording who, when and why.

    ``updates`` are other fields of the case set in the same change (for example the
    screening outcome); they are audited by name.
    """
    if action not in ACTIONS:
        raise LifecycleRefused("Choose an action from the list.")
    move = ACTIONS[action]
    case = case_version_claim(case=case, expected_version=expected_version)
    if case.status not in move.sources:
        raise LifecycleRefused(
            f"A case that is {CaseStatus(case.status).label.lower()} cannot be moved by "
            f"“{move.label.lower()}”."
        )
    if missing := missing_for(case, action):
        raise LifecycleRefused(refusal_for_missing(action, missing))
    from_status = case.status
    target = target_of(move, status_before_hold=case.status_before_hold)
    updates = dict(updates or {})
    if action == "hold":
        updates["status_before_hold"] = from_status
    elif action == "resume":
        updates["status_before_hold"] = ""
    for field, value in updates.items():
        setattr(case, field, value)
    case.status = target
    case.status_changed_at = timezone.now()
    case.save(update_fields=["status", "status_changed_at", *updates])
    case_event_add(
        case=case,
        kind=f"status.{action}",
        summary=summary or move.label,
        actor=actor,
        from_status=from_status,
        to_status=target,
        reason=reason.strip(),
    )
    record_event(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        request=request,
        changed_fields=["status", *updates],
    )
    case_status_changed.send(
        sender=Case,
        case=case,
        action=action,
        from_status=from_status,
        to_status=target,
        actor=actor,
        request=request,
    )
    return case


# Status changes from the case record ---------------------------------------------------

# Moves that must say why; the reason goes on the timeline, encrypted.
REASON_REQUIRED: frozenset[str] = frozenset({"hold", "escalate", "withdraw_consent", "screen_out"})

# Moves that end the case, and the outcome each one records. A declined consent has no
# closure category of its own: the status says it, the outcome says "other".
ENDING_OUTCOMES: dict[str, str] = {
    "screen_out": ClosureOutcome.NOT_SUITABLE,
    "decline_consent": ClosureOutcome.OTHER,
    "withdraw_consent": ClosureOutcome.CONSENT_WITHDRAWN,
    "escalate": ClosureOutcome.ESCALATED,
}


def _ending_updates(*, actor, action: str) -> dict:
    """The closure fields a side exit sets (outcome, when, by whom); empty otherwise."""
    if action not in ENDING_OUTCOMES:
        return {}
    return {
        "closure_outcome": ENDING_OUTCOMES[action],
        "closed_at": timezone.now(),
        "closed_by": actor,
    }


def case_change_status(
    *,
    actor,
    case: Case,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
    request=None,
    updates: dict | None = None,
    summary: str = "",
) -> Case:
    """``case_transition`` with the rules a person changing the status must follow: a reason
    for the moves that need one, and a proper ending (outcome, date, who) for side
    exits."""
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        label = ACTIONS[action].label.lower() if action in ACTIONS else action
        raise LifecycleRefused(f"Give the reason for “{label}”.")
    ending = _ending_updates(actor=actor, action=action)
    if ending and case.status == CaseStatus.ON_HOLD:
        ending["status_before_hold"] = ""  # an ended case has nothing to resume
    return case_transition(
        actor=actor,
        case=case,
        action=action,
        expected_version=expected_version,
        reason=reason,
        request=request,
        updates={**ending, **(updates or {})},
        summary=summary,
    )
