"""The analytics read each closed case's outcomes and factors in a fixed number of
queries, withhold small groups, and show board members and evaluators no count of 1-7."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.cases.models import CaseStatus, Review
from tandem.cases.tests.factories import make_case
from tandem.matching.tests.factories import live_match, matching_mentor
from tandem.meetings.models import Session, SessionStatus
from tandem.meetings.tests.factories import make_session
from tandem.outcomes.models import Response
from tandem.outcomes.tests.factories import answer
from tandem.reports import analytics

pytestmark = pytest.mark.django_db


def _closed(n: int, *, outcome: str, approach: str, t_score: float | None = None):
    cases = []
    for _ in range(n):
        case = make_case(status=CaseStatus.CLOSED, closure_outcome=outcome)
        match = live_match(case, matching_mentor())
        session = make_session(match, status=SessionStatus.HELD, days_ago=10)
        Session.objects.filter(pk=session.pk).update(approach=approach, style=2)
        if t_score is not None:
            Review.objects.create(
                case=case,
                reviewed_on=dt.date(2026, 6, 1),
                reviewer=create_user("coordinator"),
                summary="Review",
                t_score=t_score,
            )
        cases.append(case)
    return cases


def test_each_closed_case_gives_its_outcomes_and_factors():
    _closed(2, outcome="completed", approach="befriending", t_score=55)
    _closed(1, outcome="disengaged", approach="interventionist")
    make_case(status=CaseStatus.ASSESSMENT)  # open cases are not counted
    rows = analytics.case_rows()
    assert len(rows) == 3
    planned = sorted(r["planned_exit"] for r in rows)
    assert planned == [False, True, True]
    befriended = [r for r in rows if r["approach_used"] == "Befriending"]
    assert [r["goal_attainment"] for r in befriended] == [55.0, 55.0]
    assert all(r["style_used"] == "Mostly empathetic" for r in rows)


def test_the_number_of_queries_does_not_grow_with_the_cases(django_assert_max_num_queries):
    _closed(2, outcome="completed", approach="befriending")
    with django_assert_max_num_queries(10):
        analytics.case_rows()
    _closed(6, outcome="partial", approach="mixed", t_score=48)
    with django_assert_max_num_queries(10):
        analytics.case_rows()


def test_small_groups_are_withheld_and_large_ones_estimated():
    rows = [
        {"planned_exit": i % 2 == 0, "approach_used": "Befriending", **_rest()} for i in range(10)
    ] + [{"planned_exit": True, "approach_used": "Mixed", **_rest()} for _ in range(3)]
    table = next(
        t
        for t in analytics.tables(rows)
        if t.outcome.key == "planned_exit" and t.factor.key == "approach_used"
    )
    by_group = {g.group: g for g in table.groups}
    assert by_group["Mixed"].n is None and by_group["Mixed"].estimate is None
    assert by_group["Befriending"].n == 10 and by_group["Befriending"].estimate.value == 0.5


def _rest():
    return {
        "goal_attainment": None,
        "vulnerability_change": None,
        "style_used": "Balanced",
        "concern_type": "Extreme right",
        "shared_language": "Yes",
        "same_gender": "Yes",
        "lived_experience": "No",
        "accreditation_level": "Accredited",
        "pathway": "prevention",
        "age": 17,
    }


@pytest.mark.parametrize("role", ["board_member", "evaluator"])
def test_the_page_shows_no_count_from_one_to_seven(client, role):
    _closed(9, outcome="completed", approach="befriending", t_score=52)
    _closed(3, outcome="disengaged", approach="interventionist", t_score=41)
    sign_in(client, create_user(role))
    body = client.get(reverse("reports:analytics")).content.decode()
    assert "association" in body.lower() or "associations" in body.lower()
    cells = re.findall(r'govuk-table__cell--numeric">([^<]*)<', body)
    counts = [c for c in cells if re.fullmatch(r"\d+", c.strip())]
    assert counts and all(int(c) == 0 or int(c) >= 8 for c in counts)
    assert "withheld" in body


def test_with_too_few_closed_cases_the_page_says_so(client):
    _closed(2, outcome="completed", approach="befriending")
    sign_in(client, create_user("evaluator"))
    body = client.get(reverse("reports:analytics")).content.decode()
    assert "Not enough cases have closed yet" in body


def test_wellbeing_change_is_the_last_life_satisfaction_minus_the_first():
    (case,) = _closed(1, outcome="completed", approach="befriending")
    (once,) = _closed(1, outcome="completed", approach="befriending")
    answer(case, satisfied=4, worthwhile=5, happy=5, anxious=6)
    answer(case, satisfied=6, worthwhile=5, happy=5, anxious=6, occasion="review")
    answer(case, satisfied=7, worthwhile=6, happy=6, anxious=3, occasion="closure")
    answer(once, satisfied=9, worthwhile=9, happy=9, anxious=1)
    start = Response.objects.get(case=case, occasion="start").answered_at
    for days, occasion in ((30, "review"), (60, "closure")):
        Response.objects.filter(case=case, occasion=occasion).update(
            answered_at=start + dt.timedelta(days=days)
        )
    rows = {r["wellbeing_change"] for r in analytics.case_rows()}
    assert rows == {3.0, None}  # 7 - 4 for the case answered three times; once is no change


def test_the_page_is_computed_once_in_fifteen_minutes_and_afresh_after_a_restriction(client):
    from unittest import mock

    from tandem.privacy.models import Restriction
    from tandem.reports import analytics

    cases = _closed(9, outcome="completed", approach="befriending", t_score=52)
    sign_in(client, create_user("evaluator"))
    with mock.patch.object(analytics, "compute", wraps=analytics.compute) as computed:
        first = client.get(reverse("reports:analytics")).content.decode()
        client.get(reverse("reports:analytics"))
        assert computed.call_count == 1
        assert "Figures computed" in first and "kept for 15 minutes" in first
        Restriction.objects.create(
            case=cases[0],
            reason="The person asked",
            placed_by=create_user("data_protection_officer"),
        )
        client.get(reverse("reports:analytics"))
        assert computed.call_count == 2


def test_precompute_keeps_the_analytics_for_the_page(client):
    from unittest import mock

    from django.core.management import call_command

    from tandem.reports import analytics

    _closed(9, outcome="completed", approach="befriending", t_score=52)
    call_command("precompute_dashboard")
    sign_in(client, create_user("board_member"))
    with mock.patch.object(analytics, "compute", wraps=analytics.compute) as computed:
        assert client.get(reverse("reports:analytics")).status_code == 200
    assert computed.call_count == 0
