"""Test data for contact monitoring, lone working and the calendar feed: active matches
and sessions made directly on the models (the session services are built elsewhere)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import create_user
from tandem.cases.models import CaseStatus, SupportPlan
from tandem.cases.tests.factories import make_case
from tandem.matching.models import Match, MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.mentors.tests.factories import make_mentor

from ..models import PlaceType, Session, SessionStatus

HELD_FIELDS = {"approach": "befriending", "style": 2, "engagement": 3, "trust": 3}


def active_match(
    *, mentor=None, case=None, started_days_ago: int = 60, frequency: str | None = "weekly"
) -> Match:
    """An active match started ``started_days_ago`` days ago, its case on a plan of
    ``frequency`` (no plan when None)."""
    case = case or make_case(status=CaseStatus.ACTIVE)
    mentor = mentor or make_mentor(status="active")
    started = timezone.now() - dt.timedelta(days=started_days_ago)
    # Proposed by a user without roles, so that tests count only the coordinators they make.
    match = live_match(
        case,
        mentor,
        status=MatchStatus.ACTIVE,
        started_at=started,
        first_meeting_at=started,
        by=create_user(),
    )
    if frequency:
        SupportPlan.objects.create(
            case=case,
            approach="befriending",
            intended_style=2,
            frequency=frequency,
            updated_by=match.proposed_by,
        )
    return match


def mentor_with_account(**fields):
    return make_mentor(status="active", user=create_user("mentor"), **fields)


def place(code: str = "community-venue") -> PlaceType:
    return PlaceType.objects.get(code=code)


def add_session(
    match: Match,
    *,
    days_ago: float = 0,
    at: dt.datetime | None = None,
    status: str = SessionStatus.PLANNED,
    place_code: str = "community-venue",
    **fields,
) -> Session:
    starts_at = at or timezone.now() - dt.timedelta(days=days_ago)
    if status == SessionStatus.HELD:
        for name, value in HELD_FIELDS.items():
            fields.setdefault(name, value)
    return Session.objects.create(
        match=match,
        case=match.case,
        mentor=match.mentor,
        status=status,
        starts_at=starts_at,
        place_type=place(place_code),
        created_by=match.proposed_by,
        **fields,
    )
