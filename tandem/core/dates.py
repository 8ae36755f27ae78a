"""Calendar arithmetic and the way Tandem writes a date in a sentence."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils.dateformat import format as date_format


def long_date(date: dt.date) -> str:
    """A date as people write it in a sentence: 3 March 2026."""
    return date_format(date, "j F Y")


def add_months(date: dt.date, months: int) -> dt.date:
    """``date`` moved by whole calendar months; a day the target month lacks (31 April,
    29 February in a common year) becomes that month's last day."""
    index = date.year * 12 + (date.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))
