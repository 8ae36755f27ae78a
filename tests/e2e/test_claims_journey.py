"""Claims end to end: on a 390 px wide phone, a mentor claims for a held session with a
photo of a receipt (after a mislabelled file is refused with everything typed kept) and
submits the month; a coordinator opens the month's queue, approves the claim, and the
month's CSV and Excel exports hold it, without the person's name."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tandem.accounts.models import User
from tandem.meetings.models import Claim, ClaimStatus
from tandem.meetings.tests.factories import held_session, mentor_with_account, png_bytes
from tandem.mentors.models import Mentor
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def new_visit(browser, live_server, axe, **context):
    from tests.e2e.conftest import Visit

    page = browser.new_context(base_url=live_server.url, **context).new_page()
    page.set_default_timeout(10_000)
    return Visit(page, live_server.url, axe)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_claim_submit_approve_export(visit, browser, live_server, tmp_path):
    ensure_demo_users()
    mentor_user = User.objects.get(email=spec("mentor").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    mentor = mentor_with_account(level="accredited", user=mentor_user, full_name="Sara Ahmed")
    session = held_session(mentor, duration_minutes=90, travel_minutes=30)
    case = session.case

    # 1. The mentor, on a phone, claims for the held session.
    phone = new_visit(browser, live_server, visit.axe, viewport=PHONE, has_touch=True)
    m = spec("mentor")
    phone.sign_in(m.email, DEMO_PASSWORD, m.key_bytes)
    page = phone.goto("/meetings/claims/")
    no_sideways_scroll(page)
    page.get_by_role("link", name=re.compile(rf"Claim for .*{case.reference}")).click()
    phone.check()
    no_sideways_scroll(page)
    assert page.get_by_label("Session hours").input_value() == "1.50"
    assert page.get_by_label("Travel hours").input_value() == "0.50"
    page.get_by_label("Miles driven").fill("12.4")
    page.get_by_label("Other expenses in pounds").fill("3.60")
    page.get_by_label("What the expenses were for").fill("Two bus fares")
    mislabelled = tmp_path / "ticket.pdf"
    mislabelled.write_bytes(png_bytes())
    page.get_by_label("Add receipts").set_input_files(str(mislabelled))
    page.get_by_role("button", name="Save the claim").click()
    phone.check()
    main = page.locator("main").inner_text()
    assert "There is a problem" in main
    assert "is named as a PDF but the file is a PNG image" in main
    assert page.get_by_label("Miles driven").input_value() == "12.4"
    assert page.get_by_label("What the expenses were for").input_value() == "Two bus fares"
    photo = tmp_path / "ticket.png"
    photo.write_bytes(png_bytes())
    page.get_by_label("Add receipts").set_input_files(str(photo))
    page.get_by_role("button", name="Save the claim").click()
    phone.check()
    claim = Claim.objects.get(session=session)
    assert claim.status == ClaimStatus.DRAFT and claim.receipts.count() == 1
    assert "ticket.png" in page.locator("main").inner_text()
    no_sideways_scroll(page)

    phone.goto(f"/meetings/claims/{claim.pk}/edit/")
    no_sideways_scroll(page)
    phone.goto("/meetings/claims/")
    page.get_by_role("button", name=re.compile(r"Submit 1 claim for")).click()
    phone.check()
    assert "1 claim for" in page.locator("main").inner_text()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED

    # 2. The coordinator approves it from the month's queue.
    c = spec("coordinator")
    visit.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    desk = visit.goto("/meetings/claims/queue/")
    desk.get_by_role("link", name=re.compile(case.reference)).click()
    visit.check()
    with desk.expect_download() as receipt_download:
        desk.get_by_role("link", name="ticket.png").click()
    assert receipt_download.value.suggested_filename == "ticket.png"
    desk.get_by_label("Approve").check()
    desk.get_by_role("button", name="Save the decision").click()
    visit.check()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert "The claim is approved" in desk.locator("main").inner_text()

    # 3. The month's exports hold the claim and not the person's name.
    with desk.expect_download() as csv_download:
        desk.get_by_role("link", name=re.compile(r"^CSV\s+for ")).click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "Sara Ahmed" and rows[1][2] == case.reference
    # (1.5 + 0.5) h at £18 + 12.4 miles at £0.45 + £3.60 = 36.00 + 5.58 + 3.60
    assert rows[1][-1] == "45.18"
    with desk.expect_download() as xlsx_download:
        desk.get_by_role("link", name=re.compile(r"^Excel\s+for ")).click()
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[1][2] == case.reference
    for content in (text, str(cells)):
        assert case.first_name not in content and case.last_name not in content

    # 4. The rates pages, for the axe check.
    visit.goto("/meetings/claims/rates/")
    desk.get_by_role("link", name="Change the rates").click()
    visit.check()
