"""When a case's sessions, reviews and follow-ups fall due, from its plan and the
scheme's settings."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from . import defaults
from .models import Frequency

# Days between sessions at each plan frequency. Monthly is four weeks, so that a monthly
# rhythm keeps the day of the week the person is used to meeting on.
RHYTHM_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14, Frequency.MONTHLY: 28}


def review_interval() -> dt.timedelta:
    return dt.timedelta(weeks=defaults.REVIEW_INTERVAL_WEEKS)


def follow_up_dates(closed_on: dt.date) -> dict[str, dt.date]:
    """When each follow-up falls due: whole calendar months after the closure date."""
    return {
        kind: closed_on + relativedelta(months=months)
        for kind, months in defaults.FOLLOW_UP_MONTHS.items()
    }
