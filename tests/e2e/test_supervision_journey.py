"""Supervision end to end: a coordinator assigns a supervisor from the mentor's record;
the mentor checks in on their wellbeing on a phone with a low score; the supervisor
sees it on their oversight page and records a supervision with wellbeing notes and an
action; when the mentor's supervision becomes overdue they drop out of the suggestions,
which name them among the mentors held back with the reason in words, proposing them is
refused with that reason, and the coordinators' list of supervision due shows them
overdue (also on a phone)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.dates import long_date
from tandem.core.models import Notification
from tandem.matching.models import Match
from tandem.matching.selectors import held_back
from tandem.matching.tests.factories import matching_mentor, waiting_case
from tandem.mentors.models import Mentor
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users
from tandem.supervision.models import SupervisionRecord, SupervisorAssignment, WellbeingCheckIn

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def new_visit(browser, live_server, axe, **context):
    from tests.e2e.conftest import Visit

    page = browser.new_context(base_url=live_server.url, **context).new_page()
    page.set_default_timeout(10_000)
    return Visit(page, live_server.url, axe)


def test_assign_check_in_record_then_overdue_drops_out(visit, browser, live_server):
    ensure_demo_users()
    mentor_user = User.objects.get(email=spec("mentor").email)
    supervisor_user = User.objects.get(email=spec("supervisor").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    sam = matching_mentor(full_name="Sam Taylor", user=mentor_user)
    matching_mentor(full_name="Ruth Kept")
    case = waiting_case()

    # 1. The coordinator assigns Sam's supervisor from Sam's record.
    c = spec("coordinator")
    visit.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    page = visit.goto(f"/mentors/{sam.pk}/")
    page.get_by_role("link", name="Supervision").first.click()
    visit.check()
    assert "No supervisor assigned" in page.locator("main").inner_text()
    page.get_by_role("link", name="Change supervisor").click()
    visit.check()
    page.get_by_label("Supervisor").select_option(
        f"{supervisor_user.full_name} ({supervisor_user.email})"
    )
    page.get_by_role("button", name="Save the supervisor").click()
    visit.check()
    assert f"{supervisor_user.full_name} now supervises Sam Taylor" in page.inner_text("body")
    assert SupervisorAssignment.objects.get(mentor=sam).supervisor == supervisor_user

    # 2. Sam checks in on a phone: a low score, and asks to talk.
    m = spec("mentor")
    phone = new_visit(browser, live_server, visit.axe, viewport=PHONE)
    phone.sign_in(m.email, DEMO_PASSWORD, m.key_bytes)
    phone.goto("/")
    phone.page.get_by_role("link", name="Your supervision and wellbeing check-in").click()
    phone.check()
    phone.page.get_by_role("link", name="Check in on your wellbeing").click()
    phone.check()
    phone.page.get_by_role("button", name="Send your check-in").click()
    phone.check()
    assert "There is a problem" in phone.page.inner_text("main")
    for group in phone.page.locator(".govuk-radios").all()[:5]:
        group.get_by_label("Often").check()
    phone.page.get_by_label("I would like my supervisor to get in touch").check()
    phone.page.get_by_role("button", name="Send your check-in").click()
    phone.check()
    assert "Your supervisor has been asked to get in touch" in phone.page.inner_text("main")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert WellbeingCheckIn.objects.get(mentor=sam).is_low
    assert Notification.objects.filter(user=supervisor_user).exists()

    # 3. The supervisor sees Sam on the oversight page and records a supervision.
    s = spec("supervisor")
    sup = new_visit(browser, live_server, visit.axe)
    sup.sign_in(s.email, DEMO_PASSWORD, s.key_bytes)
    sup.goto("/")
    sup.page.get_by_role("link", name="Mentors you supervise").click()
    sup.check()
    card = sup.page.locator(".govuk-summary-card", has_text="Sam Taylor")
    assert "Low wellbeing" in card.inner_text() and "10 of 25" in card.inner_text()
    card.get_by_role("link", name=re.compile("Record a supervision")).click()
    sup.check()
    today = timezone.localdate()
    sup.page.get_by_label("Date of the supervision").fill(today.strftime("%d/%m/%Y"))
    sup.page.get_by_label("Individual supervision").check()
    sup.page.get_by_label("Wellbeing (optional)").fill("Tired; talked through a hard session.")
    sup.page.get_by_label("Action 1: what was agreed (optional)").fill(
        "Take a week off new referrals."
    )
    sup.page.get_by_role("button", name="Save the supervision").click()
    sup.check()
    assert "Choose who does action 1" in sup.page.inner_text("main")  # kept what was typed
    assert sup.page.get_by_label("Action 1: what was agreed (optional)").input_value()
    sup.page.get_by_label("Action 1: who does it (optional)").select_option("mentor")
    due = (today + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    sup.page.get_by_label("Action 1: due by (optional)").fill(due)
    sup.page.get_by_role("button", name="Save the supervision").click()
    sup.check()
    record = SupervisionRecord.objects.get(mentor=sam)
    assert record.wellbeing.startswith("Tired") and record.actions.count() == 1
    assert "is recorded" in sup.page.inner_text("main")

    # 4. The coordinator sees Sam among the suggestions; time passes and Sam's
    # supervision falls overdue (6 weeks for an accredited mentor).
    page = visit.goto(f"/cases/{case.pk}/matching/")
    assert page.get_by_role("button", name="Propose Sam Taylor").count() == 1
    held = today - dt.timedelta(weeks=6, days=3)
    SupervisionRecord.objects.filter(pk=record.pk).update(held_on=held)
    SupervisorAssignment.objects.filter(mentor=sam).update(started_on=held)
    page.get_by_role("button", name="Propose Sam Taylor").click()
    visit.check()
    reason = f"Supervision overdue since {long_date(held + dt.timedelta(weeks=6))}"
    assert f"Sam Taylor cannot take this case: {reason}" in page.locator("main").inner_text()
    assert not Match.objects.filter(case=case).exists()
    page = visit.goto(f"/cases/{case.pk}/matching/")
    assert page.get_by_role("button", name="Propose Sam Taylor").count() == 0
    assert page.get_by_role("button", name="Propose Ruth Kept").count() == 1
    # The suggestions say who is held back, and why (the register agrees first).
    shown = held_back()
    assert "Sam Taylor" in [m.mentor.full_name for m in shown.mentors], (
        shown.count,
        [(m.mentor.full_name, m.reasons) for m in shown.mentors],
    )
    table = page.get_by_role("table", name="Mentors held back today")
    row = table.get_by_role("row", name=re.compile("Sam Taylor"))
    assert reason in row.inner_text()
    # So does the coordinators' list of supervision due, from their home page.
    page = visit.goto("/")
    page.get_by_role("link", name="Supervision due and overdue").click()
    visit.check()
    row = page.get_by_role("row", name=re.compile("Sam Taylor"))
    assert "Overdue" in row.inner_text()
    assert long_date(held + dt.timedelta(weeks=6)) in row.inner_text()
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Show").click()
    visit.check()
    assert page.get_by_role("row", name=re.compile("Sam Taylor")).count() == 1
    # The same list on a phone does not scroll sideways.
    coordinator_phone = new_visit(browser, live_server, visit.axe, viewport=PHONE)
    coordinator_phone.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    coordinator_phone.goto("/supervision/due/")
    width = coordinator_phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page = coordinator_phone.goto(f"/cases/{case.pk}/matching/")
    table = page.get_by_role("table", name="Mentors held back today")
    assert reason in table.get_by_role("row", name=re.compile("Sam Taylor")).inner_text()
    width = coordinator_phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    # The mentor's supervision page says why, too.
    page = visit.goto(f"/supervision/mentors/{sam.pk}/")
    assert "Overdue" in page.locator("main").inner_text()
