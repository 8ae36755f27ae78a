"""When a concern must be acknowledged: minutes for immediate and urgent concerns,
working days for standard ones.

Working days skip Saturdays, Sundays and the bank holidays of England and Wales (from
the maintained ``holidays`` library, substitute days included) and are counted in the
scheme's time zone: a standard concern raised at 16:00 on a Friday with two working
days is due at 16:00 on Tuesday, local time, whatever the clocks did in between.
Minutes are real elapsed time (an hour is an hour across a clock change).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

import holidays
from django.conf import settings

from .models import SafeguardingPolicy, Urgency


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    # England and Wales share their bank holidays; the library names the subdivision ENG.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: dt.datetime, days: int, *, tz: dt.tzinfo | None = None) -> dt.datetime:
    """``start`` plus ``days`` working days, at the same local time of day. Raised on a
    day that is not a working day, the count starts at the beginning of the next one."""
    tz = tz or zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = start.astimezone(tz)
    day, time_of_day = local.date(), local.time().replace(tzinfo=None)
    if not is_working_day(day):
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        time_of_day = dt.time(0, 0)
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    # fold=0: in the repeated hour of an autumn clock change, the first of the two.
    return dt.datetime.combine(day, time_of_day, tzinfo=tz).astimezone(dt.UTC)


def due_at(*, urgency: str, raised_at: dt.datetime, policy: SafeguardingPolicy) -> dt.datetime:
    if urgency == Urgency.IMMEDIATE:
        return raised_at + dt.timedelta(minutes=policy.immediate_minutes)
    if urgency == Urgency.URGENT:
        return raised_at + dt.timedelta(minutes=policy.urgent_minutes)
    return add_working_days(raised_at, policy.standard_working_days)
