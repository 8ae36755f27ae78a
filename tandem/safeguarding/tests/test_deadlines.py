"""Deadlines: minutes for immediate and urgent concerns, working days (no weekends, no
bank holidays of England and Wales) for standard ones, in the scheme's time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..deadlines import add_working_days, due_at, is_working_day
from ..models import SafeguardingPolicy, Urgency

LONDON = zoneinfo.ZoneInfo("Europe/London")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def policy(**fields) -> SafeguardingPolicy:
    return SafeguardingPolicy(**fields)  # unsaved: the defaults


@pytest.mark.parametrize(
    ("raised", "days", "due"),
    [
        # Monday to Wednesday
        (local(2026, 11, 2, 10, 0), 2, local(2026, 11, 4, 10, 0)),
        # Friday afternoon: the weekend does not count
        (local(2026, 11, 6, 16, 0), 2, local(2026, 11, 10, 16, 0)),
        # Saturday: the count starts on Monday morning
        (local(2026, 11, 7, 9, 30), 2, local(2026, 11, 11, 0, 0)),
        # Thursday before Easter: Good Friday and Easter Monday are bank holidays
        (local(2026, 4, 2, 11, 0), 2, local(2026, 4, 8, 11, 0)),
        # Christmas Eve 2026 (Thursday): Christmas, Boxing Day (Saturday, observed on
        # Monday 28th), the weekend
        (local(2026, 12, 24, 15, 0), 2, local(2026, 12, 30, 15, 0)),
        # New Year's Eve (Thursday): New Year's Day, then the weekend
        (local(2026, 12, 31, 12, 0), 2, local(2027, 1, 5, 12, 0)),
        # Late summer bank holiday (Monday 31 August 2026)
        (local(2026, 8, 28, 9, 0), 1, local(2026, 9, 1, 9, 0)),
    ],
)
def test_standard_deadline_skips_weekends_and_bank_holidays(raised, days, due):
    assert add_working_days(raised, days) == due


def test_working_days_are_counted_in_local_time_across_the_spring_clock_change():
    # Friday 27 March 2026 at 10:00 GMT; clocks go forward on Sunday 29 March.
    raised = local(2026, 3, 27, 10, 0)
    due = add_working_days(raised, 2)
    assert due == local(2026, 3, 31, 10, 0)  # 10:00 BST, one hour less in UTC
    assert due.astimezone(dt.UTC).hour == 9


def test_working_days_are_counted_in_local_time_across_the_autumn_clock_change():
    raised = local(2026, 10, 23, 10, 0)  # BST; clocks go back on Sunday 25 October
    assert add_working_days(raised, 2) == local(2026, 10, 27, 10, 0)


def test_a_utc_raised_time_is_read_in_the_scheme_time_zone():
    # 23:30 UTC on Friday 3 July 2026 is 00:30 on Saturday in London: counts from Monday.
    raised = dt.datetime(2026, 7, 3, 23, 30, tzinfo=dt.UTC)
    assert add_working_days(raised, 2) == local(2026, 7, 8, 0, 0)


def test_immediate_and_urgent_deadlines_are_elapsed_minutes_even_over_a_clock_change():
    raised = local(2026, 3, 29, 0, 30)  # clocks go forward at 01:00 GMT
    assert due_at(urgency=Urgency.IMMEDIATE, raised_at=raised, policy=policy()) == (
        raised + dt.timedelta(hours=1)
    )
    assert due_at(urgency=Urgency.URGENT, raised_at=raised, policy=policy()) == (
        raised + dt.timedelta(hours=4)
    )


def test_deadlines_follow_the_policy():
    raised = local(2026, 11, 2, 10, 0)
    custom = policy(immediate_minutes=15, urgent_minutes=120, standard_working_days=5)
    assert due_at(urgency=Urgency.IMMEDIATE, raised_at=raised, policy=custom) == local(
        2026, 11, 2, 10, 15
    )
    assert due_at(urgency=Urgency.URGENT, raised_at=raised, policy=custom) == local(
        2026, 11, 2, 12, 0
    )
    assert due_at(urgency=Urgency.STANDARD, raised_at=raised, policy=custom) == local(
        2026, 11, 9, 10, 0
    )


def test_bank_holidays_come_from_the_holidays_library():
    assert not is_working_day(dt.date(2026, 12, 25))
    assert not is_working_day(dt.date(2026, 12, 28))  # Boxing Day observed
    assert not is_working_day(dt.date(2027, 5, 31))  # spring bank holiday
    assert is_working_day(dt.date(2026, 12, 29))


moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2030, 12, 31),
    timezones=st.just(dt.UTC),
)


@settings(max_examples=300, deadline=None)
@given(raised=moments, days=st.integers(min_value=1, max_value=15))
def test_a_standard_deadline_lands_on_a_working_day_after_exactly_n_working_days(raised, days):
    due = add_working_days(raised, days)
    due_day = due.astimezone(LONDON).date()
    start = raised.astimezone(LONDON).date()
    assert due > raised
    assert is_working_day(due_day)
    between = [
        start + dt.timedelta(days=n)
        for n in range(1, (due_day - start).days + 1)
        if is_working_day(start + dt.timedelta(days=n))
    ]
    # Raised on a working day: exactly ``days`` working days after it; otherwise the
    # first working day after it starts the count.
    assert len(between) == (days if is_working_day(start) else days + 1)


@settings(max_examples=200, deadline=None)
@given(raised=moments, days=st.integers(min_value=1, max_value=10))
def test_a_later_raise_is_never_due_earlier(raised, days):
    later = raised + dt.timedelta(hours=7)
    assert add_working_days(later, days) >= add_working_days(raised, days)
