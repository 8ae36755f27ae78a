"""When a case's reviews and follow-ups fall due, from the scheme's settings."""

from __future__ import annotations

import datetime as dt

from tandem.core.dates import add_months

from . import defaults


def review_interval() -> dt.timedelta:
    return dt.timedelta(weeks=defaults.REVIEW_INTERVAL_WEEKS)


def follow_up_dates(closed_on: dt.date) -> dict[str, dt.date]:
    """When each follow-up falls due: whole calendar months after the closure date."""
    return {
        kind: add_months(closed_on, months) for kind, months in defaults.FOLLOW_UP_MONTHS.items()
    }
