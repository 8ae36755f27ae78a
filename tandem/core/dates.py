"""The way Tandem writes a date in a sentence. Month arithmetic is dateutil's
``relativedelta``."""

from __future__ import annotations

import datetime as dt

from django.utils.dateformat import format as date_format


def long_date(date: dt.date) -> str:
    """A date as people write it in a sentence: 3 March 2026."""
    return date_format(date, "j F Y")
