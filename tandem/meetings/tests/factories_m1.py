"""Test data for sessions: a working match with a mentor who can sign in and a
supervisor, and sessions in any status without going through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import create_user
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.matching.models import MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.mentors.models import MentorStatus
from tandem.mentors.tests.factories import make_mentor

from ..models import PlaceType, Session, SessionStatus


def working_match(*, mentor=None, status=MatchStatus.ACTIVE, case=None, **mentor_fields):
    """An active match whose mentor has an account (role mentor) and a supervisor."""
    if mentor is None:
        mentor_fields.setdefault("user", create_user("mentor"))
        mentor_fields.setdefault("supervisor", create_user("supervisor"))
        mentor = make_mentor(status=MentorStatus.ACTIVE, **mentor_fields)
    case = case or make_case(
        status=CaseStatus.ACTIVE if status == MatchStatus.ACTIVE else CaseStatus.MATCHED
    )
    return live_match(case, mentor, status=status)


def place(code="community-venue") -> PlaceType:
    return PlaceType.objects.get(code=code)


def make_session(match, *, status=SessionStatus.PLANNED, starts_at=None, **fields) -> Session:
    starts_at = starts_at or timezone.now() + dt.timedelta(days=3)
    if status == SessionStatus.HELD:
        fields.setdefault("approach", "befriending")
        fields.setdefault("style", 2)
        fields.setdefault("engagement", 4)
        fields.setdefault("trust", 3)
    if status == SessionStatus.CANCELLED:
        fields.setdefault("cancelled_by", "person")
    fields.setdefault("place_type", place())
    return Session.objects.create(
        match=match,
        case=match.case,
        mentor=match.mentor,
        status=status,
        starts_at=starts_at,
        created_by=fields.pop("created_by", None) or match.mentor.user or create_user(),
        **fields,
    )
