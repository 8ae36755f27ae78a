"""The recruitment pipeline: applicant → vetting → training → accredited (active)
⇄ paused / suspended → left. Every change goes through ``mentor_transition``.

Besides the table of moves that make sense, some moves have guards that read the
mentor's record: training starts only when every required vetting check has
passed and is current (a failed check is named with its date and reason), and a
mentor becomes or returns to active only while holding a current accreditation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Prefetch, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.utils import timezone

from tandem.accounts.models import Role, RoleGrant
from tandem.accounts.services import user_sessions_end
from tandem.audit.services import record_event
from tandem.core.dates import long_date

from ..matchability import Rules, current_accreditation, is_current, latest_checks
from ..models import (
    Accreditation,
    CheckOutcome,
    Mentor,
    MentorStatus,
    StatusChange,
    VettingCheck,
)

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


def vetting_problems(mentor: Mentor, rules: Rules) -> list[str]:
    """Why ``mentor``'s vetting is not complete: one line per required check type whose
    latest check is missing, pending, failed (with its date and reason) or expired.
    Reads ``mentor.checks.all()``, so prefetch the checks for many mentors."""
    latest = latest_checks(mentor)
    problems = []
    for check_type in rules.required_types:
        check = latest.get(check_type.pk)
        if check is None:
            problems.append(f"{check_type.name}: no check recorded")
        elif check.outcome == CheckOutcome.FAILED:
            problems.append(
                f"{check_type.name} failed on {long_date(check.checked_on)}: {check.failure_reason}"
            )
        elif check.outcome == CheckOutcome.PENDING:
            problems.append(f"{check_type.name} is pending")
        elif not is_current(check.expires_on, rules.today):
            problems.append(f"{check_type.name} expired on {long_date(check.expires_on)}")
    return problems


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
        reason=reason,
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


# The pipeline board (a read: the same rules as the guards above) -----------------------

# Each status section lists at most this many mentors, longest in the status first.
BOARD_LIMIT = 50
STAGES_WITH_CHECKS = (MentorStatus.APPLICANT, MentorStatus.VETTING)


@dataclass(frozen=True)
class BoardEntry:
    mentor: Mentor
    days_in_status: int
    next_step: str = ""
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    count: int
    entries: tuple[BoardEntry, ...]

    @property
    def hidden(self) -> int:
        return self.count - len(self.entries)


def _next_step(mentor: Mentor, rules: Rules) -> tuple[str, tuple[str, ...]]:
    if mentor.status in STAGES_WITH_CHECKS:
        problems = vetting_problems(mentor, rules)
        total = len(rules.required_types)
        passed = total - len(problems)
        summary = f"{passed} of {total} required checks passed"
        failed = tuple(p.split(":", 1)[0] for p in problems if " failed on " in p)
        if mentor.status == MentorStatus.APPLICANT:
            return f"Start vetting ({summary})", failed
        if not problems:
            return f"{summary}: ready for training", ()
        return summary, failed
    if mentor.status == MentorStatus.TRAINING:
        if current_accreditation(mentor, rules.today) is not None:
            return "Accredited: ready to become active", ()
        return "Complete training, then award an accreditation", ()
    return "", ()


def pipeline_board(*, limit: int = BOARD_LIMIT, today=None) -> list[BoardColumn]:
    """One column per status with its count and its longest-waiting mentors.

    A fixed number of queries whatever the size of the pool: the counts, one ranked
    query for every column's mentors, their checks and accreditations, and the rules.
    """
    rules = Rules.load(today)
    counts = dict(
        Mentor.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    ranked = (
        Mentor.objects.annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[F("status_changed_at").asc(), F("pk").asc()],
            )
        )
        .filter(position__lte=limit)
        .order_by("status_changed_at", "pk")
        .only("pk", "full_name", "status", "status_changed_at", "record_uuid")
        .prefetch_related(
            Prefetch(
                "checks",
                queryset=VettingCheck.objects.filter(mentor__status__in=STAGES_WITH_CHECKS).only(
                    "pk",
                    "mentor_id",
                    "check_type_id",
                    "outcome",
                    "checked_on",
                    "expires_on",
                    "failure_reason",
                    "record_uuid",
                ),
            ),
            Prefetch(
                "accreditations",
                queryset=Accreditation.objects.filter(
                    mentor__status=MentorStatus.TRAINING
                ).select_related("level"),
            ),
        )
    )
    by_status: dict[str, list[BoardEntry]] = {status: [] for status in MentorStatus.values}
    for mentor in ranked:
        changed_on = timezone.localdate(mentor.status_changed_at)
        next_step, problems = _next_step(mentor, rules)
        by_status[mentor.status].append(
            BoardEntry(
                mentor=mentor,
                days_in_status=max(0, (rules.today - changed_on).days),
                next_step=next_step,
                problems=problems,
            )
        )
    return [
        BoardColumn(
            status=status,
            label=MentorStatus(status).label,
            count=counts.get(status, 0),
            entries=tuple(by_status[status]),
        )
        for status in MentorStatus.values
    ]
