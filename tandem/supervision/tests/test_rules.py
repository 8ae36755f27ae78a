"""Overdue supervision and the level's caseload cap in the register's "can take a case
today": the reason in words, the pool query, and the two agreeing."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import create_user
from tandem.cases.tests.factories import make_case
from tandem.core.dates import long_date
from tandem.matching.features import load_pool
from tandem.matching.models import MatchStatus
from tandem.matching.selectors import evaluate_pair, rank_mentors
from tandem.matching.services import batch_create
from tandem.matching.tests.factories import live_match, matching_mentor, waiting_case
from tandem.mentors.matchability import (
    Rules,
    annotate_matchable,
    matchable_mentors,
    mentor_matchability,
    prefetch_for_matchability,
)
from tandem.mentors.models import Accreditation, Mentor
from tandem.mentors.tests.factories import accredit, make_matchable_mentor
from tandem.supervision.models import LevelRule
from tandem.supervision.rules import overdue_reason

from .factories import assign, make_record, make_supervisor

pytestmark = pytest.mark.django_db


def reasons(mentor, today=None):
    today = today or timezone.localdate()
    one = prefetch_for_matchability(Mentor.objects.filter(pk=mentor.pk), today).get()
    return mentor_matchability(one, Rules.load(today)).reasons


def pool_says(mentor, today=None) -> bool:
    return annotate_matchable(Mentor.objects.filter(pk=mentor.pk), today=today).get().is_matchable


def test_defaults_by_level():
    rules = {
        r.level.code: (r.frequency_weeks, r.format, r.caseload_cap) for r in LevelRule.objects.all()
    }
    assert rules == {
        "trainee": (4, "individual", 2),
        "accredited": (6, "individual", 4),
        "senior": (8, "group", 6),
    }


def test_a_mentor_without_supervision_or_assignment_has_no_clock_and_is_not_blocked():
    mentor = make_matchable_mentor()
    assert reasons(mentor) == ()
    assert pool_says(mentor)


def test_overdue_supervision_blocks_with_the_date_in_words():
    today = timezone.localdate()
    mentor = make_matchable_mentor()  # accredited: every 6 weeks
    make_record(mentor, held_on=today - dt.timedelta(weeks=6))  # due today
    assert reasons(mentor, today) == ()
    assert pool_says(mentor, today)
    tomorrow = today + dt.timedelta(days=1)
    assert reasons(mentor, tomorrow) == (f"Supervision overdue since {long_date(today)}",)
    assert not pool_says(mentor, tomorrow)


def test_the_date_reads_as_people_write_it():
    assert overdue_reason(dt.date(2026, 11, 3)) == "Supervision overdue since 3 November 2026"


def test_the_clock_starts_at_the_first_assignment_until_a_supervision_is_held():
    today = timezone.localdate()
    mentor = make_matchable_mentor()
    assign(mentor, make_supervisor(), started_on=today - dt.timedelta(weeks=7))
    assign(mentor, make_supervisor(), started_on=today - dt.timedelta(weeks=1))  # no reset
    due = today - dt.timedelta(weeks=1)
    assert reasons(mentor, today) == (f"Supervision overdue since {long_date(due)}",)
    make_record(mentor, held_on=today)
    assert reasons(mentor, today) == ()


def test_the_frequency_follows_the_current_level():
    today = timezone.localdate()
    mentor = make_matchable_mentor()
    Accreditation.objects.filter(mentor=mentor).delete()
    accredit(mentor, level_code="senior")  # every 8 weeks
    make_record(mentor, held_on=today - dt.timedelta(weeks=7))
    assert reasons(mentor, today) == ()
    later = today + dt.timedelta(weeks=1, days=1)
    due = today + dt.timedelta(weeks=1)
    assert reasons(mentor, later) == (f"Supervision overdue since {long_date(due)}",)


def test_the_lower_cap_wins():
    mentor = make_matchable_mentor(caseload_cap=6)  # accredited: level cap 4
    today = timezone.localdate()
    for _ in range(4):
        live_match(make_case(), mentor, status=MatchStatus.ACTIVE)
    assert reasons(mentor, today) == (
        "No spare capacity at their accreditation level (4 of 4 cases)",
    )
    assert not pool_says(mentor, today)
    LevelRule.objects.filter(level__code="accredited").update(caseload_cap=5)
    assert reasons(mentor, today) == ()
    Mentor.objects.filter(pk=mentor.pk).update(caseload_cap=4)
    assert reasons(mentor, today) == ("No spare capacity (4 of 4 cases)",)  # said once


def test_the_pool_is_still_one_query(django_assert_num_queries):
    for i in range(4):
        mentor = make_matchable_mentor()
        make_record(mentor, held_on=timezone.localdate() - dt.timedelta(weeks=4 + 2 * i))
    with django_assert_num_queries(2):  # the current code of conduct, then the pool
        assert len(list(matchable_mentors())) == 2


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    level=st.sampled_from([None, "trainee", "accredited", "senior"]),
    supervised_days_ago=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    assigned_days_ago=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    weeks=st.integers(min_value=1, max_value=26),
    level_cap=st.integers(min_value=0, max_value=3),
    cases=st.integers(min_value=0, max_value=3),
    days_ahead=st.integers(min_value=-3, max_value=60),
)
def test_the_pool_agrees_with_the_reasons(
    level, supervised_days_ago, assigned_days_ago, weeks, level_cap, cases, days_ahead
):
    mentor = make_matchable_mentor(caseload_cap=3)  # a new mentor each example
    if level is None:
        Accreditation.objects.filter(mentor=mentor).delete()
    elif level != "accredited":
        Accreditation.objects.filter(mentor=mentor).delete()
        accredit(mentor, level_code=level)
    LevelRule.objects.update(frequency_weeks=weeks, caseload_cap=level_cap)
    today = timezone.localdate()
    if supervised_days_ago is not None:
        make_record(mentor, held_on=today - dt.timedelta(days=supervised_days_ago), action=False)
    if assigned_days_ago is not None:
        assign(mentor, make_supervisor(), started_on=today - dt.timedelta(days=assigned_days_ago))
    for _ in range(cases):
        live_match(make_case(), mentor, status=MatchStatus.ACTIVE)
    when = today + dt.timedelta(days=days_ahead)
    assert pool_says(mentor, when) == (reasons(mentor, when) == ())


def test_an_overdue_mentor_drops_out_of_the_suggestions_with_the_reason():
    case = waiting_case()
    kept = matching_mentor(full_name="Ruth Kept")
    overdue = matching_mentor(full_name="Sam Overdue")
    held = timezone.localdate() - dt.timedelta(weeks=6, days=1)
    make_record(overdue, held_on=held)
    ranking = rank_mentors(case, k=10)
    assert [r.mentor.pk for r in ranking.mentors] == [kept.pk]
    assert ranking.excluded.get("unavailable") == 1
    verdict = evaluate_pair(case, overdue)
    due = held + dt.timedelta(weeks=6)
    assert not verdict.allowed
    assert verdict.reason == (
        f"Sam Overdue cannot take this case: Supervision overdue since {due.day} {due:%B %Y}."
    )


def test_batch_matching_reads_the_same_rule():
    kept = matching_mentor(full_name="Ruth Kept")
    overdue = matching_mentor(full_name="Sam Overdue")
    make_record(overdue, held_on=timezone.localdate() - dt.timedelta(weeks=7))
    pool = load_pool()
    matchable = dict(zip(pool.pks.tolist(), pool.arrays.matchable.tolist(), strict=True))
    assert matchable == {kept.pk: True, overdue.pk: False}


def test_batch_matching_gives_no_more_cases_than_the_level_cap_leaves_room_for():
    LevelRule.objects.filter(level__code="accredited").update(caseload_cap=2)
    mentor = matching_mentor(full_name="Ruth Kept", caseload_cap=5)  # accredited: level cap 2
    live_match(make_case(), mentor, status=MatchStatus.ACTIVE)
    cases = [waiting_case() for _ in range(3)]
    pool = load_pool()
    assert pool.arrays.spare.tolist() == [1]  # 2 - 1, not 5 - 1
    assert rank_mentors(cases[0], k=5).mentors[0].spare == 1
    batch = batch_create(actor=create_user("coordinator"))
    assert batch.pairs.filter(mentor=mentor).count() == 1
    LevelRule.objects.filter(level__code="accredited").update(caseload_cap=9)
    assert load_pool().arrays.spare.tolist() == [4]  # the mentor's own cap is lower
