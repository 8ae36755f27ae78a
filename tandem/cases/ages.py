"""A person's age on a given day, as intake and consent need it."""

from __future__ import annotations

import datetime as dt

from .models import Case


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def age_of(case: Case, day: dt.date) -> int:
    """The person's age on ``day``, from their date of birth (or their age at referral
    when the date cannot be read)."""
    try:
        born = dt.date.fromisoformat(case.date_of_birth)
    except (TypeError, ValueError):
        return case.age_at_referral
    return age_on(born, day)


def is_child_on(case: Case, day: dt.date) -> bool:
    """Whether the person was under 18 on ``day``, from their date of birth (or their
    age at referral when the date cannot be read)."""
    try:
        born = dt.date.fromisoformat(case.date_of_birth)
    except (TypeError, ValueError):
        return case.is_child
    return age_on(born, day) < 18
