import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conftest import create_user
from tandem.cases.models import CaseEvent, CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Area, ConcernType
from tandem.matching.fairness import (
    SMALL_COUNT,
    WITHHELD,
    Matched,
    Waiting,
    build_table,
    fairness_tables,
    rounded,
    withheld_counts,
)
from tandem.matching.models import Match, MatchStatus

from .factories import live_match, matching_mentor

URL = reverse("matching:fairness")
NOW = timezone.now()


# Disclosure control --------------------------------------------------------------------


def test_the_threshold_is_eight_people():
    assert SMALL_COUNT == 8


@pytest.mark.parametrize(
    ("count", "shown"),
    [(8, 10), (10, 10), (12, 10), (13, 15), (17, 15), (18, 20), (22, 20), (100, 100)],
)
def test_counts_are_rounded_to_the_nearest_five(count, shown):
    assert rounded(count) == shown


def test_one_small_count_takes_the_next_smallest_with_it():
    assert withheld_counts([3, 40, 9, 20]) == {0, 2}


def test_two_small_counts_need_no_secondary_suppression():
    assert withheld_counts([3, 40, 5, 20]) == {0, 2}
    assert withheld_counts([3, 40, 9, 20, 1]) == {0, 4}


def test_zero_is_shown_and_never_chosen_to_hide_a_small_count():
    assert withheld_counts([0, 2, 0, 30, 12]) == {1, 4}
    assert withheld_counts([0, 0, 30]) == set()


@given(st.lists(st.integers(min_value=0, max_value=60), max_size=12))
def test_no_small_count_is_shown_or_alone(counts):
    withheld = withheld_counts(counts)
    for i, count in enumerate(counts):
        if 0 < count < SMALL_COUNT:
            assert i in withheld
        if count == 0:
            assert i not in withheld
    # A single withheld cell could be worked out from the total; it is only alone
    # when no other group has anyone (then the total itself is small).
    if len(withheld) == 1:
        assert sum(counts) < SMALL_COUNT


# Tables from observations -------------------------------------------------------------


def matched(person, days, score, group):
    return Matched(person=person, days=days, score=score, groups={"g": group})


def waiting(person, days, group):
    return Waiting(person=person, days=days, groups={"g": group})


def rows(table):
    return {row.group: row for row in table.rows}


def test_medians_of_waiting_days_and_scores():
    observations = [matched(p, days=p, score=100 * p, group="B") for p in range(1, 10)]
    table = build_table("g", "By g", ["A", "B"], observations, [])

    b = rows(table)["B"]
    assert (b.matched, b.median_days, b.median_score) == ("10", "5", "500")
    a = rows(table)["A"]
    assert (a.matched, a.median_days, a.median_score, a.waiting) == ("0", "no data", "no data", "0")


def test_a_person_matched_twice_is_counted_once_but_both_waits_count():
    observations = [matched(p, days=10, score=600, group="B") for p in range(8)]
    observations.append(matched(0, days=100, score=900, group="B"))
    observations.append(matched(1, days=100, score=900, group="B"))
    b = rows(build_table("g", "By g", ["B"], observations, []))["B"]
    assert b.matched == "10"  # 8 people, rounded
    assert b.median_days == "10"  # of 10 matches: eight 10s and two 100s


def test_a_group_of_three_is_withheld_and_the_next_smallest_count_too():
    observations = (
        [matched(p, days=5, score=300, group="Small") for p in range(3)]
        + [matched(100 + p, days=10, score=500, group="Middle") for p in range(9)]
        + [matched(200 + p, days=20, score=700, group="Large") for p in range(22)]
    )
    table = build_table("g", "By g", ["Small", "Middle", "Large"], observations, [])
    by_group = rows(table)

    small = by_group["Small"]
    assert (small.matched, small.median_days, small.median_score) == (WITHHELD,) * 3
    # Withheld too, so that 3 cannot be worked out from the total; its medians rest on
    # 9 people and are shown.
    middle = by_group["Middle"]
    assert middle.matched == WITHHELD
    assert (middle.median_days, middle.median_score) == ("10", "500")
    assert by_group["Large"].matched == "20"
    assert table.total.matched == "35"  # 34 people, rounded
    assert "3" not in {small.matched, middle.matched}


def test_people_still_waiting_are_withheld_in_their_own_column():
    people = [waiting(p, days=30, group="A") for p in range(9)] + [
        waiting(50 + p, days=60, group="B") for p in range(2)
    ]
    observations = [matched(100 + p, days=10, score=500, group="B") for p in range(12)]
    table = build_table("g", "By g", ["A", "B"], observations, people)
    a, b = rows(table)["A"], rows(table)["B"]
    assert (a.waiting, a.median_waiting) == (WITHHELD, "30")  # secondary
    assert (b.waiting, b.median_waiting) == (WITHHELD, WITHHELD)  # 2 people
    assert (b.matched, b.median_days) == ("10", "10")
    assert (table.total.waiting, table.total.median_waiting) == ("10", "30")


def test_a_small_total_is_withheld():
    table = build_table("g", "By g", ["A"], [matched(1, 3, 400, "A")], [waiting(2, 4, "A")])
    assert table.total.matched == WITHHELD and table.total.waiting == WITHHELD
    assert table.total.median_score == WITHHELD


def test_a_wait_whose_start_is_not_known_is_left_out_of_the_median():
    observations = [matched(p, days=None, score=500, group="A") for p in range(9)]
    a = rows(build_table("g", "By g", ["A"], observations, []))["A"]
    assert (a.matched, a.median_days, a.median_score) == ("10", "not known", "500")


def test_a_group_found_only_in_the_data_is_added_at_the_end():
    observations = [matched(p, days=1, score=1, group="Not known") for p in range(8)]
    table = build_table("g", "By g", ["A"], observations, [])
    assert [row.group for row in table.rows] == ["A", "Not known"]


# From the database ---------------------------------------------------------------------


def matched_case(mentor, *, waited_days, score, status=MatchStatus.ACCEPTED, **fields):
    """A case that waited ``waited_days`` since it last entered "awaiting match"."""
    proposed = NOW - dt.timedelta(days=50)
    case = make_case(status=CaseStatus.MATCHED, **fields)
    for days_before in (waited_days + 200, waited_days):  # the latest one counts
        CaseEvent.objects.create(
            case=case,
            kind="status",
            summary="Awaiting a match",
            to_status=CaseStatus.AWAITING_MATCH,
            occurred_at=proposed - dt.timedelta(days=days_before),
        )
    # After the proposal (a later rematch): not this match's wait.
    CaseEvent.objects.create(
        case=case,
        kind="status",
        summary="Awaiting a match",
        to_status=CaseStatus.AWAITING_MATCH,
        occurred_at=proposed + dt.timedelta(days=5),
    )
    match = live_match(case, mentor, status=status, proposed_at=proposed)
    Match.objects.filter(pk=match.pk).update(score=score)
    return case


@pytest.fixture
def hate_crime():
    return ConcernType.objects.get(code="hate-crime")


@pytest.mark.django_db
def test_tables_from_matches_and_people_waiting(hate_crime):
    mentor = matching_mentor()
    coventry = Area.objects.get(name="Coventry")
    fields = {"concern_type": hate_crime, "gender": "female", "age_at_referral": 30}
    for i, waited in enumerate([10, 10, 10, 10, 20, 20, 20, 20]):
        status = [MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.ENDED][i % 3]
        matched_case(
            mentor, waited_days=waited, score=400 + 50 * i, status=status, area=coventry, **fields
        )
    # Not matches that reached the mentor's acceptance.
    matched_case(
        mentor, waited_days=300, score=10, status=MatchStatus.DECLINED, area=coventry, **fields
    )
    for _ in range(9):
        make_case(
            status=CaseStatus.AWAITING_MATCH,
            status_changed_at=NOW - dt.timedelta(days=30),
            area=coventry,
            **fields,
        )

    tables = {table.dimension: table for table in fairness_tables(now=NOW)}

    concern = rows(tables["concern_type"])
    row = concern[hate_crime.name]
    assert (row.matched, row.median_days, row.median_score) == ("10", "15", "575")
    assert (row.waiting, row.median_waiting) == ("10", "30")
    islamist = concern[ConcernType.objects.get(code="islamist").name]
    assert (islamist.matched, islamist.median_days, islamist.waiting) == ("0", "no data", "0")
    assert rows(tables["gender"])["Female"].matched == "10"
    assert rows(tables["age_band"])["25 and over"].median_days == "15"
    assert list(rows(tables["age_band"])) == ["Under 18", "18 to 24", "25 and over"]
    assert rows(tables["area"])["Coventry"].median_score == "575"
    assert tables["area"].total.matched == "10"


# The page ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "board_member", "evaluator"])
def test_the_page_shows_aggregates_without_names_or_references(client, signed_in, role, hate_crime):
    mentor = matching_mentor(full_name="Amira Mentorname")
    cases = [
        matched_case(
            mentor, waited_days=d, score=500, concern_type=hate_crime, first_name="Zebedee"
        )
        for d in range(1, 10)
    ]
    signed_in(create_user(role))

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Fairness in matching" in html
    assert "fewer than 8 people" in html
    for caption in (
        "By concern type",
        "By the person&#x27;s gender",
        "By age band at referral",
        "By area",
    ):
        assert caption in html
    for case in cases:
        assert case.reference not in html
    assert "Zebedee" not in html and "Mentorname" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["referrer", "mentor", "supervisor"])
def test_other_roles_are_refused(client, signed_in, role):
    signed_in(create_user(role))
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_query_count_does_not_grow_with_matches(client, signed_in, hate_crime):
    signed_in(create_user("evaluator"))
    mentor = matching_mentor()
    areas = list(Area.objects.all())

    def add(n):
        for i in range(n):
            matched_case(
                mentor,
                waited_days=i,
                score=500,
                concern_type=hate_crime,
                area=areas[i % len(areas)],
            )
            make_case(status=CaseStatus.AWAITING_MATCH, area=areas[i % len(areas)])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(8)
    assert count() == few
