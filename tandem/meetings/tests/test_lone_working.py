"""Lone working: the mentor's check-in and check-out, the lone_working_alerts command
(alert, escalation, idempotence) and the coordinators' acknowledgement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.core.models import Notification

from ..models import MeetingsPolicy, Session, SessionStatus
from ..services.lone_working import lone_working_alerts_run
from .factories import active_match, make_session, mentor_with_account

pytestmark = pytest.mark.django_db


def home_visit(*, minutes_ago: float = 0, mentor=None, **fields) -> Session:
    """A one-hour session at the person's home that started ``minutes_ago`` minutes ago."""
    match = active_match(mentor=mentor or mentor_with_account(), started_days_ago=10)
    return make_session(
        match,
        starts_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        place_code="home",
        duration_minutes=60,
        **fields,
    )


def checked_in(**kwargs) -> Session:
    session = home_visit(**kwargs)
    session.checked_in_at = session.starts_at
    session.save(update_fields=["checked_in_at"])
    return session


# The mentor checks in and out ------------------------------------------------------------


def test_the_mentor_checks_in_and_out_from_their_page(client, signed_in):
    session = home_visit(minutes_ago=5)
    signed_in(session.mentor.user)
    page = client.get(reverse("meetings:lone_working_today")).content.decode()
    assert session.case.reference in page and "Check in" in page
    assert session.case.first_name not in page

    response = client.post(reverse("meetings:session_check_in", args=[session.pk]))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.checked_in_at is not None and session.checked_out_at is None
    page = client.get(reverse("meetings:lone_working_today")).content.decode()
    assert "Check out" in page

    client.post(reverse("meetings:session_check_out", args=[session.pk]))
    session.refresh_from_db()
    assert session.checked_out_at >= session.checked_in_at
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"session.check_in", "session.check_out"} <= actions


def test_a_second_check_in_is_refused_with_a_clear_message(client, signed_in):
    session = checked_in(minutes_ago=5)
    signed_in(session.mentor.user)
    response = client.post(reverse("meetings:session_check_in", args=[session.pk]), follow=True)
    assert "You have already checked in to this session." in response.content.decode()


def test_check_out_before_check_in_and_places_without_lone_working_are_refused(client, signed_in):
    session = home_visit(minutes_ago=5)
    signed_in(session.mentor.user)
    response = client.post(reverse("meetings:session_check_out", args=[session.pk]), follow=True)
    assert "Check in first" in response.content.decode()
    venue = make_session(session.match, days_ago=0, place_code="community-venue")
    response = client.post(reverse("meetings:session_check_in", args=[venue.pk]), follow=True)
    assert "does not need a lone-working check-in" in response.content.decode()
    venue.refresh_from_db()
    assert venue.checked_in_at is None


def test_a_check_in_long_before_the_session_is_refused(client, signed_in):
    session = home_visit(minutes_ago=-300)
    signed_in(session.mentor.user)
    response = client.post(reverse("meetings:session_check_in", args=[session.pk]), follow=True)
    assert "from two hours before" in response.content.decode()


def test_another_mentors_session_is_404_and_a_coordinator_cannot_check_in(client, signed_in):
    session = home_visit(minutes_ago=5)
    signed_in(mentor_with_account().user)
    assert client.post(reverse("meetings:session_check_in", args=[session.pk])).status_code == 404
    assert client.post("/meetings/sessions/99999999999/check-in/").status_code == 404
    signed_in(create_user("coordinator"))
    assert client.post(reverse("meetings:session_check_in", args=[session.pk])).status_code == 403
    session.refresh_from_db()
    assert session.checked_in_at is None


def test_the_button_returns_to_the_page_it_was_on_but_never_elsewhere(client, signed_in):
    session = home_visit(minutes_ago=5)
    signed_in(session.mentor.user)
    url = reverse("meetings:session_check_in", args=[session.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("meetings:lone_working_today")
    response = client.post(
        reverse("meetings:session_check_out", args=[session.pk]), {"next": "/cases/"}
    )
    assert response["Location"] == "/cases/"


def test_the_include_shows_the_right_button_for_any_session_page():
    request = RequestFactory().get("/somewhere/")
    session = home_visit(minutes_ago=5)
    html = render_to_string(
        "meetings/includes/lone_working.html", {"session": session, "request": request}
    )
    assert reverse("meetings:session_check_in", args=[session.pk]) in html
    assert 'value="/somewhere/"' in html
    venue = make_session(session.match, days_ago=0)
    html = render_to_string("meetings/includes/lone_working.html", {"session": venue})
    assert html.strip() == ""


def test_the_today_page_lists_only_todays_lone_working_sessions_and_open_check_ins(
    client, signed_in
):
    mentor = mentor_with_account()
    today = home_visit(minutes_ago=0, mentor=mentor)
    make_session(today.match, days_ago=3, place_code="home")  # another day
    left_open = checked_in(minutes_ago=60 * 30, mentor=mentor)  # yesterday, never checked out
    signed_in(mentor.user)
    page = client.get(reverse("meetings:lone_working_today")).content.decode()
    assert page.count('govuk-summary-card__title"') == 2
    assert today.case.reference in page and left_open.case.reference in page


def test_the_today_page_is_honest_when_empty(client, signed_in):
    signed_in(mentor_with_account().user)
    page = client.get(reverse("meetings:lone_working_today")).content.decode()
    assert "You have no session today that needs a lone-working check-in." in page


# Missed check-outs ------------------------------------------------------------------------


def test_a_missed_check_out_alerts_every_coordinator_once(django_capture_on_commit_callbacks):
    coordinators = [create_user("coordinator"), create_user("coordinator")]
    due = checked_in(minutes_ago=60 + 31)  # ended 31 minutes ago; grace is 30
    not_yet = checked_in(minutes_ago=60 + 20)
    out = checked_in(minutes_ago=200)
    Session.objects.filter(pk=out.pk).update(checked_out_at=timezone.now())
    home_visit(minutes_ago=200)  # never checked in: nobody knows the mentor went

    with django_capture_on_commit_callbacks(execute=True):
        run = lone_working_alerts_run()
    assert (run.alerted, run.escalated) == (1, 0)
    due.refresh_from_db()
    not_yet.refresh_from_db()
    assert due.check_out_alerted_at is not None and not_yet.check_out_alerted_at is None
    notes = Notification.objects.filter(user__in=coordinators)
    assert notes.count() == 2 and all(due.case.reference in n.message for n in notes)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in coordinators)
    assert due.case.first_name not in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="session.check_out_missed").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = lone_working_alerts_run()
    assert (again.alerted, again.escalated) == (0, 0)
    assert len(mail.outbox) == 2


def test_an_unacknowledged_alert_escalates_to_coordinators_and_safeguarding_leads(
    django_capture_on_commit_callbacks,
):
    coordinator = create_user("coordinator")
    lead = create_user("safeguarding_lead")
    session = checked_in(minutes_ago=60 + 31)
    lone_working_alerts_run()
    later = timezone.now() + dt.timedelta(minutes=29)
    assert lone_working_alerts_run(now=later).escalated == 0
    later = timezone.now() + dt.timedelta(minutes=31)
    with django_capture_on_commit_callbacks(execute=True):
        run = lone_working_alerts_run(now=later)
    assert run.escalated == 1
    session.refresh_from_db()
    assert session.check_out_escalated_at == later
    assert {m.to[0] for m in mail.outbox} == {coordinator.email, lead.email}
    assert "URGENT" in mail.outbox[0].subject
    assert Notification.objects.filter(user=lead).count() == 1
    assert lone_working_alerts_run(now=later + dt.timedelta(hours=1)).escalated == 0
    assert AuditEvent.objects.filter(action="session.check_out_escalate").count() == 1


def test_an_acknowledged_alert_or_a_late_check_out_does_not_escalate(client, signed_in):
    acknowledged = checked_in(minutes_ago=60 + 31)
    checked_out_late = checked_in(minutes_ago=60 + 31)
    lone_working_alerts_run()
    coordinator = create_user("coordinator")
    signed_in(coordinator)
    page = client.get(reverse("meetings:lone_working_alerts")).content.decode()
    assert acknowledged.case.reference in page and acknowledged.mentor.full_name in page
    client.post(reverse("meetings:lone_working_acknowledge", args=[acknowledged.pk]))
    signed_in(checked_out_late.mentor.user)
    client.post(reverse("meetings:session_check_out", args=[checked_out_late.pk]))

    run = lone_working_alerts_run(now=timezone.now() + dt.timedelta(hours=2))
    assert run.escalated == 0
    acknowledged.refresh_from_db()
    assert acknowledged.check_out_acknowledged_by == coordinator
    assert AuditEvent.objects.filter(action="session.check_out_acknowledge").count() == 1


def test_a_second_acknowledgement_is_refused_and_says_so(client, signed_in):
    session = checked_in(minutes_ago=60 + 31)
    lone_working_alerts_run()
    signed_in(create_user("coordinator"))
    url = reverse("meetings:lone_working_acknowledge", args=[session.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "Someone has already acknowledged this alert." in response.content.decode()


def test_the_grace_and_escalation_times_are_the_schemes_to_set():
    MeetingsPolicy.objects.filter(pk=1).update(check_out_grace_minutes=5)
    session = checked_in(minutes_ago=60 + 6)
    assert lone_working_alerts_run().alerted == 1
    session.refresh_from_db()
    assert session.check_out_alerted_at is not None


def test_the_alerts_page_is_honest_when_empty_and_closed_to_mentors(client, signed_in):
    signed_in(create_user("safeguarding_lead"))
    page = client.get(reverse("meetings:lone_working_alerts")).content.decode()
    assert "No alert is waiting" in page
    signed_in(mentor_with_account().user)
    assert client.get(reverse("meetings:lone_working_alerts")).status_code == 403


def test_the_command_reports_what_it_did(capsys):
    checked_in(minutes_ago=60 + 31)
    call_command("lone_working_alerts")
    assert "Missed check-outs alerted: 1; escalated: 0." in capsys.readouterr().out


def test_a_session_cancelled_after_check_in_still_needs_its_check_out(client, signed_in):
    session = checked_in(minutes_ago=60 + 31)
    Session.objects.filter(pk=session.pk).update(
        status=SessionStatus.CANCELLED, cancelled_by="person"
    )
    # Checked in, then the person cancelled at the door: still not checked out, so the
    # mentor's safety is still unknown and the alert stands.
    assert lone_working_alerts_run().alerted == 1
    signed_in(session.mentor.user)
    client.post(reverse("meetings:session_check_out", args=[session.pk]))
    session.refresh_from_db()
    assert session.checked_out_at is not None


# Query counts ----------------------------------------------------------------------------


def _count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_alerts_page_reads_a_fixed_number_of_queries(client, signed_in):
    signed_in(create_user("coordinator"))
    url = reverse("meetings:lone_working_alerts")

    def alerts(n):
        for _ in range(n):
            checked_in(minutes_ago=60 + 31)
        lone_working_alerts_run()

    alerts(1)
    client.get(url)
    small = _count_queries(client, url)
    alerts(6)
    assert _count_queries(client, url) == small


def test_the_check_in_page_reads_a_fixed_number_of_queries(client, signed_in):
    mentor = mentor_with_account()
    signed_in(mentor.user)
    url = reverse("meetings:lone_working_today")
    home_visit(minutes_ago=0, mentor=mentor)
    client.get(url)
    small = _count_queries(client, url)
    for _ in range(5):
        home_visit(minutes_ago=0, mentor=mentor)
    assert _count_queries(client, url) == small
