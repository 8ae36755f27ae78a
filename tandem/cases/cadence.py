"""When a case's reviews and follow-ups fall due, from the scheme's settings."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from . import defaults


def review_interval() -> dt.timedelta:
    return dt.timedelta(weeks=defaults.REVIEW_INTERVAL_WEEKS)


def follow_up_dates(closed_on: dt.date) -> dict[str, dt.date]:
    """When each follow-up falls due: whole calendar months after the closure date."""
    return {
        kind: closed_on + relativedelta(months=months)
        for kind, months in defaults.FOLLOW_UP_MONTHS.items()
    }
