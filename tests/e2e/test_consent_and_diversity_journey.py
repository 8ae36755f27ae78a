"""A coordinator records consent given by a 17-year-old themself, with the consent rule's
reasons on the page; a board member opens the pool gaps and fairness pages and sees the
pool beside the people referred by ethnic group, small groups withheld. Axe runs on
every page at 1280 px and 390 px, and the fairness page does not scroll sideways on a
phone."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.models import CaseStatus, Consent
from tandem.cases.services.referrals import referral_submit
from tandem.cases.services.screening import screening_record
from tandem.cases.tests.factories_referrals import child_data, years_ago
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.e2e

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def spec(role: str):
    return next(s for s in DEMO_USERS if role in s.roles)


@pytest.fixture
def demo(transactional_db):
    from tandem.site.demo.cases import ensure_demo_cases
    from tandem.site.demo.matching import ensure_demo_matches
    from tandem.site.demo.mentors import ensure_demo_mentors

    ensure_demo_mentors()
    ensure_demo_cases()
    ensure_demo_matches()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_17_year_old_consents_and_the_board_sees_the_ethnicity_comparison(visit, demo):
    coordinator_spec = spec("coordinator")
    coordinator = User.objects.get(email=coordinator_spec.email)
    case = referral_submit(
        actor=coordinator,
        data=child_data(
            first_name="Riley",
            last_name="Evans",
            date_of_birth=years_ago(17, days=20),
            ethnicity="mixed_white_black_caribbean",
        ),
    )
    case = screening_record(actor=coordinator, case=case, outcome="clear")
    page = visit.page

    visit.sign_in(coordinator_spec.email, DEMO_PASSWORD, coordinator_spec.key_bytes)
    for viewport in (PHONE, WIDE):
        page.set_viewport_size(viewport)
        visit.goto(f"/cases/{case.pk}/consent/")
        rule = page.locator("#consent-rule").inner_text()
        assert "a young person of this age who has the capacity to decide can consent" in rule
        assert no_sideways_scroll(page)

    # The guardian named in the referral is offered; the young person decides instead.
    assert page.get_by_label("Their name").input_value() == "Pat Bloggs"
    page.get_by_label("Consent given").check()
    page.get_by_label("The person themself").check()
    page.get_by_label("Their name").fill("Riley Evans")
    page.get_by_label("Date of the decision").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_label("In person").check()
    # Without confirming capacity the form says what is missing and keeps the answers.
    page.get_by_role("button", name="Record consent").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Confirm that the young person has the capacity" in page.locator("main").inner_text()
    assert page.get_by_label("Their name").input_value() == "Riley Evans"
    page.get_by_label("The young person has the capacity to decide for themself").check()
    page.get_by_role("button", name="Record consent").click()
    visit.check()
    assert "Consent has been recorded" in page.locator("main").inner_text()
    consent = Consent.objects.get(case=case)
    assert (consent.given_by, consent.capacity_confirmed, consent.rule_band) == (
        "person",
        True,
        "older_child",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT
    # The coordinator sees the person's ethnic group on the case.
    main = visit.goto(f"/cases/{case.pk}/").locator("main").inner_text()
    assert "White and Black Caribbean" in main
    page.get_by_role("button", name="Sign out").first.click()

    board = spec("board_member")
    visit.sign_in(board.email, DEMO_PASSWORD, board.key_bytes)
    for viewport in (WIDE, PHONE):
        page.set_viewport_size(viewport)
        for path in ("/matching/gaps/", "/matching/fairness/"):
            text = visit.goto(path).locator("main").inner_text()
            assert "The pool and the people referred, by ethnic group" in text
            assert "Asian, Asian British or Asian Welsh" in text
            assert "withheld" in text
            assert "T-20" not in text
            # No count from 1 to 7 next to a group anywhere on the page.
            for cell in page.locator("main td").all_inner_texts():
                match = re.match(r"^\s*(\d[\d,]*)", cell)
                if match:
                    assert not 1 <= int(match.group(1).replace(",", "")) <= 7, (path, cell)
        assert "By ethnic group" in page.locator("main").inner_text()
        if viewport is PHONE:
            assert no_sideways_scroll(page), "the fairness page scrolls sideways at 390 px"
