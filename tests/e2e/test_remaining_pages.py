"""The form and record pages no journey reaches, each checked with axe: recording a
planned session as held or cancelled (a mentor on a phone), raising a concern
from a case and the supervision policy (a coordinator), and a supervision record (the
mentor it is about)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.meetings.tests.factories import make_session, working_match
from tandem.mentors.models import Mentor, MentorStatus
from tandem.mentors.tests.factories import make_mentor
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users
from tandem.supervision.tests.factories import assign, make_record

pytestmark = pytest.mark.e2e


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def test_the_remaining_pages_are_accessible(visit):
    ensure_demo_users()
    mentor_user = User.objects.get(email=spec("mentor").email)
    supervisor_user = User.objects.get(email=spec("supervisor").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    mentor = make_mentor(user=mentor_user, status=MentorStatus.ACTIVE)
    assign(mentor, supervisor_user)
    match = working_match(mentor=mentor)
    session = make_session(match, starts_at=timezone.now() - dt.timedelta(hours=2))
    record = make_record(mentor, supervisor=supervisor_user)
    page = visit.page

    c = spec("coordinator")
    visit.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    for path, heading in (
        (f"/safeguarding/cases/{match.case_id}/raise/", "concern"),
        ("/supervision/policy/", "supervision"),
    ):
        response = page.goto(visit.base_url + path)
        visit.check()
        assert response.status == 200
        assert heading in page.locator("h1").inner_text().lower()
    page.context.clear_cookies()

    page.set_viewport_size({"width": 390, "height": 844})
    m = spec("mentor")
    visit.sign_in(m.email, DEMO_PASSWORD, m.key_bytes)
    for path, button in (
        ("record", "Save"),
        ("cancel", "Cancel"),
    ):
        response = page.goto(visit.base_url + f"/meetings/sessions/{session.pk}/{path}/")
        visit.check()
        assert response.status == 200
        assert button.lower() in page.locator("main form").last.inner_text().lower()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    response = page.goto(visit.base_url + f"/supervision/records/{record.pk}/")
    visit.check()
    assert response.status == 200
    assert "boundaries" in page.locator("main").inner_text().lower()
