"""Filling Tandem's forms in the browser the way a person does."""

from __future__ import annotations

import datetime as dt


def fill_date(page, legend: str, day: dt.date) -> None:
    """Type ``day`` into the GOV.UK date input whose legend is ``legend``."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def send_referral(visit) -> None:
    """Continue from the referral form, check the answers, and send it."""
    page = visit.page
    page.get_by_role("button", name="Continue").click()
    visit.check()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Check your answers")
    page.get_by_role("button", name="Send the referral").click()
    visit.check()
