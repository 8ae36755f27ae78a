"""Specialist advice end to end, on a 390 px phone: the mentor asks about the person
they mentor, is refused while the question names them (nothing typed is lost), sends
it without the name; a coordinator answering sees no case reference and no name; the
mentor reads the answer with the case. axe runs on every page."""

from __future__ import annotations

import re

import pytest

from tandem.accounts.models import User
from tandem.cases.tests.factories import make_case
from tandem.matching.models import MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.meetings.models import AdviceAnswer, AdviceQuestion
from tandem.mentors.models import MentorStatus
from tandem.mentors.tests.factories import make_mentor
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def phone_visit(browser, live_server, axe):
    from tests.e2e.conftest import Visit

    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return Visit(page, live_server.url, axe)


def no_sideways_scrolling(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_ask_refused_for_a_name_then_answered_without_the_case(visit, browser, live_server):
    ensure_demo_users()
    mentor_user = User.objects.get(email=spec("mentor").email)
    mentor = make_mentor(user=mentor_user, status=MentorStatus.ACTIVE)
    case = make_case(first_name="Aisha", last_name="Begum")
    live_match(case, mentor, status=MatchStatus.ACTIVE)

    # 1. The mentor, on a phone, goes from home to the advice page and asks.
    phone = phone_visit(browser, live_server, visit.axe)
    m = spec("mentor")
    phone.sign_in(m.email, DEMO_PASSWORD, m.key_bytes)
    page = phone.page
    page.get_by_role("link", name=re.compile("Specialist advice")).click()
    phone.check()
    no_sideways_scrolling(page)
    page.get_by_role("link", name=f"Ask about {case.reference}").click()
    phone.check()
    no_sideways_scrolling(page)
    page.get_by_label("Islamic theology").check()
    typed = "Aisha asked whether she must stop seeing friends who are not Muslim."
    page.get_by_label("Your question").fill(typed)
    page.get_by_role("button", name="Send question").click()
    phone.check()
    assert "uses the person" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Your question").input_value() == typed  # nothing lost
    assert page.get_by_label("Islamic theology").is_checked()
    assert not AdviceQuestion.objects.exists()
    page.get_by_label("Your question").fill(
        "She asked whether she must stop seeing friends who are not Muslim."
    )
    page.get_by_role("button", name="Send question").click()
    phone.check()
    no_sideways_scrolling(page)
    assert "Waiting for an answer" in page.locator("main").inner_text()
    question = AdviceQuestion.objects.get()

    # 2. A coordinator answers, seeing neither the case reference nor the name.
    c = spec("coordinator")
    visit.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    visit.page.get_by_role("link", name="Questions for specialist advice").click()
    visit.check()
    visit.page.get_by_role("link", name=re.compile("Islamic theology: read and answer")).click()
    visit.check()
    text = visit.page.locator("main").inner_text()
    assert "stop seeing friends" in text
    for identifying in (case.reference, "Aisha", "Begum"):
        assert identifying not in text
    visit.page.get_by_label("Your answer").fill("Quran 60:8 asks for kindness to all neighbours.")
    visit.page.get_by_role("button", name="Send answer").click()
    visit.check()
    assert AdviceAnswer.objects.filter(question=question).exists()

    # 3. The mentor reads the answer with the case.
    phone.goto(f"/meetings/cases/{case.pk}/advice/")
    assert "Quran 60:8 asks for kindness" in page.locator("main").inner_text()
    no_sideways_scrolling(page)
