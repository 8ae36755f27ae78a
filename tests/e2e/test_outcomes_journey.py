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


def test_coordinator_revises_a_questionnaire_and_the_mentor_answers_with_the_person(
    browser, live_server, axe, transactional_db
):
    from tandem.accounts.models import User
    from tandem.mentors.models import Mentor
    from tandem.outcomes.models import Instrument, Response

    ensure_demo_users()
    mentor_user = User.objects.get(email=spec("mentor").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    match = working_match(started_days_ago=30)
    Mentor.objects.filter(pk=match.mentor_id).update(user=mentor_user)

    coordinator = visitor(browser, live_server, axe, DESKTOP)
    c = spec("coordinator")
    coordinator.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    page = coordinator.goto("/outcomes/questionnaires/")
    page.get_by_role("link", name="Relationship and trust").click()
    coordinator.check()
    assert "Reverse-scored" in page.content()
    page.get_by_role("link", name="Revise this questionnaire").click()
    coordinator.check()
    page.get_by_label("Item 1: wording (English)").fill("My mentor really listens to me.")
    page.get_by_label("What changed and why").fill("Plainer wording")
    page.get_by_role("button", name="Save").click()
    coordinator.check()
    assert "Version 2 of Relationship and trust saved" in page.content()
    assert Instrument.objects.get(key="trust").current_version == 2

    mentor = visitor(browser, live_server, axe, PHONE)
    m = spec("mentor")
    mentor.sign_in(m.email, DEMO_PASSWORD, m.key_bytes)
    phone = mentor.goto(f"/outcomes/cases/{match.case_id}/")
    no_sideways_scroll(mentor)
    phone.get_by_role("link", name="Relationship and trust with the person").click()
    mentor.check()
    no_sideways_scroll(mentor)
    assert "My mentor really listens to me." in phone.content()
    phone.get_by_label("When it is asked").select_option(label="Review")
    phone.locator('input[name="q_listens"][value="5"]').check()
    phone.locator('input[name="q_respect"][value="4"]').check()
    phone.locator('input[name="q_holds_back"][value="2"]').check()
    phone.locator('input[name="q_keeps_word"][value="4"]').check()
    phone.get_by_role("button", name="Save the answers").click()
    mentor.check()
    assert "4.25" in phone.locator("#frame-trust").inner_text()
    assert Response.objects.get(case_id=match.case_id).version.number == 2
