"""The recruitment pipeline: applicant → vetting → training → accredited (active)
⇄ paused / suspended → left. Every change goes through ``mentor_transition``.

Besides the table of moves that make sense, some moves have guards that read the
mentor's record: training starts only when every required vetting check has
passed and is current (a failed check is named with its date and reason), and a
mentor becomes or returns to active only while holding a current accreditation.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from tandem.accounts.models import Role, RoleGrant
from tandem.accounts.services import user_sessions_end
from tandem.audit.services import record_event

from ..matchability import Rules, current_accreditation
from ..models import (
    Accreditation,
    Mentor,
    MentorStatus,
    StatusChange,
)
from ..selectors import vetting_problems

# The moves that make sense; anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    MentorStatus.APPLICANT: frozenset({MentorStatus.VETTING, MentorStatus.LEFT}),
    MentorStatus.VETTING: frozenset({MentorStatus.TRAINING, MentorStatus.LEFT}),
    MentorStatus.TRAINING: frozenset({MentorStatus.ACTIVE, MentorStatus.LEFT}),
    MentorStatus.ACTIVE: frozenset(
        {MentorStatus.PAUSED, MentorStatus.SUSPENDED, MentorStatus.LEFT}
    ),
    MentorStatus.PAUSED: frozenset({MentorStatus.ACTIVE, MentorStatus.LEFT}),
    MentorStatus.SUSPENDED: frozenset({MentorStatus.ACTIVE, MentorStatus.LEFT}),
    MentorStatus.LEFT: frozenset(),
}

# Moves that must say why.
REASON_REQUIRED: frozenset[str] = frozenset(
    {MentorStatus.PAUSED, MentorStatus.SUSPENDED, MentorStatus.LEFT}
)

# Moves into active (from training, or back from a pause or suspension) need a current
# accreditation; the move into training needs every required check passed and current.
NEEDS_ACCREDITATION: frozenset[tuple[str, str]] = frozenset(
    {
        (MentorStatus.TRAINING, MentorStatus.ACTIVE),
        (MentorStatus.PAUSED, MentorStatus.ACTIVE),
        (MentorStatus.SUSPENDED, MentorStatus.ACTIVE),
    }
)
NEEDS_VETTING: frozenset[tuple[str, str]] = frozenset(
    {(MentorStatus.VETTING, MentorStatus.TRAINING)}
)


class TransitionRefused(Exception):
    """A status change the pipeline does not allow; the message is safe to show.

    ``reasons`` lists the individual problems when a guard refused the move.
    """

    def __init__(self, message: str, reasons: tuple[str, ...] = ()):
        super().__init__(message)
        self.reasons = tuple(reasons)


def allowed_from(status: str) -> list[str]:
    """The statuses a mentor in ``status`` may move to, in pipeline order."""
    return sorted(TRANSITIONS[status], key=MentorStatus.values.index)


def allowed_transitions(mentor: Mentor) -> list[str]:
    return allowed_from(mentor.status)


def _guard(mentor: Mentor, to_status: str) -> None:
    move = (mentor.status, to_status)
    if move not in NEEDS_VETTING and move not in NEEDS_ACCREDITATION:
        return
    rules = Rules.load()
    prefetch_related_objects(
        [mentor],
        "checks",
        # current_accreditation ranks by level: fetch the levels with the accreditations.
        Prefetch("accreditations", queryset=Accreditation.objects.select_related("level")),
    )
    label = MentorStatus(to_status).label.lower()
    if move in NEEDS_VETTING:
        problems = vetting_problems(mentor, rules)
        if problems:
            raise TransitionRefused(
                f"{mentor.full_name} cannot move to {label} until every required vetting "
                f"check has passed and is current: {'; '.join(problems)}.",
                reasons=tuple(problems),
            )
    if move in NEEDS_ACCREDITATION and current_accreditation(mentor, rules.today) is None:
        problem = "no current accreditation"
        raise TransitionRefused(
            f"{mentor.full_name} cannot move to {label}: they hold no current "
            "accreditation. Award an accreditation first.",
            reasons=(problem,),
        )


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
            f"This mentor's status changed to {MentorStatus(mentor.status).label.lower()} "
            "while you were looking. Check the record and try again."
        )
    if to_status not in MentorStatus.values:
        raise TransitionRefused("Choose a status from the list.")
    if to_status not in TRANSITIONS[mentor.status]:
        raise TransitionRefused(
            f"A mentor cannot move from {MentorStatus(mentor.status).label.lower()} "
            f"to {MentorStatus(to_status).label.lower()}."
        )
    reason = reason.strip()
    if to_status in REASON_REQUIRED and not reason:
        raise TransitionRefused(
            f"Give a reason for moving to {MentorStatus(to_status).label.lower()}."
        )
    _guard(mentor, to_status)
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
        # The status moved to, never the typed reason: that stays on the mentor's own
        # StatusChange, which erasure blanks; an audit event can never be rewritten.
        reason=to_status,
        changed_fields=["status"],
    )
    if to_status == MentorStatus.LEFT and mentor.user_id is not None:
        _withdraw_mentor_access(actor=actor, mentor=mentor, request=request)
    return mentor


def _withdraw_mentor_access(*, actor, mentor: Mentor, request=None) -> None:
    """Someone who has left keeps no mentor access; an account with no other role is
    signed out everywhere (it stays, with its history, until an administrator acts)."""
    user = mentor.user
    removed, _ = RoleGrant.objects.filter(user=user, role=Role.MENTOR).delete()
    if not removed:
        return
    if not RoleGrant.objects.filter(user=user).exists():
        user_sessions_end(user=user)
    record_event(
        actor=actor,
        action="user.update",
        obj=user,
        request=request,
        reason="mentor left the scheme",
        changed_fields=["roles"],
    )
