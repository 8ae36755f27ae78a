"""A coordinator finds a person by name from the header, narrows by date of birth and
opens the case; records several vetting checks and completed modules of a mentor on one
page, correcting a row without losing the others; the public Become a mentor page from
the sign-in page; the styled page for a method a URL does not take; the audit log in
words. axe runs on every page at 1280 px; the new pages are checked at 390 px too, where
they must not scroll sideways."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.cases.tests.factories import make_case
from tandem.mentors.models import MentorStatus, TrainingCompletion, VettingCheck
from tandem.mentors.tests.factories import make_mentor
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

from .forms import fill_date

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def visitor(browser, live_server, axe, viewport):
    from tests.e2e.conftest import Visit

    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return Visit(page, live_server.url, axe)


def no_sideways_scroll(visit, width):
    scroll = visit.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{visit.page.url} is {scroll}px wide at {width}px"


def signed_in_coordinator(browser, live_server, axe, viewport):
    visit = visitor(browser, live_server, axe, viewport)
    who = spec("coordinator")
    visit.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
    return visit


def test_a_coordinator_finds_a_person_by_name_from_the_header(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    first = make_case(first_name="Amina", last_name="Rahman", date_of_birth="2009-05-17")
    second = make_case(first_name="Amina", last_name="Rahman", date_of_birth="2011-01-09")
    make_case(first_name="Amira", last_name="Rahman")

    visit = signed_in_coordinator(browser, live_server, axe, DESKTOP)
    page = visit.page
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.get_by_label("Find a person").fill("amina  RAHMAN")
        page.get_by_role("button", name="Find", exact=True).click()
        visit.check()
        no_sideways_scroll(visit, viewport["width"])
        assert page.get_by_role("heading", name="2 people found").is_visible()
        assert page.get_by_role("link", name=first.reference).is_visible()
        assert page.get_by_role("link", name=second.reference).is_visible()
        assert "amina" not in page.url.lower()  # the name never goes in the address

        # Narrowed by date of birth: one person.
        page.get_by_label("Name", exact=True).fill("Amina Rahman")
        fill_date(page, "Date of birth", dt.date(2011, 1, 9))
        page.locator("main").get_by_role("button", name="Search").click()
        visit.check()
        assert page.get_by_role("heading", name="1 person found").is_visible()
        page.get_by_role("link", name=second.reference).click()
        visit.check()
        assert page.url.endswith(f"/cases/{second.pk}/")

        # A first name alone is not enough, and says so.
        page.get_by_label("Find a person").fill("Amina")
        page.get_by_role("button", name="Find", exact=True).click()
        visit.check()
        no_sideways_scroll(visit, viewport["width"])
        assert (
            page.locator(".govuk-error-summary")
            .get_by_text("Enter the person's first name and last name, for example Amina Rahman")
            .is_visible()
        )
    page.context.close()


def test_a_coordinator_records_several_checks_and_modules_on_one_page(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    mentor = make_mentor(status=MentorStatus.VETTING)
    visit = signed_in_coordinator(browser, live_server, axe, DESKTOP)
    page = visit.page
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        visit.goto(f"/mentors/{mentor.pk}/vetting/")
        page.get_by_role("link", name="Record several checks").click()
        visit.check()
        no_sideways_scroll(visit, viewport["width"])
        if viewport is PHONE:
            continue

        rows = page.locator("fieldset.govuk-fieldset[id^='checks-']")
        first, second = rows.nth(0), rows.nth(1)
        first.get_by_label("Passed").check()
        first.get_by_label("Date checked").fill("1/10/2026")
        first.get_by_label("Verifier").fill("Disclosure desk")
        first.get_by_label("Reference number").fill("DBS-0042")
        second.get_by_label("Failed").check()
        second.get_by_label("Date checked").fill("2/10/2026")
        second.get_by_label("Verifier").fill("Referee")
        page.get_by_role("button", name="Record these checks").click()
        visit.check()
        summary = page.locator(".govuk-error-summary")
        assert summary.get_by_text("Enter why the check failed").is_visible()
        assert not VettingCheck.objects.filter(mentor=mentor).exists()
        # Nothing typed is lost: only the missing reason needs adding.
        assert first.get_by_label("Reference number").input_value() == "DBS-0042"
        summary.get_by_role("link", name="Enter why the check failed").click()
        page.keyboard.type("The second reference did not support the application.")
        page.get_by_role("button", name="Record these checks").click()
        visit.check()
        assert page.get_by_text("2 vetting checks recorded.").is_visible()
        assert VettingCheck.objects.filter(mentor=mentor).count() == 2

        visit.goto(f"/mentors/{mentor.pk}/training/")
        page.get_by_role("link", name="Record several modules").click()
        visit.check()
        modules = page.locator("fieldset.govuk-fieldset[id^='modules-']")
        modules.nth(0).get_by_label("Date completed").fill("3/10/2026")
        modules.nth(1).get_by_label("Date completed").fill("4/10/2026")
        modules.nth(1).get_by_label("CPD hours").fill("2.5")
        page.get_by_role("button", name="Record these modules").click()
        visit.check()
        assert page.get_by_text("2 completed modules recorded.").is_visible()
        assert TrainingCompletion.objects.filter(mentor=mentor).count() == 2

        # The audit log says what happened in words.
        visit.goto("/audit/?action=mentor")
        assert page.get_by_text("Recorded a vetting check").first.is_visible()
        assert page.get_by_text("Recorded a completed training module").first.is_visible()
    page.context.close()


def test_the_public_become_a_mentor_page_and_the_405_page(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    visit = visitor(browser, live_server, axe, DESKTOP)
    page = visit.page
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        visit.goto("/accounts/login/")
        page.get_by_role("link", name="Find out how to become a mentor").click()
        visit.check()
        no_sideways_scroll(visit, viewport["width"])
        assert page.get_by_role("heading", name="Become a mentor", level=1).is_visible()
        assert page.locator("footer").get_by_role("link", name="Become a mentor").is_visible()
        page.get_by_role("button", name="Start now").click()
        visit.check()
        assert page.get_by_role("heading", name="Apply to be a mentor").is_visible()

    who = spec("coordinator")
    visit.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        response = page.goto(live_server.url + "/accounts/logout/")
        assert response.status == 405
        visit.check()
        no_sideways_scroll(visit, viewport["width"])
        assert page.get_by_role("heading", name="This page cannot be used like that").is_visible()
    page.context.close()
