"""Test data for plans, goals, reviews and closure, written through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import create_user
from tandem.cases.models import Case, CaseStatus, Goal, Review, SupportPlan
from tandem.cases.services import plans as services

from .factories import make_case

LEVEL_TEXT = {
    "level_minus_2": "Has stopped attending college altogether.",
    "level_minus_1": "Attends college less than once a week.",
    "level_0": "Attends college three days a week.",
    "level_plus_1": "Attends college every day.",
    "level_plus_2": "Attends every day and has joined a club.",
}
PLAN_DATA = {
    "approach": "befriending",
    "intended_style": 2,
    "frequency": "weekly",
    "summary": "Build trust through shared interests; football on Saturdays.",
}


def coordinator():
    return create_user("coordinator")


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def open_case(status=CaseStatus.ACTIVE, **fields) -> Case:
    """A case in ``status`` received a year ago, so that past dates are valid."""
    fields.setdefault("received_at", timezone.now() - dt.timedelta(days=365))
    return make_case(status=status, **fields)


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def write_plan(case: Case, by=None, **data) -> SupportPlan:
    return services.plan_save(
        actor=by or coordinator(),
        case=fresh(case),
        data={**PLAN_DATA, **data},
        expected_version=None,
    )


def goal_data(**data) -> dict:
    return {"title": "Back to college", "owner": "person", "weight": 1, **LEVEL_TEXT, **data}


def add_goal(case: Case, by=None, **data) -> Goal:
    return services.goal_add(
        actor=by or coordinator(), case=fresh(case), data=goal_data(**data), expected_version=None
    )


def planned_case(*, goals: int = 1, status=CaseStatus.ACTIVE, by=None, **fields):
    """An open case with a plan and ``goals`` goals (weights 1, 2, 3…)."""
    by = by or coordinator()
    case = open_case(status=status, **fields)
    write_plan(case, by=by)
    made = [add_goal(case, by=by, title=f"Goal text {n}", weight=n) for n in range(1, goals + 1)]
    return fresh(case), made


def review(case: Case, scores: dict, by=None, **kwargs) -> Review:
    kwargs.setdefault("reviewed_on", timezone.localdate())
    kwargs.setdefault("summary", "Good progress at college; fewer arguments at home.")
    kwargs.setdefault("reassessment_needed", False)
    return services.review_record(
        actor=by or coordinator(),
        case=fresh(case),
        scores={goal.pk: score for goal, score in scores.items()},
        expected_version=None,
        **kwargs,
    )


def close_case(case: Case, by=None, **kwargs) -> Case:
    """Close ``case`` (moving it to closing first when needed)."""
    from tandem.cases.services.lifecycle import case_transition

    by = by or coordinator()
    case = fresh(case)
    if case.status != CaseStatus.CLOSING:
        case = case_transition(actor=by, case=case, action="start_closing")
    kwargs.setdefault("outcome", "completed")
    kwargs.setdefault("closing_report", "Goals met; back in college full time.")
    return services.case_close(actor=by, case=case, expected_version=None, **kwargs)
