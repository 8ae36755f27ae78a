"""Demo safeguarding: the deputy lead named in the policy, and concerns: one in every
state on the demo cases, raised by their mentors (mostly from a session), one overdue and
not yet acknowledged, one escalated to children's social care with the agency's
reference and their decision, one closed with an outcome and the lead's sign-off, and
one about a mentor's own safety.

Only for local evaluation and tests. The deputy is named when the policy has none; the
concerns are made once, after the demo meetings: when any concern exists, nothing is
done. Everything goes through the services, so deadlines, history, the case timelines
and the audit log are as in real use. Texts name nobody.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.matching.models import Match, MatchStatus
from tandem.meetings.models import Session, SessionStatus
from tandem.safeguarding import services
from tandem.safeguarding.models import (
    Agency,
    CaseArrangement,
    Concern,
    ConcernCategory,
    EscalationMethod,
    Outcome,
    SafeguardingPolicy,
    Urgency,
)

from .accounts import DEMO_DOMAIN

LEAD_EMAIL = f"safeguarding@{DEMO_DOMAIN}"
DEPUTY_EMAIL = f"deputy-safeguarding@{DEMO_DOMAIN}"

# (category code, urgency, hours ago raised, the lead's moves, what was seen or heard)
PLAN = [
    (
        "harm-to-others",
        Urgency.IMMEDIATE,
        3,
        [],
        "Talked about getting hold of a weapon and 'teaching them a lesson' at a named event.",
    ),
    ("risk-to-self", Urgency.STANDARD, 2, [], "Said he has not been sleeping and feels hopeless."),
    (
        "exploitation",
        Urgency.URGENT,
        30,
        ["acknowledge"],
        "An older man keeps collecting him after college and giving him money.",
    ),
    (
        "radicalising-others",
        Urgency.STANDARD,
        100,
        ["acknowledge", "action"],
        "Shared extremist videos in a group chat with younger cousins.",
    ),
    (
        "child-protection",
        Urgency.URGENT,
        200,
        ["acknowledge", "action", "escalate"],
        "Younger sibling said there is often no food at home and nobody there at night.",
    ),
    (
        "information-incident",
        Urgency.STANDARD,
        300,
        ["acknowledge", "action", "resolve"],
        "Session notes were left on a printer at the community venue for an hour.",
    ),
    (
        "other",
        Urgency.STANDARD,
        600,
        ["acknowledge", "action", "resolve", "close"],
        "Family member asked the mentor to pass messages to someone in prison.",
    ),
]


def ensure_demo_deputy() -> bool:
    """Name the demo deputy lead in the safeguarding policy unless one is named already."""
    deputy = User.objects.filter(email=DEPUTY_EMAIL, is_active=True).first()
    policy = SafeguardingPolicy.current()
    if deputy is None or policy.deputy_id is not None:
        return False
    data = {name: getattr(policy, name) for name in services.POLICY_FIELDS}
    services.safeguarding_policy_update(actor=None, data={**data, "deputy": deputy})
    return True


def ensure_demo_safeguarding(*, now: dt.datetime | None = None) -> int:
    """Name the deputy and create the demo concerns; the number of concerns created."""
    now = now or timezone.now()
    ensure_demo_deputy()
    lead = User.objects.filter(email=LEAD_EMAIL).first()
    if lead is None or Concern.objects.exists():
        return 0
    matches = list(
        Match.objects.filter(status=MatchStatus.ACTIVE, mentor__user__isnull=False)
        .select_related("case", "mentor", "mentor__user")
        .order_by("pk")[: len(PLAN)]
    )
    if not matches:
        return 0
    categories = {c.code: c for c in ConcernCategory.objects.all()}
    with transaction.atomic():
        for n, (code, urgency, hours, moves, details) in enumerate(PLAN):
            match = matches[n % len(matches)]
            raised_at = now - dt.timedelta(hours=hours)
            session = (
                Session.objects.filter(
                    match=match, status=SessionStatus.HELD, starts_at__lte=raised_at
                )
                .order_by("-starts_at")
                .first()
            )
            concern = services.concern_raise(
                actor=match.mentor.user,
                category=categories[code],
                urgency=urgency,
                details=details,
                case=match.case,
                session=session,
                now=raised_at,
            )
            _walk(concern, moves, lead=lead, raised_at=raised_at, now=now)
        mentor = matches[0].mentor
        own = services.concern_raise(
            actor=mentor.user,
            category=categories["risk-to-mentor"],
            urgency=Urgency.URGENT,
            details="A man waited by my car after the session and followed me to the station.",
            mentor=mentor,
            now=now - dt.timedelta(hours=20),
        )
        services.concern_acknowledge(actor=lead, concern=own, now=now - dt.timedelta(hours=19))
    return len(PLAN) + 1


def _walk(concern, moves, *, lead, raised_at, now) -> None:
    step = (now - raised_at) / (len(moves) + 1)
    at = raised_at
    for move in moves:
        at += step
        if move == "escalate":
            escalation = services.concern_escalate(
                actor=lead,
                concern=concern,
                agency=Agency.objects.get(code="childrens-social-care"),
                method=EscalationMethod.PHONE,
                escalated_at=at,
                agency_reference="CSC/2026/0418",
                case_arrangement=CaseArrangement.STATUTORY_LEAD,
                now=at,
            )
            services.escalation_decision_record(
                actor=lead,
                escalation=escalation,
                decision="Strategy discussion held; a social worker is allocated and leads. "
                "Mentoring continues.",
            )
        elif move == "close":
            services.concern_close(
                actor=lead,
                concern=concern,
                outcome=Outcome.MANAGED_IN_SCHEME,
                outcome_notes="Mentor reminded of boundaries; no further contact requested.",
                signed_off=True,
                now=at,
            )
        else:
            services.SIMPLE_ACTIONS[move](actor=lead, concern=concern, now=at)
