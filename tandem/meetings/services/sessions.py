"""Every change to a session or a meeting brief goes through here.

Each service locks what it changes (``select_for_update``), refuses a form posted from
a stale page (``expected_version``), writes the audit event in the same transaction
and puts one line on the case's timeline. Nothing said in a session (notes, summary,
next steps) goes into the timeline, the audit log or a notification: those say what
happened, never what was said.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.cases.models import STYLE_SCALE, Approach, Case
from tandem.cases.services.lifecycle import case_event_add
from tandem.core.links import url_if_installed
from tandem.core.notifications import notify
from tandem.matching.models import WORKING, Match

from ..extensions import PlannedSession, planning_warnings
from ..lifecycle import EDITABLE, STEPS, Step
from ..models import (
    CancelledBy,
    MeetingBrief,
    PlaceType,
    Session,
    SessionStatus,
    Topic,
)

MAX_MINUTES = 720
MAX_SERIES = 26
REPEATS = {"once": 0, "weekly": 1, "fortnightly": 2}
# How far ahead a session can be scheduled: further is most likely a typing slip.
MAX_DAYS_AHEAD = 366


class SessionRefused(Exception):
    """The change cannot be made; the message says why and is safe to show."""


class PlanningWarnings(SessionRefused):
    """What is planned calls for the mentor's attention (a registered planning check
    warned); planning again with every warning acknowledged saves it."""

    def __init__(self, warnings: Sequence[str]):
        self.warnings = list(warnings)
        super().__init__(
            "Check the warnings below. Change what you planned, or confirm that you still "
            "want to plan this session."
        )


# An Arrangements field left as it is (recording a planned session as held keeps the
# area and the people expected that planning gave).
UNCHANGED = object()


class SessionConflict(SessionRefused):
    """Someone changed the session since the form was loaded."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "This session was changed by someone else while you were working on it. Your "
            "changes have not been saved: check the session as it is now, then try again."
        )


@dataclass(frozen=True)
class WhatHappened:
    """What a mentor records for every held session."""

    approach: str
    style: int
    engagement: int
    trust: int
    topics: Sequence[Topic] = field(default_factory=tuple)
    next_steps: str = ""
    private_notes: str = ""
    summary: str = ""


@dataclass(frozen=True)
class Arrangements:
    """When and where a session is, or was."""

    starts_at: dt.datetime
    place_type: PlaceType
    duration_minutes: int = 60
    travel_minutes: int = 0
    family_present: bool = False
    professional_present: bool = False
    area: object = UNCHANGED
    others_expected: object = UNCHANGED


# Checks ---------------------------------------------------------------------------------


def _working_match(match: Match) -> Match:
    """Lock the match and refuse unless the mentor is working with the person."""
    locked = Match.objects.select_for_update().select_related("case", "mentor").get(pk=match.pk)
    if locked.status not in WORKING:
        raise SessionRefused(
            "Sessions can be arranged or recorded only while the match is accepted or active. "
            f"This match is “{locked.get_status_display().lower()}”."
        )
    return locked


def _check_arrangements(arrangements: Arrangements) -> None:
    if not 1 <= arrangements.duration_minutes <= MAX_MINUTES:
        raise SessionRefused("The length of the session must be between 1 and 720 minutes.")
    if not 0 <= arrangements.travel_minutes <= MAX_MINUTES:
        raise SessionRefused("Travel time must be between 0 and 720 minutes.")
    if not PlaceType.objects.filter(pk=arrangements.place_type.pk, is_active=True).exists():
        raise SessionRefused("Choose a place from the list: that one is no longer offered.")


def _check_future(starts_at: dt.datetime) -> None:
    now = timezone.now()
    if starts_at <= now:
        raise SessionRefused("A session can be scheduled only for a time still to come.")
    if starts_at > now + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise SessionRefused("A session can be scheduled at most 12 months ahead.")


def _check_what_happened(what: WhatHappened) -> None:
    if what.approach not in Approach.values:
        raise SessionRefused("Choose the approach you used.")
    if what.style not in STYLE_SCALE:
        raise SessionRefused("Choose the style you used, from 1 to 5.")
    if what.engagement not in range(1, 6) or what.trust not in range(1, 6):
        raise SessionRefused("Rate engagement and trust from 1 to 5.")
    topic_ids = {t.pk for t in what.topics}
    offered = set(
        Topic.objects.filter(pk__in=topic_ids, is_active=True).values_list("pk", flat=True)
    )
    if topic_ids - offered:
        raise SessionRefused("Choose topics from the list: one of them is no longer offered.")


def _lock(session: Session, expected_version: int | None, step: Step | None = None) -> Session:
    """Lock the session, refuse a stale form, a finished session and a match that is no
    longer working."""
    locked = (
        Session.objects.select_for_update()
        .select_related("case", "mentor", "place_type")
        .get(pk=session.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise SessionConflict()
    allowed = step.sources if step is not None else EDITABLE
    if locked.status not in allowed:
        raise SessionRefused(
            f"This session is now “{locked.get_status_display().lower()}”, so that is no "
            "longer possible. The page shows it as it is now."
        )
    _working_match(locked.match)
    return locked


def _when(starts_at: dt.datetime) -> str:
    return f"{timezone.localtime(starts_at):%-d %B %Y at %H:%M}"


def _audit(actor, action: str, session: Session, request, fields: Sequence[str]) -> None:
    record_event(
        actor=actor, action=action, obj=session, request=request, changed_fields=list(fields)
    )


def _apply_arrangements(session: Session, arrangements: Arrangements) -> None:
    session.starts_at = arrangements.starts_at
    session.duration_minutes = arrangements.duration_minutes
    session.travel_minutes = arrangements.travel_minutes
    session.place_type = arrangements.place_type
    session.family_present = arrangements.family_present
    session.professional_present = arrangements.professional_present
    if arrangements.area is not UNCHANGED:
        session.area = arrangements.area
    if arrangements.others_expected is not UNCHANGED:
        session.others_expected = (arrangements.others_expected or "").strip() or None


def _warn(
    case: Case, arrangements: Arrangements, acknowledged: Sequence[str], session=None
) -> list[str]:
    """The planning warnings for what is planned; refuses (``PlanningWarnings``) while
    one of them has not been acknowledged."""
    area = arrangements.area
    if area is UNCHANGED:
        area = session.area if session is not None else None
    others = arrangements.others_expected
    if others is UNCHANGED:
        others = (session.others_expected or "") if session is not None else ""
    warnings = planning_warnings(
        PlannedSession(
            case=case,
            starts_at=arrangements.starts_at,
            place_type=arrangements.place_type,
            area=area,
            others_expected=others or "",
        )
    )
    if any(w not in acknowledged for w in warnings):
        raise PlanningWarnings(warnings)
    return warnings


def _warned(*, actor, case: Case, session: Session, warnings: Sequence[str], request) -> None:
    """A session planned despite warnings: on the timeline (without the warnings' words,
    which may name people) and in the audit log."""
    if not warnings:
        return
    count = len(warnings)
    case_event_add(
        case=case,
        kind="session.planned_despite_warning",
        summary=f"Session planned after the mentor confirmed {count} planning warning"
        + ("s" if count != 1 else ""),
        actor=actor,
    )
    record_event(
        actor=actor,
        action="session.plan_warning_confirm",
        obj=session,
        request=request,
        changed_fields=["area", "others_expected", "starts_at"],
    )


ARRANGEMENT_FIELDS = [
    "starts_at",
    "duration_minutes",
    "travel_minutes",
    "place_type",
    "family_present",
    "professional_present",
    "area",
    "others_expected",
]
WHAT_HAPPENED_FIELDS = [
    "approach",
    "style",
    "engagement",
    "trust",
    "next_steps",
    "private_notes",
    "summary",
]


def _apply_held(session: Session, *, actor, arrangements: Arrangements, what: WhatHappened):
    if arrangements.starts_at > timezone.now():
        raise SessionRefused("A session cannot be recorded as held before it has started.")
    _check_arrangements(arrangements)
    _check_what_happened(what)
    _apply_arrangements(session, arrangements)
    session.status = SessionStatus.HELD
    session.approach = what.approach
    session.style = what.style
    session.engagement = what.engagement
    session.trust = what.trust
    session.next_steps = what.next_steps.strip()
    session.private_notes = what.private_notes.strip()
    session.summary = what.summary.strip()
    session.recorded_by = actor
    session.recorded_at = timezone.now()


def _held_line(session: Session) -> str:
    return (
        f"Session held on {timezone.localtime(session.starts_at):%-d %B %Y} "
        f"({session.place_type.name[0].lower()}{session.place_type.name[1:]}, "
        f"{session.duration_minutes} minutes)"
    )


# Scheduling -----------------------------------------------------------------------------


@transaction.atomic
def session_schedule(
    *,
    actor,
    match: Match,
    arrangements: Arrangements,
    repeat: str = "once",
    count: int = 1,
    acknowledged_warnings: Sequence[str] = (),
    request=None,
) -> list[Session]:
    """Schedule one planned session, or a weekly or fortnightly series of ``count``.
    Planning warnings (``tandem.meetings.extensions``) refuse it until every one of them
    is in ``acknowledged_warnings``."""
    if repeat not in REPEATS:
        raise SessionRefused("Choose whether the session repeats.")
    if repeat == "once":
        count = 1
    if not 1 <= count <= MAX_SERIES:
        raise SessionRefused(f"A series can have from 1 to {MAX_SERIES} sessions.")
    match = _working_match(match)
    _check_arrangements(arrangements)
    _check_future(arrangements.starts_at)
    warnings = _warn(match.case, arrangements, acknowledged_warnings)
    # Repeat on the local clock, so a weekly 18:00 stays 18:00 across a clock change.
    local = timezone.localtime(arrangements.starts_at).replace(tzinfo=None)
    series = uuid.uuid4() if count > 1 else None
    created = []
    for n in range(count):
        starts_at = timezone.make_aware(local + dt.timedelta(weeks=REPEATS[repeat] * n))
        session = Session(
            match=match,
            case=match.case,
            mentor=match.mentor,
            series=series,
            created_by=actor,
        )
        _apply_arrangements(session, arrangements)
        session.starts_at = starts_at
        session.save()
        _audit(actor, "session.schedule", session, request, ["status", *ARRANGEMENT_FIELDS])
        created.append(session)
    first = created[0]
    if count == 1:
        summary = f"Session planned for {_when(first.starts_at)}"
    else:
        every = "every week" if repeat == "weekly" else "every two weeks"
        summary = f"{count} sessions planned {every} from {_when(first.starts_at)}"
    case_event_add(case=match.case, kind="session.scheduled", summary=summary, actor=actor)
    _warned(actor=actor, case=match.case, session=first, warnings=warnings, request=request)
    return created


@transaction.atomic
def session_first_from_match(*, actor, match: Match, request=None) -> Session | None:
    """The match's first meeting becomes its first planned session (once per match).
    The place is the first offered place type of the meeting's mode."""
    if (
        match.first_meeting_at is None
        or Session.objects.filter(match=match, is_first=True).exists()
    ):
        return None
    places = PlaceType.objects.filter(is_active=True).order_by("position", "name")
    place_type = places.filter(mode=match.first_meeting_place).first() or places.first()
    if place_type is None:
        return None
    try:
        with transaction.atomic():
            session = Session.objects.create(
                match=match,
                case=match.case,
                mentor=match.mentor,
                is_first=True,
                starts_at=match.first_meeting_at,
                place_type=place_type,
                created_by=actor,
            )
    except IntegrityError:  # made meanwhile by another start of the same match
        return None
    _audit(actor, "session.schedule", session, request, ["status", "is_first", "starts_at"])
    return session


@transaction.atomic
def session_edit(
    *,
    actor,
    session: Session,
    expected_version: int | None,
    arrangements: Arrangements,
    acknowledged_warnings: Sequence[str] = (),
    request=None,
) -> Session:
    """Change a planned session's time, length or place (planning warnings as for
    ``session_schedule``)."""
    session = _lock(session, expected_version)
    _check_arrangements(arrangements)
    _check_future(arrangements.starts_at)
    warnings = _warn(session.case, arrangements, acknowledged_warnings, session=session)
    _apply_arrangements(session, arrangements)
    session.version += 1
    session.save(update_fields=[*ARRANGEMENT_FIELDS, "version"])
    _audit(actor, "session.change", session, request, ARRANGEMENT_FIELDS)
    case_event_add(
        case=session.case,
        kind="session.changed",
        summary=f"Planned session changed: now {_when(session.starts_at)}",
        actor=actor,
    )
    _warned(actor=actor, case=session.case, session=session, warnings=warnings, request=request)
    return session


# Recording what happened ----------------------------------------------------------------


def _keep_held(
    session: Session,
    *,
    actor,
    arrangements: Arrangements,
    what: WhatHappened,
    action: str,
    request,
) -> Session:
    """Save ``session`` as held with what happened, audited and on the case timeline."""
    _apply_held(session, actor=actor, arrangements=arrangements, what=what)
    session.save()
    session.topics.set(what.topics)
    _audit(
        actor,
        action,
        session,
        request,
        ["status", *ARRANGEMENT_FIELDS, *WHAT_HAPPENED_FIELDS, "topics"],
    )
    case_event_add(case=session.case, kind="session.held", summary=_held_line(session), actor=actor)
    return session


@transaction.atomic
def session_record_held(
    *,
    actor,
    session: Session,
    expected_version: int | None,
    arrangements: Arrangements,
    what: WhatHappened,
    request=None,
) -> Session:
    """Record a planned session as held, with what happened."""
    step = STEPS["record_held"]
    session = _lock(session, expected_version, step)
    session.version += 1
    return _keep_held(
        session,
        actor=actor,
        arrangements=arrangements,
        what=what,
        action="session.record_held",
        request=request,
    )


@transaction.atomic
def session_log_held(
    *, actor, match: Match, arrangements: Arrangements, what: WhatHappened, request=None
) -> Session:
    """Record a session that was never planned, as held."""
    match = _working_match(match)
    session = Session(match=match, case=match.case, mentor=match.mentor, created_by=actor)
    return _keep_held(
        session,
        actor=actor,
        arrangements=arrangements,
        what=what,
        action="session.log_held",
        request=request,
    )


@transaction.atomic
def session_record_missed(
    *, actor, session: Session, expected_version: int | None, request=None
) -> Session:
    """The person did not come to a planned session."""
    session = _lock(session, expected_version, STEPS["record_missed"])
    if session.starts_at > timezone.now():
        raise SessionRefused(
            "You can record that the person did not attend only once the session's time has come."
        )
    session.status = SessionStatus.DID_NOT_ATTEND
    session.recorded_by = actor
    session.recorded_at = timezone.now()
    session.version += 1
    session.save(update_fields=["status", "recorded_by", "recorded_at", "version"])
    _audit(actor, "session.record_missed", session, request, ["status"])
    case_event_add(
        case=session.case,
        kind="session.missed",
        summary=f"Did not attend the session of {_when(session.starts_at)}",
        actor=actor,
    )
    return session


@transaction.atomic
def session_cancel(
    *, actor, session: Session, expected_version: int | None, cancelled_by: str, request=None
) -> Session:
    if cancelled_by not in CancelledBy.values:
        raise SessionRefused("Choose who cancelled the session.")
    session = _lock(session, expected_version, STEPS["cancel"])
    session.status = SessionStatus.CANCELLED
    session.cancelled_by = cancelled_by
    session.recorded_by = actor
    session.recorded_at = timezone.now()
    session.version += 1
    session.save(update_fields=["status", "cancelled_by", "recorded_by", "recorded_at", "version"])
    _audit(actor, "session.cancel", session, request, ["status", "cancelled_by"])
    by = CancelledBy(cancelled_by).label
    case_event_add(
        case=session.case,
        kind="session.cancelled",
        summary=f"Session of {_when(session.starts_at)} cancelled by {by[0].lower()}{by[1:]}",
        actor=actor,
    )
    return session


@transaction.atomic
def session_reschedule(
    *,
    actor,
    session: Session,
    expected_version: int | None,
    starts_at: dt.datetime,
    request=None,
) -> Session:
    """Move a planned session to another time: the old one is marked rescheduled and
    linked to the new planned one, which keeps its length and place."""
    session = _lock(session, expected_version, STEPS["reschedule"])
    _check_future(starts_at)
    was_first = session.is_first
    session.status = SessionStatus.RESCHEDULED
    session.is_first = False
    session.version += 1
    session.save(update_fields=["status", "is_first", "version"])
    new = Session.objects.create(
        match=session.match,
        case=session.case,
        mentor=session.mentor,
        is_first=was_first,
        series=session.series,
        starts_at=starts_at,
        duration_minutes=session.duration_minutes,
        travel_minutes=session.travel_minutes,
        place_type=session.place_type,
        family_present=session.family_present,
        professional_present=session.professional_present,
        created_by=actor,
    )
    session.rescheduled_to = new
    session.save(update_fields=["rescheduled_to"])
    _audit(actor, "session.reschedule", session, request, ["status", "rescheduled_to"])
    _audit(actor, "session.schedule", new, request, ["status", *ARRANGEMENT_FIELDS])
    case_event_add(
        case=session.case,
        kind="session.rescheduled",
        summary=f"Session of {_when(session.starts_at)} moved to {_when(new.starts_at)}",
        actor=actor,
    )
    return new


# The meeting brief ----------------------------------------------------------------------


@transaction.atomic
def brief_save(
    *,
    actor,
    case: Case,
    preferred_name: str,
    contact_details: str,
    risks_to_mentor: str,
    request=None,
) -> MeetingBrief:
    """Enter or change what the mentor needs to meet the person."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    match = (
        Match.objects.filter(case=case, status__in=WORKING).select_related("mentor__user").first()
    )
    if match is None:
        raise SessionRefused(
            "A meeting brief can be written only while the case has an accepted or active match."
        )
    brief, created = MeetingBrief.objects.select_for_update().get_or_create(
        case=case, defaults={"updated_by": actor}
    )
    brief.preferred_name = preferred_name.strip()
    brief.contact_details = contact_details.strip()
    brief.risks_to_mentor = risks_to_mentor.strip()
    brief.updated_by = actor
    brief.updated_at = timezone.now()
    brief.save()
    record_event(
        actor=actor,
        action="meeting_brief.create" if created else "meeting_brief.change",
        obj=brief,
        request=request,
        changed_fields=["preferred_name", "contact_details", "risks_to_mentor"],
    )
    case_event_add(
        case=case,
        kind="meeting_brief.saved",
        summary="Meeting brief written" if created else "Meeting brief updated",
        actor=actor,
    )
    mentor_user = match.mentor.user
    notify(
        users=[mentor_user] if mentor_user is not None and mentor_user.is_active else [],
        message=f"The meeting brief for {case.reference} has been "
        + ("written." if created else "updated."),
        link=url_if_installed("meetings:case_sessions", pk=case.pk),
    )
    return brief
