"""A mentor's personal calendar subscription.

The secret is 32 random bytes (``secrets.token_urlsafe``) shown once, in the URL the
mentor gives their calendar app; only its SHA-256 hash is stored, so the URL cannot be
read back from the database. The feed is found by that hash (the unique index), so the
time a lookup takes says nothing about any stored secret; the hash is compared again in
constant time all the same. Revoking deletes the row: the URL then answers 404.

Each event holds the session's time, duration, place type and case reference: never a
name, nothing said in the session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tandem.audit.services import record_event

from ..models import CalendarFeed, Session, SessionStatus

# A feed read is recorded in the audit log at most this often (calendar apps poll).
READ_AUDIT_INTERVAL = dt.timedelta(hours=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor, request=None) -> tuple[CalendarFeed, str]:
    """A new feed for ``actor``, replacing any earlier one (whose URL stops working).
    Returns the feed and its secret, which is never shown again."""
    replaced = CalendarFeed.objects.filter(user=actor).delete()[0] > 0
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, token_hash=token_hash(token))
    record_event(
        actor=actor,
        action="calendar_feed.replace" if replaced else "calendar_feed.create",
        obj=feed,
        request=request,
        changed_fields=["token_hash"],
    )
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor, request=None) -> bool:
    """Delete ``actor``'s feed; False when they had none."""
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    if feed is None:
        return False
    record_event(
        actor=actor,
        action="calendar_feed.revoke",
        obj=feed,
        request=request,
        changed_fields=["token_hash"],
    )
    feed.delete()
    return True


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed whose secret is ``token``, with an active user; else None."""
    if not token or len(token) > 100:
        return None
    wanted = token_hash(token)
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=wanted, user__is_active=True)
        .first()
    )
    if feed is None or not hmac.compare_digest(feed.token_hash, wanted):
        return None
    return feed


def calendar_feed_read(*, feed: CalendarFeed, request=None) -> None:
    """Note the read; audited at most once per READ_AUDIT_INTERVAL per feed."""
    now = timezone.now()
    with transaction.atomic():
        won = CalendarFeed.objects.filter(
            Q(last_read_at__isnull=True) | Q(last_read_at__lte=now - READ_AUDIT_INTERVAL),
            pk=feed.pk,
        ).update(last_read_at=now)
        if won:
            record_event(
                actor=feed.user,
                action="calendar_feed.read",
                obj=feed,
                request=request,
                changed_fields=["last_read_at"],
            )


def render_calendar(sessions, *, now: dt.datetime | None = None) -> bytes:
    """The iCalendar document for ``sessions`` (with case and place type loaded)."""
    now = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Tandem//Mentoring sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Mentoring sessions ({settings.TANDEM_SCHEME_NAME})")
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for session in sessions:
        session: Session
        event = icalendar.Event()
        event.add("uid", f"session-{session.record_uuid}@tandem")
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", f"Mentoring session: {session.case.reference}")
        event.add("location", session.place_type.name)
        event.add(
            "status",
            "CONFIRMED"
            if session.status in (SessionStatus.PLANNED, SessionStatus.HELD)
            else "CANCELLED",
        )
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    return calendar.to_ical()
