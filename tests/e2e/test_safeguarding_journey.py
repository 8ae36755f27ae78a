"""Safeguarding: a mentor on a phone raises an urgent concern from a session in two
clicks; the safeguarding lead finds it on their home page, acknowledges it, escalates it
to children's social care with their reference, records the outcome and closes it with
their sign-off. A concern whose deadline passes alerts the deputy named in the policy,
in Tandem and by email, and the deputy acknowledges it from a phone. axe runs on every
page visited; the phone pages do not scroll sideways at 390 px."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.models import CaseEvent, CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.matching.models import MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.meetings.tests.factories import make_session
from tandem.mentors.models import Mentor, MentorStatus
from tandem.mentors.tests.factories import make_mentor
from tandem.safeguarding.models import (
    Concern,
    ConcernCategory,
    ConcernStatus,
    SafeguardingPolicy,
    Urgency,
)
from tandem.safeguarding.services import concern_raise
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
WHAT = "He said he knows when the side doors of the community centre are left unlocked"


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def visitor(browser, live_server, axe, viewport=None):
    from tests.e2e.conftest import Visit

    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return Visit(page, live_server.url, axe)


def no_sideways_scroll(visit):
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{visit.page.url} is {width}px wide on a 390px phone"


def test_a_mentor_raises_an_urgent_concern_and_the_lead_escalates_and_closes_it(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    mentor_user = User.objects.get(email=spec("mentor").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    mentor = make_mentor(user=mentor_user, status=MentorStatus.ACTIVE)
    case = make_case(status=CaseStatus.ACTIVE)
    match = live_match(case, mentor, status=MatchStatus.ACTIVE)
    session = make_session(match, days_ago=1)

    # The mentor, on a phone: the session, the link, the form.
    phone = visitor(browser, live_server, axe, viewport=PHONE)
    who = spec("mentor")
    phone.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
    page = phone.goto(f"/meetings/sessions/{session.pk}/")
    no_sideways_scroll(phone)
    page.get_by_role("link", name="Raise a safeguarding concern about this session").click()
    phone.check()
    no_sideways_scroll(phone)
    # Sent empty: the errors say what is missing.
    page.get_by_role("button", name="Raise the concern").click()
    phone.check()
    assert page.get_by_role("alert").is_visible() or page.locator(".govuk-error-summary").count()
    page.get_by_label("Risk of serious harm to others, including attack planning").check()
    page.get_by_label("Urgent: It needs a response today").check()
    page.get_by_label("What did you see or hear?").fill(WHAT)
    page.get_by_role("button", name="Raise the concern").click()
    phone.check()
    no_sideways_scroll(phone)
    concern = Concern.objects.get()
    assert concern.session == session and concern.urgency == "urgent"
    assert page.get_by_text(f"Concern {concern.reference} is raised").is_visible()

    # The lead: home page, the concern, acknowledge, escalate, close.
    lead = visitor(browser, live_server, axe)
    who = spec("safeguarding_lead")
    lead.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
    page = lead.page
    page.get_by_role("link", name=f"{concern.reference} (urgent)").click()
    lead.check()
    assert page.get_by_text(WHAT).is_visible()
    page.get_by_role("button", name="Acknowledge").click()
    lead.check()
    page.get_by_role("link", name="Escalate to an agency").click()
    lead.check()
    page.get_by_label("Children's social care").check()
    page.get_by_label("Phone").check()
    page.get_by_label("Their reference (optional)").fill("CSC-2026-0731")
    page.get_by_label("Mentoring continues, led by the statutory agency").check()
    page.get_by_role("button", name="Escalate to an agency").click()
    lead.check()
    assert page.get_by_text("CSC-2026-0731").is_visible()
    page.get_by_role("link", name="Sign off and close").click()
    lead.check()
    page.get_by_label("Taken on by a statutory agency").check()
    page.get_by_label("I sign off this concern as the safeguarding lead").check()
    page.get_by_role("button", name="Sign off and close").click()
    lead.check()
    assert page.get_by_text("The concern is closed.").is_visible()

    # The queue is empty again and says so; the policy page; the mentor's own pages.
    page = lead.goto("/safeguarding/")
    assert page.get_by_text("There are no open concerns").is_visible()
    lead.goto("/safeguarding/policy/")
    page = phone.goto(f"/safeguarding/cases/{case.pk}/")
    no_sideways_scroll(phone)
    assert page.get_by_text(concern.reference).is_visible()
    assert WHAT not in page.content()
    phone.goto("/safeguarding/raise/")
    no_sideways_scroll(phone)

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    assert concern.escalations.get().agency_reference == "CSC-2026-0731"
    summaries = set(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert "Safeguarding concern raised (urgent)" in summaries
    assert "Safeguarding concern closed" in summaries
    assert not any(WHAT in s for s in summaries)


def test_a_concern_whose_deadline_passes_alerts_the_deputy(
    browser, live_server, axe, transactional_db, mailoutbox
):
    ensure_demo_users()
    lead_spec, deputy_spec = (s for s in DEMO_USERS if "safeguarding_lead" in s.roles)
    deputy = User.objects.get(email=deputy_spec.email)
    mentor_user = User.objects.get(email=spec("mentor").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    mentor = make_mentor(user=mentor_user, status=MentorStatus.ACTIVE)
    match = live_match(make_case(status=CaseStatus.ACTIVE), mentor, status=MatchStatus.ACTIVE)

    # The lead names the deputy in the safeguarding policy.
    lead = visitor(browser, live_server, axe)
    lead.sign_in(lead_spec.email, DEMO_PASSWORD, lead_spec.key_bytes)
    page = lead.goto("/safeguarding/policy/")
    page.get_by_label("Deputy lead (for the lead's absence)").select_option(deputy.full_name)
    page.get_by_role("button", name="Save the safeguarding policy").click()
    lead.check()
    assert SafeguardingPolicy.current().deputy == deputy

    # An immediate concern is raised and nobody acknowledges it within the hour.
    concern = concern_raise(
        actor=mentor_user,
        category=ConcernCategory.objects.get(code="harm-to-others"),
        urgency=Urgency.IMMEDIATE,
        details=WHAT,
        case=match.case,
        now=timezone.now() - dt.timedelta(minutes=75),
    )
    assert concern.due_at < timezone.now()
    mailoutbox.clear()
    out = StringIO()
    call_command("safeguarding_alerts", stdout=out)
    call_command("safeguarding_alerts", stdout=StringIO())  # the next scheduled run
    assert out.getvalue().strip() == "1 alert sent."
    to_deputy = [m for m in mailoutbox if m.to == [deputy.email]]
    assert [m.subject for m in to_deputy] == [
        f"Tandem: safeguarding concern {concern.reference} is overdue"
    ]
    assert WHAT not in to_deputy[0].body

    # The deputy, on a phone: told on the home page, follows it to the concern.
    phone = visitor(browser, live_server, axe, viewport=PHONE)
    phone.sign_in(deputy_spec.email, DEMO_PASSWORD, deputy_spec.key_bytes)
    page = phone.page
    # As a lead the deputy was told of the new concern too; then of the missed deadline.
    page.get_by_role("link", name="You have 2 unread notifications").click()
    phone.check()
    no_sideways_scroll(phone)
    page.get_by_role(
        "link", name=re.compile(f"{concern.reference} has not been acknowledged in time")
    ).click()
    phone.check()
    no_sideways_scroll(phone)
    assert page.get_by_text("Overdue", exact=True).first.is_visible()
    page.get_by_role("button", name="Acknowledge").click()
    phone.check()
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACKNOWLEDGED
    assert concern.acknowledged_by == deputy

    # Acknowledged: later runs send nothing more.
    out = StringIO()
    call_command("safeguarding_alerts", stdout=out)
    assert out.getvalue().strip() == "0 alerts sent."
