"""Concerns for tests: raised through the service so that deadlines, history and audit
are as in real use."""

from __future__ import annotations

import datetime as dt

from conftest import create_user
from tandem.meetings.tests.factories import make_session, mentor_with_account, working_match

from ..models import Agency, Concern, ConcernCategory, Urgency
from ..services import concern_raise


def category(code: str = "harm-to-others") -> ConcernCategory:
    return ConcernCategory.objects.get(code=code)


def agency(code: str = "childrens-social-care") -> Agency:
    return Agency.objects.get(code=code)


def lead(**extra):
    return create_user("safeguarding_lead", **extra)


def raise_concern(
    *,
    actor=None,
    match=None,
    urgency: str = Urgency.URGENT,
    details: str = "Talked about a plan to hurt someone at school.",
    code: str = "harm-to-others",
    with_session: bool = False,
    now: dt.datetime | None = None,
) -> Concern:
    """A concern about the case of ``match`` (a new working match when None), raised by
    the match's mentor unless ``actor`` says otherwise."""
    match = match or working_match()
    session = make_session(match, days_ago=1) if with_session else None
    return concern_raise(
        actor=actor or match.mentor.user,
        category=category(code),
        urgency=urgency,
        details=details,
        case=match.case,
        session=session,
        now=now,
    )


def mentor_concern(*, mentor=None, urgency: str = Urgency.IMMEDIATE) -> Concern:
    mentor = mentor or mentor_with_account()
    return concern_raise(
        actor=mentor.user,
        category=category("risk-to-mentor"),
        urgency=urgency,
        details="A man followed me to my car after the session.",
        mentor=mentor,
    )
