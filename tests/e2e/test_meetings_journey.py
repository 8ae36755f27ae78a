"""Meetings on a phone (390 by 844): a mentor records a did-not-attend, logs a held session
with both kinds of notes on one page and schedules the next session; the supervisor
reads the private notes and a coordinator cannot; every read of private notes is in the
audit log. axe runs on every page visited, and no page scrolls sideways."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.audit.models import AuditEvent
from tandem.cases.models import Approach, CaseStatus, SupportPlan
from tandem.cases.tests.factories import make_case
from tandem.matching.models import MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.meetings.models import MeetingBrief, Session, SessionStatus
from tandem.meetings.tests.factories import make_session
from tandem.mentors.models import Mentor, MentorStatus
from tandem.mentors.tests.factories import make_mentor
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
NOTE = "Worried that his cousin is pulling him back to the group chat"
SUMMARY = "Talked about going back to college; he is keen on the plumbing course"


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def on_phone(browser, live_server, axe):
    from tests.e2e.conftest import Visit

    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return Visit(page, live_server.url, axe)


def no_sideways_scroll(visit):
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{visit.page.url} is {width}px wide on a 390px phone"


def signed_in_as(role, browser, live_server, axe):
    visit = on_phone(browser, live_server, axe)
    who = spec(role)
    visit.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
    return visit


def test_a_mentor_records_sessions_on_a_phone_and_only_the_right_people_read_the_notes(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    mentor_user = User.objects.get(email=spec("mentor").email)
    supervisor_user = User.objects.get(email=spec("supervisor").email)
    coordinator_user = User.objects.get(email=spec("coordinator").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    mentor = make_mentor(
        full_name="Imran Qureshi",
        user=mentor_user,
        supervisor=supervisor_user,
        status=MentorStatus.ACTIVE,
    )
    case = make_case(status=CaseStatus.ACTIVE)
    match = live_match(case, mentor, status=MatchStatus.ACTIVE, by=coordinator_user)
    SupportPlan.objects.create(
        case=case,
        approach=Approach.BEFRIENDING,
        intended_style=2,
        frequency="weekly",
        updated_by=coordinator_user,
    )
    MeetingBrief.objects.create(
        case=case,
        preferred_name="Jay",
        contact_details="07700 900123, after 4pm",
        risks_to_mentor="None known",
        updated_by=coordinator_user,
    )
    missed = make_session(match, starts_at=timezone.now() - dt.timedelta(days=2))

    # 1. The mentor, on a phone, finds the session to record and records a did-not-attend.
    phone = signed_in_as("mentor", browser, live_server, axe)
    page = phone.goto("/meetings/")
    no_sideways_scroll(phone)
    assert "To record" in page.locator("main").inner_text()
    page.get_by_role("link", name=re.compile(case.reference)).first.click()
    phone.check()
    no_sideways_scroll(phone)
    page.get_by_role("button", name="They did not attend").click()
    phone.check()
    assert "did not attend" in page.locator("main").inner_text()
    missed.refresh_from_db()
    assert missed.status == SessionStatus.DID_NOT_ATTEND

    # 2. Their workspace: the brief, then logging a held session on one page.
    page = phone.goto(f"/meetings/cases/{case.pk}/")
    no_sideways_scroll(phone)
    main = page.locator("main").inner_text()
    assert "Your work with Jay" in main and "07700 900123" in main
    page.get_by_role("link", name="Log a session").click()
    phone.check()
    no_sideways_scroll(phone)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.locator("#id_date").fill(yesterday.strftime("%d/%m/%Y"))
    page.locator("#id_start_time").fill("16:30")
    assert page.locator("#id_duration_minutes").input_value() == "60"
    page.locator("#id_travel_minutes").fill("25")
    page.get_by_label("Community venue").check()
    assert page.get_by_label("Befriending").is_checked()  # from the plan
    assert page.get_by_label(re.compile(r"^2 . Mostly empathetic$")).is_checked()
    page.get_by_label("Education and work").check()
    page.get_by_label("Family", exact=True).check()
    page.locator("#id_engagement_3").check()
    page.locator("#id_trust_2").check()
    page.locator("#id_private_notes").fill(NOTE)
    page.locator("#id_summary").fill(SUMMARY)
    page.get_by_role("button", name="Save the session").click()
    phone.check()
    assert "is recorded" in page.locator("main").inner_text()
    held = Session.objects.get(match=match, status=SessionStatus.HELD)
    assert held.private_notes == NOTE and held.summary == SUMMARY
    assert held.engagement == 4 and held.trust == 3 and held.travel_minutes == 25

    # 3. Schedule the next session: the suggested time follows the plan's weekly rhythm.
    page.get_by_role("link", name="Schedule the next session").click()
    phone.check()
    no_sideways_scroll(phone)
    suggested = page.locator("#id_date").input_value()
    assert suggested == (yesterday + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    page.get_by_role("button", name="Schedule").click()
    phone.check()
    planned = Session.objects.get(match=match, status=SessionStatus.PLANNED)
    assert timezone.localtime(planned.starts_at).strftime("%H:%M") == "16:30"
    assert "Next session" in page.locator("main").inner_text()

    # 4. The supervisor reads the private notes; the read is audited.
    supervisor = signed_in_as("supervisor", browser, live_server, axe)
    page = supervisor.goto(f"/meetings/sessions/{held.pk}/")
    assert SUMMARY in page.locator("main").inner_text()
    page.get_by_role("link", name="Read the private notes").click()
    supervisor.check()
    no_sideways_scroll(supervisor)
    assert NOTE in page.locator("main").inner_text()

    # 5. A coordinator reads the summary but never the notes.
    coordinator = signed_in_as("coordinator", browser, live_server, axe)
    page = coordinator.goto(f"/meetings/sessions/{held.pk}/")
    main = page.locator("main").inner_text()
    assert SUMMARY in main and NOTE not in main and "Read the private notes" not in main
    page = coordinator.goto(f"/meetings/sessions/{held.pk}/notes/")
    assert NOTE not in page.content()
    page = coordinator.goto(f"/meetings/cases/{case.pk}/")
    assert NOTE not in page.content() and SUMMARY[:30] in page.locator("main").inner_text()

    # 6. Each read of the private notes is in the audit log, and only those.
    reads = AuditEvent.objects.filter(
        action="meetings.session.view", object_id=str(held.pk), reason="private notes"
    )
    assert [e.actor_id for e in reads] == [supervisor_user.pk]
    assert not AuditEvent.objects.filter(reason__contains=NOTE[:20]).exists()


def test_a_coordinator_writes_the_brief_and_the_mentor_moves_changes_and_cancels_a_session(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    mentor_user = User.objects.get(email=spec("mentor").email)
    coordinator_user = User.objects.get(email=spec("coordinator").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    mentor = make_mentor(full_name="Imran Qureshi", user=mentor_user, status=MentorStatus.ACTIVE)
    case = make_case(status=CaseStatus.ACTIVE)
    match = live_match(case, mentor, status=MatchStatus.ACTIVE, by=coordinator_user)
    session = make_session(match, starts_at=timezone.now() + dt.timedelta(days=2))

    # 1. The coordinator writes the meeting brief from the match page.
    desk = signed_in_as("coordinator", browser, live_server, axe)
    page = desk.goto(f"/matches/{match.pk}/")
    page.get_by_role("link", name="Meeting brief for the mentor").click()
    desk.check()
    page.get_by_label("Preferred first name").fill("Jay")
    page.get_by_label("How to contact them").fill("07700 900123")
    page.get_by_role("button", name="Save the brief").click()
    desk.check()
    assert MeetingBrief.objects.get(case=case).preferred_name == "Jay"

    # 2. The mentor moves the session; a date in the past is explained, nothing is lost.
    phone = signed_in_as("mentor", browser, live_server, axe)
    page = phone.goto(f"/meetings/sessions/{session.pk}/")
    page.get_by_role("link", name="Move it to another day").click()
    phone.check()
    page.locator("#id_date").fill("1/1/2020")
    page.locator("#id_start_time").fill("11:15")
    page.get_by_role("button", name="Move the session").click()
    phone.check()
    assert "There is a problem" in page.locator("main").inner_text()
    assert page.locator("#id_start_time").input_value() == "11:15"
    day = timezone.localdate() + dt.timedelta(days=9)
    page.locator("#id_date").fill(day.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Move the session").click()
    phone.check()
    session.refresh_from_db()
    moved = session.rescheduled_to
    assert session.status == SessionStatus.RESCHEDULED and moved is not None

    # 3. Changes its length, then cancels it for the person.
    page.get_by_role("link", name="Change the time, length or place").click()
    phone.check()
    no_sideways_scroll(phone)
    page.locator("#id_duration_minutes").fill("90")
    page.get_by_role("button", name="Save the changes").click()
    phone.check()
    moved.refresh_from_db()
    assert moved.duration_minutes == 90
    page.get_by_label("The person").check()
    page.get_by_role("button", name="Cancel the session").click()
    phone.check()
    moved.refresh_from_db()
    assert moved.status == SessionStatus.CANCELLED and moved.cancelled_by == "person"
