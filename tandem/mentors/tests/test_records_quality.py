"""Derived states: expiry tags, accreditation requirements, quality-assurance status."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from tandem.mentors.models import (
    AccreditationLevel,
    CheckOutcome,
    ObservationRating,
    VettingCheckType,
)
from tandem.mentors.quality import (
    MEETS_THE_STANDARD,
    NEEDS_ATTENTION,
    NOT_YET_OBSERVED,
    OBSERVATION_OVERDUE,
    check_tag,
    level_check,
    quality_status,
    vetting_rows,
)

from .factories import make_mentor
from .factories_records import add_check, complete, days_ago, give_feedback, observe

TODAY = dt.date(2026, 3, 27)


# Calendar months -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 3, 27), 24, dt.date(2028, 3, 27)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 15), -12, dt.date(2025, 1, 15)),
    ],
)
def test_calendar_months_move_by_month_and_clamp_the_day(start, months, expected):
    assert start + relativedelta(months=months) == expected


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2900, 1, 1)), st.integers(-600, 600)
)
def test_calendar_months_land_in_the_right_month_without_overshooting_the_day(start, months):
    result = start + relativedelta(months=months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    if result.day < start.day:  # clamped: the last day of a shorter month
        assert (result + dt.timedelta(days=1)).day == 1


# Vetting tags --------------------------------------------------------------------------


class _Check:
    def __init__(self, outcome, expires_on=None):
        self.outcome = outcome
        self.expires_on = expires_on


@pytest.mark.parametrize(
    ("check", "text"),
    [
        (None, "Not started"),
        (_Check(CheckOutcome.PENDING), "Pending"),
        (_Check(CheckOutcome.FAILED), "Failed"),
        (_Check(CheckOutcome.PASSED), "Current"),
        (_Check(CheckOutcome.PASSED, TODAY + dt.timedelta(days=61)), "Current"),
        (_Check(CheckOutcome.PASSED, TODAY + dt.timedelta(days=60)), "Expires within 60 days"),
        (_Check(CheckOutcome.PASSED, TODAY + dt.timedelta(days=1)), "Expires within 60 days"),
        (_Check(CheckOutcome.PASSED, TODAY), "Expired"),
        (_Check(CheckOutcome.PASSED, TODAY - dt.timedelta(days=3)), "Expired"),
    ],
)
def test_check_status_tags(check, text):
    assert check_tag(check, TODAY).text == text


@pytest.mark.django_db
def test_vetting_rows_pick_the_latest_check_and_keep_the_history():
    mentor = make_mentor()
    old = add_check(mentor, "interview", outcome=CheckOutcome.FAILED, on=days_ago(40))
    new = add_check(mentor, "interview", on=days_ago(3))
    types = list(VettingCheckType.objects.filter(is_active=True))
    rows = {
        r.check_type.code: r for r in vetting_rows(types, list(mentor.checks.all()), days_ago(0))
    }
    assert rows["interview"].latest == new
    assert rows["interview"].earlier == (old,)
    assert not rows["interview"].blocking
    assert rows["identity"].latest is None
    assert rows["identity"].tag.text == "Not started"


@pytest.mark.django_db
def test_only_a_failed_required_check_blocks():
    mentor = make_mentor()
    add_check(mentor, "interview", outcome=CheckOutcome.FAILED)
    add_check(mentor, "security-vetting", outcome=CheckOutcome.FAILED)
    types = list(VettingCheckType.objects.filter(is_active=True))
    rows = vetting_rows(types, list(mentor.checks.all()), days_ago(0))
    assert [r.check_type.code for r in rows if r.blocking] == ["interview"]


# Accreditation requirements ------------------------------------------------------------


@pytest.mark.django_db
def test_level_check_lists_missing_modules_and_observed_practice():
    mentor = make_mentor()
    complete(mentor, "safeguarding", "prevention-duty")
    level = AccreditationLevel.objects.get(code="accredited")
    result = level_check(
        level=level,
        on=days_ago(0),
        completions=list(mentor.completions.all()),
        observations=[],
    )
    assert not result.met
    modules, sessions, observed = result.requirements
    assert not modules.met
    assert "Mentoring skills" in modules.unmet_reason
    assert "Safeguarding" not in modules.unmet_reason
    assert sessions.met  # the accredited level needs none
    assert not observed.met
    assert len(result.unmet) == 2


@pytest.mark.django_db
def test_supervised_sessions_are_unmet_below_the_level_minimum():
    level = AccreditationLevel.objects.get(code="senior")
    result = level_check(level=level, on=days_ago(0), completions=[], observations=[])
    sessions = result.requirements[1]
    assert not sessions.met
    assert sessions.unmet_reason == "Supervised sessions: 0 of 20 recorded"
    enough = level_check(
        level=level, on=days_ago(0), completions=[], observations=[], supervised_sessions=20
    )
    assert enough.requirements[1].met


@pytest.mark.django_db
def test_observed_practice_must_be_good_and_within_twelve_months():
    mentor = make_mentor()
    level = AccreditationLevel.objects.get(code="accredited")
    on = dt.date(2026, 3, 27)

    def met(*observations):
        result = level_check(level=level, on=on, completions=[], observations=list(observations))
        return result.requirements[2].met

    assert not met(observe(mentor, ObservationRating.REQUIRES_IMPROVEMENT, on=on))
    assert not met(observe(mentor, ObservationRating.GOOD, on=dt.date(2025, 3, 26)))
    assert met(observe(mentor, ObservationRating.GOOD, on=dt.date(2025, 3, 27)))
    assert met(observe(mentor, ObservationRating.OUTSTANDING, on=on))
    # An observation after the award date does not count for that date.
    assert not met(observe(mentor, ObservationRating.OUTSTANDING, on=on + dt.timedelta(days=1)))


@pytest.mark.django_db
def test_completions_after_the_check_date_do_not_count():
    mentor = make_mentor()
    complete(mentor, "safeguarding", "prevention-duty", "data-protection", on=days_ago(1))
    level = AccreditationLevel.objects.get(code="trainee")
    completions = list(mentor.completions.all())
    assert level_check(level=level, on=days_ago(0), completions=completions, observations=[]).met
    assert not level_check(
        level=level, on=days_ago(2), completions=completions, observations=[]
    ).met


# Quality-assurance status --------------------------------------------------------------


def status(mentor, today=None):
    return quality_status(mentor, today or days_ago(0))


@pytest.mark.django_db
def test_a_mentor_never_observed_is_not_yet_observed():
    mentor = make_mentor()
    result = status(mentor)
    assert result.label == NOT_YET_OBSERVED
    assert result.tag_colour == "grey"
    assert result.reasons == ("No observed practice recorded",)


@pytest.mark.django_db
def test_a_recent_good_observation_meets_the_standard():
    mentor = make_mentor()
    observe(mentor, ObservationRating.GOOD, on=days_ago(20))
    give_feedback(mentor, positive=False, on=days_ago(10))  # one negative is not a pattern
    assert status(mentor).label == MEETS_THE_STANDARD


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rating", [ObservationRating.REQUIRES_IMPROVEMENT, ObservationRating.INADEQUATE]
)
def test_a_poor_latest_observation_needs_attention(rating):
    mentor = make_mentor()
    observe(mentor, ObservationRating.OUTSTANDING, on=days_ago(200))
    observe(mentor, rating, on=days_ago(20))
    result = status(mentor)
    assert result.label == NEEDS_ATTENTION
    assert result.tag_colour == "red"


@pytest.mark.django_db
def test_a_later_good_observation_clears_an_earlier_poor_one():
    mentor = make_mentor()
    observe(mentor, ObservationRating.INADEQUATE, on=days_ago(200))
    observe(mentor, ObservationRating.GOOD, on=days_ago(20))
    assert status(mentor).label == MEETS_THE_STANDARD


@pytest.mark.django_db
def test_two_negative_feedback_records_in_six_months_need_attention():
    mentor = make_mentor()
    observe(mentor, ObservationRating.GOOD, on=days_ago(20))
    give_feedback(mentor, positive=False, on=days_ago(10))
    give_feedback(mentor, positive=False, on=days_ago(150))
    result = status(mentor)
    assert result.label == NEEDS_ATTENTION
    assert "2 negative feedback records in the last 6 months" in result.reasons


@pytest.mark.django_db
def test_negative_feedback_older_than_six_months_does_not_count():
    mentor = make_mentor()
    today = dt.date(2026, 9, 30)
    observe(mentor, ObservationRating.GOOD, on=dt.date(2026, 9, 1))
    give_feedback(mentor, positive=False, on=dt.date(2026, 9, 1))
    give_feedback(mentor, positive=False, on=dt.date(2026, 3, 30))  # exactly 6 months before
    assert status(mentor, today).label == MEETS_THE_STANDARD
    give_feedback(mentor, positive=False, on=dt.date(2026, 3, 31))
    assert status(mentor, today).label == NEEDS_ATTENTION


@pytest.mark.django_db
def test_an_observation_over_twelve_months_old_is_overdue():
    mentor = make_mentor()
    today = dt.date(2026, 3, 27)
    observe(mentor, ObservationRating.GOOD, on=dt.date(2025, 3, 27))
    assert status(mentor, today).label == MEETS_THE_STANDARD
    assert status(mentor, dt.date(2026, 3, 28)).label == OBSERVATION_OVERDUE
    assert status(mentor, dt.date(2026, 3, 28)).tag_colour == "orange"


@pytest.mark.django_db
def test_a_poor_observation_needs_attention_even_when_overdue():
    mentor = make_mentor()
    observe(mentor, ObservationRating.INADEQUATE, on=days_ago(500))
    result = status(mentor)
    assert result.label == NEEDS_ATTENTION
    assert any("more than 12 months old" in r for r in result.reasons)


@pytest.mark.django_db
def test_negative_feedback_is_reported_for_a_mentor_not_yet_observed():
    mentor = make_mentor()
    give_feedback(mentor, positive=False, on=days_ago(3))
    give_feedback(mentor, positive=False, on=days_ago(4))
    result = status(mentor)
    assert result.label == NOT_YET_OBSERVED
    assert "2 negative feedback records in the last 6 months" in result.reasons
