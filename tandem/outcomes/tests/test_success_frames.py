"""The Success tab's frames computed from the case's records: vulnerability change per
dimension from the assessments, goal attainment by owner as T-scores at each review,
engagement from sessions, exit and follow-ups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.assessments.tests.factories_assessments import record
from tandem.cases.models import CaseStatus, FollowUpKind
from tandem.cases.tests.factories_plans import add_goal, close_case, planned_case, review
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session, working_match

from ..selectors import success_frames

pytestmark = pytest.mark.django_db


def test_vulnerability_change_is_counted_per_dimension():
    case, _ = planned_case()
    record(case, level="high", assessed_on=timezone.localdate() - dt.timedelta(days=60))
    record(case, level="high", levels={1: "low", 2: "low", 14: "moderate"})
    frames = success_frames(case)
    assert frames.assessments == 2
    assert len(frames.vulnerability) == 3
    assert sum(d.lower for d in frames.vulnerability) == 3
    assert sum(d.higher for d in frames.vulnerability) == 0
    assert sum(d.unchanged for d in frames.vulnerability) == 19
    assert frames.vulnerability[0].lower == 2


def test_goal_attainment_is_a_t_score_per_owner_at_each_review():
    case, (person_goal,) = planned_case()
    mentor_goal = add_goal(case, title="Keep to appointments", owner="mentor")
    review(
        case,
        {person_goal: 0, mentor_goal: -1},
        reviewed_on=timezone.localdate() - dt.timedelta(days=30),
    )
    review(case, {person_goal: 2, mentor_goal: 1})
    frames = success_frames(case)
    by_name = {s.name: s for s in frames.goals}
    person = by_name["The person\N{RIGHT SINGLE QUOTATION MARK}s goals"]
    assert [v for _, v, _ in person.points] == [50.0, 70.0]
    mentor = by_name["The mentor\N{RIGHT SINGLE QUOTATION MARK}s goals"]
    assert [v for _, v, _ in mentor.points] == [40.0, 60.0]
    assert person.change_words.startswith("+20")


def test_engagement_counts_held_against_planned_and_the_longest_gap():
    match = working_match(started_days_ago=100)
    for days in (90, 80, 50):
        make_session(match, status=SessionStatus.HELD, days_ago=days)
    make_session(match, status=SessionStatus.DID_NOT_ATTEND, days_ago=60)
    make_session(match, status=SessionStatus.CANCELLED, days_ago=40)
    make_session(
        match, status=SessionStatus.PLANNED, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    engagement = success_frames(match.case).engagement
    assert (engagement.planned, engagement.held, engagement.did_not_attend) == (5, 3, 1)
    assert engagement.did_not_attend_rate == 25
    assert engagement.longest_gap_days == 50  # from the last held session to today


def test_exit_outcome_and_follow_ups_after_closure():
    case, (goal,) = planned_case()
    review(case, {goal: 1})
    closed = close_case(case, outcome="partial")
    assert closed.status == CaseStatus.CLOSED
    frames = success_frames(closed)
    assert frames.exit_outcome == "Support completed, some goals met"
    assert [f.kind for f in frames.follow_ups] == [
        FollowUpKind.SIX_MONTHS,
        FollowUpKind.TWELVE_MONTHS,
    ]
