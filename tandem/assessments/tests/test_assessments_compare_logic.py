"""The comparison logic: directions (with "not known", which has no rank), the factor by
factor contrast, the summary count, and ``compare_assessments`` over real data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.assessments.models import (
    Assessment,
    AssessmentKind,
    Dimension,
    Factor,
    FactorRating,
    RatingLevel,
)
from tandem.assessments.selectors import (
    Direction,
    build_comparison,
    compare_assessments,
    contrast,
    direction,
)

from .factories_assessments import assessment_case, record, small_framework

# Pure: unsaved objects, no database -----------------------------------------------------

NONE = RatingLevel(code="not_present", label="Not present", rank=0)
LOW = RatingLevel(code="low", label="Low", rank=1)
MODERATE = RatingLevel(code="moderate", label="Moderate", rank=2)
HIGH = RatingLevel(code="high", label="High", rank=3)
UNKNOWN = RatingLevel(code="not_known", label="Not known", rank=None)


@pytest.mark.parametrize(
    ("then", "now", "expected"),
    [
        (LOW, HIGH, Direction.HIGHER),
        (NONE, LOW, Direction.HIGHER),
        (HIGH, MODERATE, Direction.LOWER),
        (MODERATE, NONE, Direction.LOWER),
        (LOW, LOW, Direction.SAME),
        (NONE, NONE, Direction.SAME),
        (UNKNOWN, UNKNOWN, Direction.SAME),
        (UNKNOWN, NONE, Direction.NEWLY_KNOWN),
        (UNKNOWN, HIGH, Direction.NEWLY_KNOWN),
        (NONE, UNKNOWN, Direction.NOW_UNKNOWN),
        (HIGH, UNKNOWN, Direction.NOW_UNKNOWN),
        (None, LOW, Direction.NOT_RATED),
        (LOW, None, Direction.NOT_RATED),
    ],
)
def test_direction(then, now, expected):
    assert direction(then, now) is expected


def test_direction_labels_read_as_the_page_shows_them():
    assert [d.label for d in Direction] == [
        "Higher concern",
        "Lower concern",
        "No change",
        "Newly known",
        "Now unknown",
        "Not rated before",
    ]


def _dimensions():
    first = Dimension(pk=1, name="Engagement", position=1)
    second = Dimension(pk=2, name="Intent", position=2)
    factors = [
        Factor(pk=10 + n, number=n, name=f"Factor {n}", dimension_id=1 if n <= 3 else 2)
        for n in range(1, 6)
    ]
    return [(first, factors[:3]), (second, factors[3:])]


def _assessment(pk, day, kind=AssessmentKind.REASSESSMENT, framework_id=1):
    return Assessment(
        pk=pk, kind=kind, assessed_on=dt.date(2026, 1, day), framework_id=framework_id
    )


def _ratings(levels, narratives=None):
    narratives = narratives or {}
    return [
        FactorRating(factor_id=10 + n, level=level, narrative=narratives.get(n, "Same words."))
        for n, level in levels.items()
    ]


def test_contrast_goes_factor_by_factor_in_framework_order():
    result = contrast(
        earlier=_assessment(1, 1, AssessmentKind.INTAKE),
        later=_assessment(2, 20),
        earlier_ratings=_ratings({1: HIGH, 2: LOW, 3: UNKNOWN, 4: MODERATE, 5: LOW}),
        later_ratings=_ratings(
            {1: LOW, 2: LOW, 3: MODERATE, 4: UNKNOWN, 5: HIGH}, {2: "New words."}
        ),
        dimensions=_dimensions(),
        since="since intake",
    )
    assert [d.name for d, _ in result.dimensions] == ["Engagement", "Intent"]
    assert [(c.factor.number, c.direction) for c in result.changes] == [
        (1, Direction.LOWER),
        (2, Direction.SAME),
        (3, Direction.NEWLY_KNOWN),
        (4, Direction.NOW_UNKNOWN),
        (5, Direction.HIGHER),
    ]
    # Factor 2 kept its rating but its evidence was rewritten: shown side by side too.
    assert [c.factor.number for c in result.changed] == [1, 2, 3, 4, 5]
    assert result.changes[1].narrative_changed and not result.changes[1].rating_changed
    assert result.summary == (
        "1 factor lower, 1 higher, 1 unchanged, 1 newly known, 1 now unknown since intake"
    )
    assert result.heading == "Since intake"


def test_the_summary_counts_factors_and_leaves_out_empty_rarities():
    levels_then = dict.fromkeys(range(1, 6), HIGH)
    levels_now = {1: LOW, 2: LOW, 3: HIGH, 4: HIGH, 5: HIGH}
    result = contrast(
        earlier=_assessment(1, 1),
        later=_assessment(2, 2),
        earlier_ratings=_ratings(levels_then),
        later_ratings=_ratings(levels_now),
        dimensions=_dimensions(),
        since="since the previous assessment",
    )
    assert result.summary == "2 factors lower, 0 higher, 3 unchanged since the previous assessment"
    assert [c.factor.number for c in result.changed] == [1, 2]


def test_assessments_on_different_frameworks_are_not_compared_factor_by_factor():
    result = contrast(
        earlier=_assessment(1, 1, framework_id=7),
        later=_assessment(2, 2),
        earlier_ratings=_ratings(dict.fromkeys(range(1, 6), HIGH)),
        later_ratings=_ratings(dict.fromkeys(range(1, 6), LOW)),
        dimensions=_dimensions(),
        since="since intake",
    )
    assert not result.comparable
    assert {c.direction for c in result.changes} == {Direction.NOT_RATED}


def test_build_comparison_with_two_assessments_compares_once_since_intake():
    intake, latest = _assessment(1, 1, AssessmentKind.INTAKE), _assessment(2, 2)
    result = build_comparison(
        count=2,
        latest=latest,
        previous=intake,
        intake=intake,
        ratings={1: _ratings({1: HIGH}), 2: _ratings({1: LOW})},
        dimensions=_dimensions(),
    )
    assert result.possible
    assert result.since_intake is None
    assert result.since_previous.since == "since intake"
    assert [c.since for c in result.contrasts] == ["since intake"]


def test_build_comparison_with_three_compares_with_previous_and_intake():
    intake, middle, latest = (
        _assessment(1, 1, AssessmentKind.INTAKE),
        _assessment(2, 2),
        _assessment(3, 3),
    )
    result = build_comparison(
        count=3,
        latest=latest,
        previous=middle,
        intake=intake,
        ratings={
            1: _ratings({1: HIGH, 2: UNKNOWN}),
            2: _ratings({1: MODERATE, 2: UNKNOWN}),
            3: _ratings({1: MODERATE, 2: LOW}),
        },
        dimensions=_dimensions(),
    )
    assert result.since_previous.since == "since the previous assessment"
    assert result.since_intake.since == "since intake"
    previous_dirs = [c.direction for c in result.since_previous.changes[:2]]
    intake_dirs = [c.direction for c in result.since_intake.changes[:2]]
    assert previous_dirs == [Direction.SAME, Direction.NEWLY_KNOWN]
    assert intake_dirs == [Direction.LOWER, Direction.NEWLY_KNOWN]


def test_build_comparison_with_fewer_than_two_is_not_possible():
    only = _assessment(1, 1, AssessmentKind.INTAKE)
    result = build_comparison(
        count=1, latest=only, previous=None, intake=only, ratings={}, dimensions=_dimensions()
    )
    assert not result.possible and result.contrasts == []


# Over the database ---------------------------------------------------------------------


def _days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.mark.django_db
def test_compare_assessments_finds_intake_previous_and_latest():
    case = assessment_case()
    record(case, assessed_on=_days_ago(30), levels={1: "high", 2: "not_known", 3: "moderate"})
    record(case, assessed_on=_days_ago(20), levels={1: "moderate", 2: "low", 3: "moderate"})
    record(
        case,
        assessed_on=_days_ago(10),
        levels={1: "low", 2: "not_known", 3: "high"},
        narratives={3: "Now talking about weapons."},
    )
    result = compare_assessments(case)
    assert result.count == 3
    assert result.intake.kind == AssessmentKind.INTAKE
    assert result.intake.assessed_on == _days_ago(30)
    assert result.previous.assessed_on == _days_ago(20)
    assert result.latest.assessed_on == _days_ago(10)
    by_number = {c.factor.number: c for c in result.since_previous.changes}
    assert by_number[1].direction is Direction.LOWER
    assert by_number[2].direction is Direction.NOW_UNKNOWN
    assert by_number[3].direction is Direction.HIGHER
    assert by_number[3].now.narrative == "Now talking about weapons."
    assert by_number[4].direction is Direction.SAME
    since_intake = {c.factor.number: c for c in result.since_intake.changes}
    assert since_intake[1].direction is Direction.LOWER
    assert since_intake[2].direction is Direction.SAME  # not known then and now
    assert since_intake[3].direction is Direction.HIGHER
    assert result.since_intake.summary == "1 factor lower, 1 higher, 20 unchanged since intake"
    assert result.scale.evidence_codes == {"moderate", "high"}
    assert result.scale.top_rank == 3


@pytest.mark.django_db
def test_compare_assessments_with_none_or_one():
    case = assessment_case()
    empty = compare_assessments(case)
    assert empty.count == 0 and not empty.possible and empty.latest is None
    only = record(case)
    one = compare_assessments(case)
    assert one.count == 1 and not one.possible and one.latest == only


@pytest.mark.django_db
def test_a_new_default_framework_is_not_compared_with_the_old_one():
    case = assessment_case()
    record(case, assessed_on=_days_ago(5))
    framework = small_framework()
    record(case, framework=framework, level="some", assessed_on=_days_ago(1))
    result = compare_assessments(case)
    assert result.possible and not result.since_previous.comparable
    assert [c.factor.name for c in result.since_previous.changes] == ["Sleep", "Mood", "Friends"]
