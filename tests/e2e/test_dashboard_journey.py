"""A board member opens the dashboard from their home page, changes the date range, reads
a chart beside its table, and downloads the quarterly board report as a PDF; every page
passes axe and breaks no rule of the Content-Security-Policy (the charts are inline SVG)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.cases.tests.factories import make_case
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e


def test_a_board_member_reads_the_dashboard_and_downloads_the_report(visit, tmp_path):
    ensure_demo_users()
    for i in range(12):
        make_case(received_at=timezone.make_aware(dt.datetime(2025, 2, 1 + i, 12)))
    board = next(s for s in DEMO_USERS if "board_member" in s.roles)
    visit.sign_in(board.email, DEMO_PASSWORD, board.key_bytes)
    page = visit.page
    page.get_by_role("link", name="Board dashboard").click()
    visit.check()
    page.get_by_role("textbox", name="From").fill("1/1/2025")
    page.get_by_role("textbox", name="To").fill("31/12/2025")
    page.get_by_role("button", name="Show these dates").click()
    visit.check()
    main = page.inner_text("main")
    assert "1 January 2025 to 31 December 2025" in main
    chart = page.locator("figure", has=page.get_by_role("heading", name="Referrals by source"))
    assert chart.locator("svg[role=img]").count() == 1
    assert "Referrals by source" in chart.locator("caption").inner_text()
    assert "School or college" in chart.locator("table").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the board report").click()
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert info.value.suggested_filename == "board-report-2025-01-01-to-2025-12-31.pdf"
