"""A person's own voice end to end: the coordinator makes a single-use wellbeing link on
the case's Success tab (a QR code to show in person); the person opens it on a phone,
without signing in, answers and cannot use the link again; the Success tab shows the new
answer. axe runs on every page visited, at 1280 px and 390 px wide."""

from __future__ import annotations

import pytest

from tandem.meetings.tests.factories import working_match
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def visitor(browser, live_server, axe, viewport):
    from tests.e2e.conftest import Visit

    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return Visit(page, live_server.url, axe)


def no_sideways_scroll(visit):
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{visit.page.url} is {width}px wide on a 390px phone"


def test_a_person_answers_a_wellbeing_link_once_and_the_success_tab_shows_it(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    match = working_match(started_days_ago=30)
    case = match.case

    coordinator = visitor(browser, live_server, axe, DESKTOP)
    c = spec("coordinator")
    coordinator.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    page = coordinator.goto(f"/outcomes/cases/{case.pk}/")
    assert "No answers yet." in page.content()
    page.get_by_role("link", name="Ask for answers by a link").click()
    coordinator.check()
    page.get_by_label("Questionnaire").select_option(label="Personal wellbeing (ONS)")
    page.get_by_label("When it is asked").select_option(label="Review")
    page.get_by_label("Shown as a QR code in person").check()
    page.get_by_role("button", name="Make the link").click()
    coordinator.check()
    assert page.locator("svg.tandem-qr").count() == 1
    page.get_by_text("Show the link as text").click()
    link = page.locator("#answer-link").inner_text().strip()
    path = link.removeprefix(live_server.url)

    # The person, on a phone, not signed in.
    person = visitor(browser, live_server, axe, PHONE)
    phone = person.goto(path)
    no_sideways_scroll(person)
    body = phone.content()
    assert case.reference not in body and "Tandem" not in body
    phone.get_by_role("button", name="Send my answers").click()
    person.check()
    assert "Answer at least one question" in phone.content()
    phone.locator('input[name="q_satisfied"][value="8"]').check()
    phone.locator('input[name="q_worthwhile"][value="7"]').check()
    phone.locator('input[name="q_happy"][value="6"]').check()
    phone.locator('input[name="q_anxious"][value="3"]').check()
    phone.get_by_role("button", name="Send my answers").click()
    person.check()
    assert "Your answers have been sent" in phone.content()
    again = person.goto(path)
    assert "This link no longer works" in again.content()
    no_sideways_scroll(person)

    # The same link at desktop width is just as closed.
    desktop_person = visitor(browser, live_server, axe, DESKTOP)
    assert "This link no longer works" in desktop_person.goto(path).content()

    # The Success tab shows the answer, at both widths.
    page = coordinator.goto(f"/outcomes/cases/{case.pk}/")
    wellbeing = page.locator("#frame-wellbeing").inner_text()
    assert "Life satisfaction" in wellbeing and "8" in wellbeing
    assert "Answered" in page.locator("table", has_text="Links sent").inner_text()
    coordinator.page.set_viewport_size(PHONE)
    coordinator.goto(f"/outcomes/cases/{case.pk}/")
    no_sideways_scroll(coordinator)
