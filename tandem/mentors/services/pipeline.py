"""The recruitment pipeline: applicant → vetting → training → accredited (active)
⇄ paused / suspended → left. Every change goes through ``mentor_transition``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record_event

from ..models import Mentor, MentorStatus, StatusChange

S = MentorStatus

# The moves that make sense; anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.APPLICANT: frozenset({S.VETTING, S.LEFT}),
    S.VETTING: frozenset({S.TRAINING, S.LEFT}),
    S.TRAINING: frozenset({S.ACTIVE, S.LEFT}),
    S.ACTIVE: frozenset({S.PAUSED, S.SUSPENDED, S.LEFT}),
    S.PAUSED: frozenset({S.ACTIVE, S.LEFT}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.LEFT}),
    S.LEFT: frozenset(),
}

# Moves that must say why.
REASON_REQUIRED: frozenset[str] = frozenset({S.PAUSED, S.SUSPENDED, S.LEFT})


class TransitionRefused(Exception):
    """A status change the pipeline does not allow; the message is safe to show."""


def allowed_transitions(mentor: Mentor) -> list[str]:
    return sorted(TRANSITIONS[mentor.status], key=S.values.index)


@transaction.atomic
def mentor_transition(
    *,
    actor,
    mentor: Mentor,
    to_status: str,
    reason: str = "",
    expected_status: str | None = None,
    request=None,
) -> Mentor:
    """Move ``mentor`` to ``to_status``, recording who, when and why.

    ``expected_status`` is the status the actor saw: if someone else changed it
    meanwhile, the change is refused rather than applied on stale information.
    """
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    if expected_status is not None and mentor.status != expected_status:
        raise TransitionRefused(
            f"This mentor's status changed to {S(mentor.status).label.lower()} while you were "
            "looking. Check the record and try again."
        )
    if to_status not in TRANSITIONS[mentor.status]:
        raise TransitionRefused(
            f"A mentor cannot move from {S(mentor.status).label.lower()} "
            f"to {S(to_status).label.lower()}."
        )
    reason = reason.strip()
    if to_status in REASON_REQUIRED and not reason:
        raise TransitionRefused(f"Give a reason for moving to {S(to_status).label.lower()}.")
    from_status = mentor.status
    mentor.status = to_status
    mentor.status_changed_at = timezone.now()
    mentor.save(update_fields=["status", "status_changed_at", "updated_at"])
    StatusChange.objects.create(
        mentor=mentor,
        from_status=from_status,
        to_status=to_status,
        changed_by=actor,
        reason=reason,
    )
    record_event(
        actor=actor,
        action="mentor.status_change",
        obj=mentor,
        request=request,
        reason=reason,
        changed_fields=["status"],
    )
    return mentor
