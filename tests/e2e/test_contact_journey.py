"""Contact monitoring and lone working end to end: after two did-not-attends in a row
the coordinator sees the case as contact overdue and records a check-in; a mentor on a
390 px wide phone checks in to and out of a home visit, and finds their calendar link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.models import CaseEvent
from tandem.meetings.models import CoordinatorCheckIn, Session, SessionStatus
from tandem.meetings.services.lone_working import lone_working_alerts_run
from tandem.meetings.tests.factories import active_match, make_session
from tandem.mentors.models import Mentor
from tandem.mentors.tests.factories import make_mentor
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def demo_mentor() -> Mentor:
    user = User.objects.get(email=spec("mentor").email)
    return Mentor.objects.filter(user=user).first() or make_mentor(
        status="active", user=user, full_name="Demo Mentor"
    )


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_two_did_not_attends_make_the_case_overdue_and_the_coordinator_checks_in(visit):
    ensure_demo_users()
    match = active_match(mentor=demo_mentor(), started_days_ago=20)
    make_session(match, days_ago=8, status=SessionStatus.HELD)
    make_session(match, days_ago=5, status=SessionStatus.DID_NOT_ATTEND)
    make_session(match, days_ago=1, status=SessionStatus.DID_NOT_ATTEND)
    case = match.case

    c = spec("coordinator")
    visit.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    page = visit.page
    page.get_by_role("link", name=re.compile("whose contact is overdue")).click()
    visit.check()
    text = page.locator("main").inner_text()
    assert case.reference in text
    assert "Did not attend 2 times in a row" in text
    assert case.first_name not in text

    page.get_by_role("link", name=f"Record a check-in on {case.reference}").click()
    visit.check()
    page.get_by_role("button", name="Record the check-in").click()  # nothing chosen
    visit.check()
    assert "Choose who you contacted" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("The mentor").check()
    page.get_by_label("No answer").check()
    page.get_by_label("Note (optional)").fill("Left a voicemail for the mentor.")
    page.get_by_role("button", name="Record the check-in").click()
    visit.check()
    assert f"Your check-in on {case.reference} is recorded." in page.locator("main").inner_text()
    row = page.locator("tr", has_text=case.reference)
    assert "The mentor: no answer" in row.inner_text()
    check_in = CoordinatorCheckIn.objects.get(case=case)
    assert check_in.note == "Left a voicemail for the mentor."
    assert CaseEvent.objects.filter(case=case, kind="contact.check_in").exists()

    # A home visit the mentor checked in to and never checked out of: alerted, acknowledged.
    visit_session = make_session(
        match, starts_at=timezone.now() - dt.timedelta(minutes=120), place_code="home"
    )
    Session.objects.filter(pk=visit_session.pk).update(checked_in_at=visit_session.starts_at)
    assert lone_working_alerts_run().alerted == 1
    visit.goto("/")
    page.get_by_role("link", name="Lone-working alerts").click()
    visit.check()
    card = page.locator(".govuk-summary-card", has_text=case.reference)
    assert match.mentor.full_name in card.inner_text()
    card.get_by_role("button", name=re.compile("^Acknowledge")).click()
    visit.check()
    assert "You acknowledged the missed check-out" in page.locator("main").inner_text()
    assert "No alert is waiting" in page.locator("main").inner_text()


def test_a_mentor_on_a_phone_checks_in_and_out_of_a_home_visit(browser, live_server, axe):
    from tests.e2e.conftest import Visit

    ensure_demo_users()
    match = active_match(mentor=demo_mentor(), started_days_ago=20)
    session = make_session(
        match, starts_at=timezone.now() - dt.timedelta(minutes=10), place_code="home"
    )
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    visit = Visit(page, live_server.url, axe)
    try:
        m = spec("mentor")
        visit.sign_in(m.email, DEMO_PASSWORD, m.key_bytes)
        page.get_by_role("link", name="Check in and out (lone working)").click()
        visit.check()
        assert no_sideways_scrolling(page)
        card = page.locator(".govuk-summary-card", has_text=match.case.reference)
        assert "The person's home" in card.inner_text()
        button = card.get_by_role("button", name=re.compile("^Check in"))
        assert button.bounding_box()["height"] >= 44  # a large target, full width on a phone
        assert button.bounding_box()["width"] >= 300
        button.click()
        visit.check()
        assert "You checked in at" in page.locator("main").inner_text()
        assert no_sideways_scrolling(page)
        session.refresh_from_db()
        assert session.checked_in_at is not None

        page.get_by_role("button", name=re.compile("^Check out")).click()
        visit.check()
        assert "You checked out at" in page.locator("main").inner_text()
        session.refresh_from_db()
        assert session.checked_out_at is not None

        visit.goto("/meetings/calendar/")
        assert no_sideways_scrolling(page)
        page.get_by_role("button", name="Make a calendar link").click()
        visit.check()
        link = page.get_by_label("Calendar link").input_value()
        assert "/meetings/calendar/feed/" in link
        assert no_sideways_scrolling(page)
        assert Session.objects.get(pk=session.pk).checked_out_at is not None
    finally:
        context.close()
