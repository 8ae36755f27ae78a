"""The calendar subscription: a secret shown once and stored as a hash, a feed that
parses as iCalendar and holds no names, revoking and replacing."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import icalendar
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.matching.models import MatchStatus

from ..models import CalendarFeed, SessionStatus
from ..views.calendar import FEED_MISSES_ALLOWED
from .factories import active_match, make_session, mentor_with_account

pytestmark = pytest.mark.django_db

FEED_URL = re.compile(r"https?://[^\s<\"]+/meetings/calendar/feed/([A-Za-z0-9_-]+)\.ics")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def create_feed(client) -> str:
    page = client.post(reverse("meetings:calendar_create")).content.decode()
    return FEED_URL.search(page).group(1)


def test_a_mentor_makes_a_link_shown_once_and_stored_only_as_a_hash(client, signed_in):
    mentor = mentor_with_account()
    signed_in(mentor.user)
    assert "You have no calendar link." in client.get(reverse("meetings:calendar")).content.decode()
    token = create_feed(client)
    feed = CalendarFeed.objects.get(user=mentor.user)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash
    page = client.get(reverse("meetings:calendar")).content.decode()
    assert token not in page and "cannot be shown again" in page
    assert AuditEvent.objects.filter(action="calendar_feed.create").exists()


def test_the_feed_parses_and_holds_time_place_and_reference_but_no_name(client, signed_in):
    mentor = mentor_with_account()
    match = active_match(mentor=mentor)
    case = match.case
    case.first_name, case.last_name = "Zebulon", "Quartermaine"
    case.save()
    planned = make_session(
        match, starts_at=timezone.now() + dt.timedelta(days=2), place_code="home"
    )
    held = make_session(match, days_ago=7, status=SessionStatus.HELD, duration_minutes=90)
    make_session(match, days_ago=3, status=SessionStatus.CANCELLED, cancelled_by="person")
    make_session(match, days_ago=200, status=SessionStatus.HELD)  # beyond the feed's history
    other = active_match()  # someone else's session
    make_session(other, starts_at=timezone.now() + dt.timedelta(days=1))
    signed_in(mentor.user)
    token = create_feed(client)
    client.logout()

    response = client.get(reverse("meetings:calendar_feed", kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for name in ("Zebulon", "Quartermaine", other.case.reference):
        assert name not in body
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    by_start = {e.decoded("dtstart"): e for e in events}
    event = by_start[planned.starts_at.replace(microsecond=0)]
    assert str(event["summary"]) == f"Mentoring session: {case.reference}"
    assert str(event["location"]) == "The person's home"
    past = by_start[held.starts_at.replace(microsecond=0)]
    assert past.decoded("dtend") - past.decoded("dtstart") == dt.timedelta(minutes=90)


def test_sessions_of_an_ended_match_leave_the_feed(client, signed_in):
    mentor = mentor_with_account()
    match = active_match(mentor=mentor)
    make_session(match, starts_at=timezone.now() + dt.timedelta(days=2))
    signed_in(mentor.user)
    token = create_feed(client)
    match.status, match.end_reason = MatchStatus.ENDED, "completed"
    match.save()
    body = client.get(reverse("meetings:calendar_feed", kwargs={"token": token})).content
    assert icalendar.Calendar.from_ical(body).walk("VEVENT") == []


def test_revoking_stops_the_link_and_replacing_stops_the_old_one(client, signed_in):
    mentor = mentor_with_account()
    signed_in(mentor.user)
    first = create_feed(client)
    second = create_feed(client)
    assert CalendarFeed.objects.filter(user=mentor.user).count() == 1
    assert client.get(reverse("meetings:calendar_feed", kwargs={"token": first})).status_code == 404
    assert (
        client.get(reverse("meetings:calendar_feed", kwargs={"token": second})).status_code == 200
    )
    response = client.post(reverse("meetings:calendar_revoke"), follow=True)
    assert "switched off" in response.content.decode()
    assert (
        client.get(reverse("meetings:calendar_feed", kwargs={"token": second})).status_code == 404
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="calendar_feed.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions[:2] == ["calendar_feed.create", "calendar_feed.replace"]
    assert "calendar_feed.revoke" in actions


def test_a_deactivated_users_link_stops_working(client, signed_in):
    mentor = mentor_with_account()
    signed_in(mentor.user)
    token = create_feed(client)
    type(mentor.user).objects.filter(pk=mentor.user.pk).update(
        is_active=False, deactivated_at=timezone.now()
    )
    assert client.get(reverse("meetings:calendar_feed", kwargs={"token": token})).status_code == 404


def test_reads_are_audited_at_most_hourly(client, signed_in):
    mentor = mentor_with_account()
    signed_in(mentor.user)
    token = create_feed(client)
    url = reverse("meetings:calendar_feed", kwargs={"token": token})
    for _ in range(3):
        client.get(url)
    assert AuditEvent.objects.filter(action="calendar_feed.read").count() == 1
    CalendarFeed.objects.update(last_read_at=timezone.now() - dt.timedelta(hours=2))
    client.get(url)
    assert AuditEvent.objects.filter(action="calendar_feed.read").count() == 2


def test_guessing_secrets_is_404_then_429(client):
    for n in range(FEED_MISSES_ALLOWED):
        response = client.get(reverse("meetings:calendar_feed", kwargs={"token": f"guess{n}"}))
        assert response.status_code == 404
    response = client.get(reverse("meetings:calendar_feed", kwargs={"token": "one-more"}))
    assert response.status_code == 429


def test_silly_tokens_are_404(client):
    for token in ("x" * 500, "%00", "..", "ab"):
        assert client.get(f"/meetings/calendar/feed/{token}.ics").status_code == 404


def test_only_mentors_have_a_calendar_link(client, signed_in, make_user):
    signed_in(make_user("coordinator"))
    assert client.get(reverse("meetings:calendar")).status_code == 403
    assert client.post(reverse("meetings:calendar_create")).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_feed_reads_a_fixed_number_of_queries(client, signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mentor = mentor_with_account()
    match = active_match(mentor=mentor)
    signed_in(mentor.user)
    token = create_feed(client)
    url = reverse("meetings:calendar_feed", kwargs={"token": token})
    make_session(match, days_ago=1, status=SessionStatus.HELD)
    client.get(url)  # the hourly audited read out of the way

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for n in range(8):
        make_session(active_match(mentor=mentor), days_ago=n, status=SessionStatus.HELD)
    assert count() == small
