"""An evaluator asks for a pseudonymised export, waits for the background task, and
downloads a ZIP whose cases are k-anonymous; on a phone the page does not scroll sideways."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter

import pytest

from tandem.cases.tests.factories import make_case
from tandem.reports.export import QUASI_IDENTIFIERS
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def test_an_evaluator_makes_and_downloads_an_export(visit, browser, live_server, tmp_path):
    ensure_demo_users()
    people = [make_case(age_at_referral=17, gender="female") for _ in range(7)]
    e = spec("evaluator")
    visit.sign_in(e.email, DEMO_PASSWORD, e.key_bytes)
    page = visit.page
    page.get_by_role("link", name="Pseudonymised evaluation exports").click()
    visit.check()
    assert "You have not made an export yet" in page.inner_text("main")
    page.get_by_role("button", name="Make an export").click()
    visit.check()
    assert "Enter what the export is for" in page.inner_text("main")
    page.get_by_label("What the export is for").fill("Engagement by approach for the 2026 report")
    page.get_by_role("button", name="Make an export").click()
    visit.check()
    assert "is being made" in page.inner_text("main")
    visit.goto("/reports/exports/")  # the live server's task ran after the commit
    with page.expect_download() as info:
        page.get_by_role("link", name="Download").click()
    target = tmp_path / "export.zip"
    info.value.save_as(target)
    with zipfile.ZipFile(target) as archive:
        text = archive.read("cases.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7
    assert min(Counter(tuple(r[q] for q in QUASI_IDENTIFIERS) for r in rows).values()) >= 5
    assert not any(person.first_name in text or person.reference in text for person in people)

    from tests.e2e.conftest import Visit

    phone = browser.new_context(base_url=live_server.url, viewport=PHONE).new_page()
    phone_visit = Visit(phone, live_server.url, visit.axe)
    phone_visit.sign_in(e.email, DEMO_PASSWORD, e.key_bytes)
    phone_visit.goto("/reports/exports/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
