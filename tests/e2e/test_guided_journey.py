"""Guided case work and the work queues in a browser: a coordinator goes from the home
page's "referrals to screen" to a proposed match by pressing the next-task button on
each page (screening, consent, the assessment, the plan, ready for a match, a mentor),
with the intake task list filling up; the same pages on a 390 px phone; and every
role's home page at 1280 px and 390 px. axe runs on every page; nothing scrolls
sideways on the phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.assessments.models import Factor, Framework
from tandem.cases.models import Case, CaseStatus
from tandem.cases.tests.factories import consented, make_case
from tandem.cases.tests.factories_referrals import refer
from tandem.matching.models import Match, MatchStatus
from tandem.matching.tests.factories import matching_mentor
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

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


def within(visit, selector: str, width: int):
    """Every element matching ``selector`` lies inside a screen ``width`` pixels wide."""
    boxes = [box for box in visit.page.locator(selector).evaluate_all(BOXES)]
    assert boxes, selector
    for left, right in boxes:
        assert left >= 0 and right <= width, f"{selector} spans {left}..{right} at {width}px"


BOXES = "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"


def no_sideways_scroll(visit, width: int):
    scrolled = visit.page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"{visit.page.url} is {scrolled}px wide at {width}px"


def press(visit, name: str):
    """Press the next-task button (a link styled as a button)."""
    visit.page.get_by_role("button", name=name).click()
    visit.check()


def test_a_coordinator_follows_the_next_task_from_a_new_referral_to_a_proposed_match(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    case = refer()
    mentor = matching_mentor(full_name="Rosalind Achebe")
    visit = visitor(browser, live_server, axe, DESKTOP)
    who = spec("coordinator")
    visit.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
    page = visit.page
    today = timezone.localdate()

    # The home page counts the work; the count opens the list filtered to it.
    visit.goto("/")
    page.get_by_role("link", name="1 referral to screen").click()
    visit.check()
    page.get_by_role("link", name=case.reference).click()
    visit.check()
    tasks = page.locator(".govuk-task-list")
    assert "0 of 4 intake tasks completed." in page.content()
    assert tasks.locator(".govuk-task-list__status").first.inner_text() == "Not started"

    press(visit, "Screen the referral")
    page.get_by_label("Clear vulnerability").check()
    page.get_by_role("button", name="Save screening").click()
    visit.check()

    press(visit, "Record consent")
    page.get_by_label("Consent given").check()
    page.get_by_label("The person themself").check()
    page.get_by_label("Their name").fill("Sam Carter")
    page.locator('input[name="decided_on"]').fill(f"{today.day}/{today.month}/{today.year}")
    page.get_by_label("In person").check()
    page.get_by_role("button", name="Record consent").click()
    visit.check()
    assert "2 of 4 intake tasks completed." in page.content()

    press(visit, "Start the assessment")
    framework = Framework.objects.get(is_default=True)
    for factor in Factor.objects.filter(dimension__framework=framework):
        page.locator(f'input[name="rating_{factor.pk}"][value="low"]').check()
        page.locator(f'textarea[name="evidence_{factor.pk}"]').fill("Evidence.")
    page.get_by_label("Date of assessment").fill(f"{today.day}/{today.month}/{today.year}")
    page.get_by_label("Summary").fill("Engaging; isolated.")
    page.get_by_label("Management plan").fill("Weekly mentoring.")
    page.get_by_role("button", name="Save assessment").click()
    visit.check()

    # The assessment's page offers the next task: no need to go back to the case.
    press(visit, "Write the plan")
    page.get_by_label("Befriending").check()
    page.locator('input[name="intended_style"][value="2"]').check()
    page.get_by_label("Weekly").check()
    page.get_by_role("button", name="Save plan").click()
    visit.check()

    press(visit, "Mark as ready for a match")
    assert page.get_by_label("Ready for a match").is_checked()
    page.get_by_role("button", name="Change status").click()
    visit.check()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_MATCH
    assert "4 of 4 intake tasks completed." in page.content()

    press(visit, "Find a mentor")
    page.get_by_role("button", name="Propose Rosalind Achebe").click()
    visit.check()
    assert Match.objects.get(case=case, mentor=mentor).status == MatchStatus.PROPOSED

    # Back on the case, nothing waits on the coordinator: the page says who it waits for.
    visit.goto(f"/cases/{case.pk}/")
    assert "waits for their answer" in page.content()
    assert page.get_by_role("button", name="Find a mentor").count() == 0


def test_ready_for_a_match_without_an_assessment_is_refused_saying_what_is_missing(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    case = consented(make_case(status=CaseStatus.ASSESSMENT, screening_outcome="clear"))
    visit = visitor(browser, live_server, axe, PHONE)
    who = spec("coordinator")
    visit.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
    page = visit.page

    visit.goto(f"/cases/{case.pk}/")
    # The next task and the intake fit the phone's width: the button full width, each
    # task with its status below its name.
    assert page.get_by_role("button", name="Start the assessment").is_visible()
    within(visit, "a.govuk-button", PHONE["width"])
    within(visit, ".govuk-task-list, .govuk-task-list__item, .govuk-task-list__status", 390)
    button = page.get_by_role("button", name="Start the assessment").bounding_box()
    assert button["width"] >= PHONE["width"] - 2 * 20  # full width less the page margins

    visit.goto(f"/cases/{case.pk}/status/?action=complete_assessment")
    no_sideways_scroll(visit, PHONE["width"])
    page.get_by_role("button", name="Change status").click()
    visit.check()
    no_sideways_scroll(visit, PHONE["width"])
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Complete an assessment of the person: the case has none yet." in summary
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSESSMENT


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_every_roles_home_page_shows_its_work(
    browser, live_server, axe, transactional_db, viewport
):
    ensure_demo_users()
    referrer = User.objects.get(email=spec("referrer").email)
    make_case(referred_by=referrer, first_name="Aurelio", last_name="Quant")
    stale = make_case(status=CaseStatus.AWAITING_MATCH)
    stale.status_changed_at = timezone.now() - dt.timedelta(days=20)
    stale.save()

    for role, expected in [
        ("coordinator", "1 person waiting for a match"),
        ("mentor", "sessions planned"),
        ("supervisor", "Your supervisees and their cases"),
        ("safeguarding_lead", "open safeguarding concerns"),
        ("referrer", "Aurelio Quant"),
        ("board_member", "Fairness of matching"),
        ("evaluator", "Fairness of matching"),
    ]:
        visit = visitor(browser, live_server, axe, viewport)
        who = spec(role)
        visit.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
        visit.goto("/")
        assert expected in visit.page.locator("main").inner_text(), role
        no_sideways_scroll(visit, viewport["width"])
        visit.page.context.close()
