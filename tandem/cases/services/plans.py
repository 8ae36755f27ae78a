# The minus sign (−) and ρ are meant: they are the typography users read.
# ruff: noqa: RUF001, RUF002, RUF003
"""The support plan, its Goal Attainment Scaling goals, reviews, closure and the
follow-ups after closure.

Every write is keyword-only, takes the acting user, runs in one transaction, claims
the case's version (a form posted from a stale page is refused with ``CaseConflict``),
adds a line to the case's timeline and records an audit event naming the fields
written, never their values. A request the rules refuse raises ``PlanRefused`` with a
message that is safe to show; the forms check the same things first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.core.dates import long_date

from .. import gas
from ..cadence import follow_up_dates, review_interval
from ..models import (
    STYLE_SCALE,
    Approach,
    Case,
    CaseStatus,
    ClosureOutcome,
    FollowUp,
    Frequency,
    Goal,
    GoalOwner,
    GoalScore,
    Review,
    SupportPlan,
)
from .lifecycle import case_event_add, case_transition, case_version_claim

# From assessment onwards and not ended: the plan, its goals and reviews can change.
# A case on hold reached hold from one of these.
PLAN_STATUSES = frozenset(
    {
        CaseStatus.ASSESSMENT,
        CaseStatus.AWAITING_MATCH,
        CaseStatus.MATCHED,
        CaseStatus.ACTIVE,
        CaseStatus.CLOSING,
        CaseStatus.ON_HOLD,
    }
)

PLAN_FIELDS = {
    "approach": "approach",
    "intended_style": "intended style",
    "frequency": "meeting frequency",
    "summary": "summary",
}
LEVEL_FIELDS = ("level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2")
GOAL_FIELDS = {
    "title": "title",
    "owner": "owner",
    "weight": "weight",
    "level_minus_2": "level −2",
    "level_minus_1": "level −1",
    "level_0": "level 0",
    "level_plus_1": "level +1",
    "level_plus_2": "level +2",
}
TITLE_MAX = Goal._meta.get_field("title").max_length
TEXT_MAX = 5000


class PlanRefused(Exception):
    """A change the rules do not allow; the message is safe to show."""


def _received_on(case: Case) -> dt.date:
    return timezone.localdate(case.received_at)


def _check_date(value, *, what: str, case: Case, not_before: dt.date | None = None) -> dt.date:
    if not isinstance(value, dt.date):
        raise PlanRefused(f"Enter {what}.")
    if value > timezone.localdate():
        raise PlanRefused(f"{what.capitalize()} must be today or in the past.")
    earliest = not_before or _received_on(case)
    if value < earliest:
        raise PlanRefused(
            f"{what.capitalize()} must be on or after {long_date(earliest)}, "
            + ("when the case closed." if not_before else "when the referral was received.")
        )
    return value


def _text(value, *, what: str, required: bool = True, max_length: int = TEXT_MAX) -> str:
    if value is not None and not isinstance(value, str):
        raise PlanRefused(f"Enter {what}.")
    text = (value or "").strip()
    if required and not text:
        raise PlanRefused(f"Enter {what}.")
    if len(text) > max_length:
        raise PlanRefused(f"{what.capitalize()} must be {max_length} characters or fewer.")
    return text


def _in_plan_status(case: Case) -> None:
    if case.status not in PLAN_STATUSES:
        label = CaseStatus(case.status).label.lower()
        raise PlanRefused(
            f"The plan of a case that is {label} cannot be changed: plans are written from "
            "assessment until the case ends."
        )


# The plan ------------------------------------------------------------------------------


def _plan_values(data: Mapping) -> dict:
    approach = data.get("approach")
    if approach not in Approach.values:
        raise PlanRefused("Select the approach.")
    style = data.get("intended_style")
    if isinstance(style, bool) or style not in STYLE_SCALE:
        raise PlanRefused("Select the intended style, from 1 to 5.")
    frequency = data.get("frequency")
    if frequency not in Frequency.values:
        raise PlanRefused("Select how often they will meet.")
    return {
        "approach": approach,
        "intended_style": int(style),
        "frequency": frequency,
        "summary": _text(data.get("summary", ""), what="the summary", required=False),
    }


@transaction.atomic
def plan_save(
    *, actor, case: Case, data: Mapping, expected_version: int | None, request=None
) -> SupportPlan:
    """Write the case's support plan, or change it. Writing it for the first time sets
    the first review's due date, one review interval from today."""
    values = _plan_values(data)
    case = case_version_claim(case=case, expected_version=expected_version)
    _in_plan_status(case)
    plan = SupportPlan.objects.filter(case=case).first()
    now = timezone.now()
    if plan is None:
        plan = SupportPlan.objects.create(case=case, updated_by=actor, updated_at=now, **values)
        case.next_review_due = timezone.localdate() + review_interval()
        case.save(update_fields=["next_review_due"])
        case_event_add(case=case, kind="plan.written", summary="Support plan written", actor=actor)
        record_event(
            actor=actor,
            action="case.plan_write",
            obj=plan,
            request=request,
            changed_fields=[*values, "case.next_review_due"],
        )
        return plan

    changed = [name for name, value in values.items() if getattr(plan, name) != value]
    if not changed:
        return plan
    for name in changed:
        setattr(plan, name, values[name])
    plan.updated_by = actor
    plan.updated_at = now
    plan.save(update_fields=[*changed, "updated_by", "updated_at"])
    case_event_add(
        case=case,
        kind="plan.changed",
        summary=f"Support plan changed ({', '.join(PLAN_FIELDS[n] for n in changed)})",
        actor=actor,
    )
    record_event(
        actor=actor, action="case.plan_change", obj=plan, request=request, changed_fields=changed
    )
    return plan


# Goals ---------------------------------------------------------------------------------


def _goal_values(data: Mapping) -> dict:
    owner = data.get("owner")
    if owner not in GoalOwner.values:
        raise PlanRefused("Select who owns the goal.")
    weight = data.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise PlanRefused("Enter the goal's weight, a whole number from 1 to 10.")
    if not gas.MIN_WEIGHT <= weight <= gas.MAX_WEIGHT:
        raise PlanRefused("The goal's weight must be from 1 to 10.")
    values = {
        "title": _text(data.get("title"), what="the goal", max_length=TITLE_MAX),
        "owner": owner,
        "weight": weight,
    }
    for name in LEVEL_FIELDS:
        values[name] = _text(data.get(name), what=f"what {GOAL_FIELDS[name]} looks like")
    return values


def _goal_number(goal: Goal) -> int:
    return goal.position or goal.pk


def _require_plan(case: Case) -> None:
    if not SupportPlan.objects.filter(case=case).exists():
        raise PlanRefused("Write the support plan before adding goals.")


@transaction.atomic
def goal_add(
    *, actor, case: Case, data: Mapping, expected_version: int | None, request=None
) -> Goal:
    values = _goal_values(data)
    case = case_version_claim(case=case, expected_version=expected_version)
    _in_plan_status(case)
    _require_plan(case)
    last = Goal.objects.filter(case=case).aggregate(last=Max("position"))["last"] or 0
    goal = Goal.objects.create(case=case, position=last + 1, **values)
    case_event_add(
        case=case,
        kind="plan.goal_added",
        summary=f"Goal {goal.position} added (owned by {goal.get_owner_display().lower()}, "
        f"weight {goal.weight})",
        actor=actor,
    )
    record_event(
        actor=actor, action="case.goal_add", obj=goal, request=request, changed_fields=values
    )
    return goal


def _case_goal(case: Case, goal: Goal) -> Goal:
    """The goal, locked and read again, refusing one that belongs to another case."""
    try:
        goal = Goal.objects.select_for_update().get(pk=goal.pk, case=case)
    except Goal.DoesNotExist:
        raise PlanRefused("That goal is not part of this case's plan.") from None
    goal.case = case
    return goal


@transaction.atomic
def goal_change(
    *, actor, case: Case, goal: Goal, data: Mapping, expected_version: int | None, request=None
) -> Goal:
    values = _goal_values(data)
    case = case_version_claim(case=case, expected_version=expected_version)
    _in_plan_status(case)
    goal = _case_goal(case, goal)
    if not goal.is_active:
        raise PlanRefused("That goal is no longer in use, so it cannot be changed.")
    changed = [name for name, value in values.items() if getattr(goal, name) != value]
    if not changed:
        return goal
    for name in changed:
        setattr(goal, name, values[name])
    goal.save(update_fields=changed)
    case_event_add(
        case=case,
        kind="plan.goal_changed",
        summary=f"Goal {_goal_number(goal)} changed ({', '.join(GOAL_FIELDS[n] for n in changed)})",
        actor=actor,
    )
    record_event(
        actor=actor, action="case.goal_change", obj=goal, request=request, changed_fields=changed
    )
    return goal


@transaction.atomic
def goal_deactivate(
    *, actor, case: Case, goal: Goal, expected_version: int | None, request=None
) -> Goal:
    """Stop using a goal: it is no longer scored, and its past scores are kept."""
    case = case_version_claim(case=case, expected_version=expected_version)
    _in_plan_status(case)
    goal = _case_goal(case, goal)
    if not goal.is_active:
        raise PlanRefused("That goal is already no longer in use.")
    goal.is_active = False
    goal.save(update_fields=["is_active"])
    case_event_add(
        case=case,
        kind="plan.goal_deactivated",
        summary=f"Goal {_goal_number(goal)} no longer in use",
        actor=actor,
    )
    record_event(
        actor=actor,
        action="case.goal_deactivate",
        obj=goal,
        request=request,
        changed_fields=["is_active"],
    )
    return goal


# Reviews -------------------------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    actor,
    case: Case,
    reviewed_on: dt.date,
    scores: Mapping[int, int],
    summary: str,
    reassessment_needed: bool,
    expected_version: int | None,
    request=None,
) -> Review:
    """Record a review: a score from −2 to +2 for every goal in use, the GAS T-score
    that summarises them, and the date the next review falls due (one interval after
    the latest review). A review that finds the person needs reassessing prompts it on
    the timeline."""
    summary = _text(summary, what="a summary of the review")
    if not isinstance(reassessment_needed, bool):
        raise PlanRefused("Select whether the person needs reassessing.")
    case = case_version_claim(case=case, expected_version=expected_version)
    _in_plan_status(case)
    reviewed_on = _check_date(reviewed_on, what="the date of the review", case=case)
    goals = list(Goal.objects.filter(case=case, is_active=True))
    if not goals:
        raise PlanRefused("Add at least one goal to the plan before recording a review.")
    if set(scores) != {g.pk for g in goals}:
        raise PlanRefused("Score every goal in the plan, and only those.")
    if any(isinstance(s, bool) or s not in gas.LEVELS for s in scores.values()):
        raise PlanRefused("Each goal's score must be from −2 to +2.")
    t = gas.rounded(gas.t_score([(g.weight, scores[g.pk]) for g in goals]))

    review = Review.objects.create(
        case=case,
        reviewed_on=reviewed_on,
        reviewer=actor,
        summary=summary,
        reassessment_needed=reassessment_needed,
        t_score=t,
    )
    GoalScore.objects.bulk_create(
        GoalScore(review=review, goal=goal, score=scores[goal.pk]) for goal in goals
    )
    latest = Review.objects.filter(case=case).aggregate(latest=Max("reviewed_on"))["latest"]
    case.next_review_due = latest + review_interval()
    case.save(update_fields=["next_review_due"])
    case_event_add(
        case=case, kind="review.recorded", summary=f"Review recorded (GAS T-score {t})", actor=actor
    )
    if reassessment_needed:
        case_event_add(
            case=case, kind="review.reassessment", summary="Reassessment prompted", actor=actor
        )
    record_event(
        actor=actor,
        action="case.review_record",
        obj=review,
        request=request,
        changed_fields=[
            "reviewed_on",
            "summary",
            "reassessment_needed",
            "scores",
            "t_score",
            "case.next_review_due",
        ],
    )
    return review


# Closure and follow-ups ----------------------------------------------------------------


@transaction.atomic
def case_close(
    *,
    actor,
    case: Case,
    outcome: str,
    closing_report: str,
    expected_version: int | None,
    closed_on: dt.date | None = None,
    request=None,
) -> Case:
    """Close a case that is closing, with its outcome and closing report, and schedule
    the follow-ups whole calendar months after the closure date."""
    if outcome not in ClosureOutcome.values:
        raise PlanRefused("Select the outcome of the case.")
    report = _text(closing_report, what="the closing report")
    today = timezone.localdate()
    closed_on = _check_date(closed_on or today, what="the date the case closed", case=case)
    closed_at = timezone.now()
    if closed_on != today:
        closed_at = timezone.make_aware(dt.datetime.combine(closed_on, dt.time(12)))
    case = case_transition(
        actor=actor,
        case=case,
        action="close",
        expected_version=expected_version,
        request=request,
        updates={
            "closure_outcome": outcome,
            "closing_report": report,
            "closed_at": closed_at,
            "closed_by": actor,
        },
        summary=f"Case closed ({ClosureOutcome(outcome).label.lower()})",
    )
    due = follow_up_dates(closed_on)
    for kind, due_on in due.items():
        FollowUp.objects.get_or_create(case=case, kind=kind, defaults={"due_on": due_on})
    case_event_add(
        case=case,
        kind="follow_up.scheduled",
        summary="Follow-ups scheduled for "
        + " and ".join(long_date(d) for d in sorted(due.values())),
        actor=actor,
    )
    record_event(
        actor=actor,
        action="case.follow_ups_schedule",
        obj=case,
        request=request,
        changed_fields=["follow_ups"],
    )
    return case


@transaction.atomic
def follow_up_record(
    *,
    actor,
    case: Case,
    follow_up: FollowUp,
    completed_on: dt.date,
    notes: str,
    re_referred: bool,
    expected_version: int | None,
    request=None,
) -> FollowUp:
    """Record a follow-up after closure as done: when, what it found, and whether the
    person has been referred again since."""
    notes = _text(notes, what="what the follow-up found")
    if not isinstance(re_referred, bool):
        raise PlanRefused("Select whether the person has been referred again.")
    case = case_version_claim(case=case, expected_version=expected_version)
    try:
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk, case=case)
    except FollowUp.DoesNotExist:
        raise PlanRefused("That follow-up is not part of this case.") from None
    if follow_up.completed_on is not None:
        raise PlanRefused(f"The {follow_up.get_kind_display().lower()} follow-up is already done.")
    closed_on = timezone.localdate(case.closed_at) if case.closed_at else None
    completed_on = _check_date(
        completed_on, what="the date of the follow-up", case=case, not_before=closed_on
    )
    follow_up.case = case
    follow_up.completed_on = completed_on
    follow_up.completed_by = actor
    follow_up.notes = notes
    follow_up.re_referred = re_referred
    follow_up.save(update_fields=["completed_on", "completed_by", "notes", "re_referred"])
    case_event_add(
        case=case,
        kind="follow_up.recorded",
        summary=f"Follow-up recorded ({follow_up.get_kind_display()}; "
        + ("referred again" if re_referred else "not referred again")
        + ")",
        actor=actor,
    )
    record_event(
        actor=actor,
        action="case.follow_up_record",
        obj=follow_up,
        request=request,
        changed_fields=["completed_on", "completed_by", "notes", "re_referred"],
    )
    return follow_up
