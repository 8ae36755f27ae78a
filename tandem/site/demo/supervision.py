"""Demo supervision: supervisor assignments with history, supervision records over the
last six months for every supervised mentor, actions agreed, wellbeing check-ins (one
low) and a debrief required; one mentor's supervision overdue, so they cannot take a
case, with the reason in words.

Only for local evaluation and tests. Runs after the demo mentors (and, in demo_data,
after matches and meetings). The demo mentor (``MENTOR_USER_EMAIL``) was supervised two
weeks ago and stays matchable. Idempotent: when any supervision is recorded, nothing is
done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tandem.mentors.matchability import matchable_mentors
from tandem.mentors.models import Mentor, MentorStatus
from tandem.site.demo.mentors import MENTOR_USER_EMAIL
from tandem.supervision.models import (
    ActionOwner,
    DebriefRequirement,
    SupervisionAction,
    SupervisionKind,
    SupervisionRecord,
    SupervisorAssignment,
    WellbeingCheckIn,
)
from tandem.supervision.wellbeing import is_low_score

# Weeks ago of each mentor's supervisions, oldest first; the last decides when the next is due.
HISTORY_WEEKS = (24, 19, 14, 9, 4)
OVERDUE_WEEKS = (26, 21, 15, 9)  # accredited every 6 weeks: overdue for three weeks
DEMO_MENTOR_WEEKS = (22, 16, 10, 6, 2)
KINDS = (
    SupervisionKind.INDIVIDUAL,
    SupervisionKind.GROUP,
    SupervisionKind.INDIVIDUAL,
    SupervisionKind.OBSERVATION,
    SupervisionKind.INDIVIDUAL,
)
NOTES = {
    "approach": "Warm and steady; moving from listening towards gentle challenge.",
    "boundaries": "Talked about gifts and contact outside sessions; agreed to keep to the plan.",
    "theology": "Questions about loyalty and belonging; signposted to the specialist adviser.",
    "wellbeing": "Tired after a difficult disclosure; knows how to reach the supervisor.",
}
ITEMS = ("drained", "intrusive", "numb", "on_edge", "alone")


@dataclass
class DemoSupervision:
    records: int = 0
    checkins: int = 0
    overdue: str = ""


def _record(mentor, supervisor, held_on, kind) -> SupervisionRecord:
    return SupervisionRecord(
        mentor=mentor,
        supervisor=supervisor,
        held_on=held_on,
        kind=kind,
        recorded_by=supervisor,
        recorded_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(17, 0))),
        **NOTES,
    )


def _checkin(mentor, when, values, wants_to_talk=False) -> WellbeingCheckIn:
    answers = dict(zip(ITEMS, values, strict=True))
    return WellbeingCheckIn(
        mentor=mentor,
        submitted_at=when,
        total=sum(values),
        is_low=is_low_score(answers, 13),
        wants_to_talk=wants_to_talk,
        **answers,
    )


@transaction.atomic
def ensure_demo_supervision(today: dt.date | None = None) -> DemoSupervision:
    if SupervisionRecord.objects.exists():
        return DemoSupervision()
    today = today or timezone.localdate()
    now = timezone.now()
    supervised = list(
        Mentor.objects.filter(supervisor__isnull=False)
        .exclude(status=MentorStatus.LEFT)
        .select_related("supervisor", "user")
        .order_by("full_name", "pk")
    )
    if not supervised:
        return DemoSupervision()
    matchable = set(matchable_mentors().values_list("pk", flat=True))
    overdue = next(
        (
            m
            for m in supervised
            if m.pk in matchable
            and (m.user is None or m.user.email != MENTOR_USER_EMAIL)
            and m.status == MentorStatus.ACTIVE
        ),
        None,
    )
    result = DemoSupervision(overdue=overdue.full_name if overdue else "")
    SupervisorAssignment.objects.bulk_create(
        SupervisorAssignment(
            mentor=m,
            supervisor=m.supervisor,
            started_on=today - dt.timedelta(weeks=30),
            assigned_at=now - dt.timedelta(weeks=30),
        )
        for m in supervised
    )
    records = []
    for mentor in supervised:
        if mentor == overdue:
            weeks = OVERDUE_WEEKS
        elif mentor.user is not None and mentor.user.email == MENTOR_USER_EMAIL:
            weeks = DEMO_MENTOR_WEEKS
        else:
            weeks = HISTORY_WEEKS
        for i, w in enumerate(weeks):
            records.append(
                _record(mentor, mentor.supervisor, today - dt.timedelta(weeks=w), KINDS[i])
            )
    SupervisionRecord.objects.bulk_create(records)
    result.records = len(records)
    last = {}
    for record in records:
        last[record.mentor_id] = record  # the newest, as the lists are oldest first
    SupervisionAction.objects.bulk_create(
        SupervisionAction(
            record=record,
            mentor=record.mentor,
            text="Read the guidance on responding to disclosures before the next session.",
            owner=ActionOwner.MENTOR,
            due_on=record.held_on + dt.timedelta(weeks=2),
        )
        for record in last.values()
    )
    checkins = []
    for n, mentor in enumerate(supervised[:6]):
        for weeks_ago, values in ((6, (4, 4, 5, 4, 4)), (2, (4, 3, 4, 4, 4))):
            checkins.append(_checkin(mentor, now - dt.timedelta(weeks=weeks_ago, hours=n), values))
    low = next(
        (
            m
            for m in supervised
            if m != overdue and (m.user is None or m.user.email != MENTOR_USER_EMAIL)
        ),
        None,
    )
    if low is not None:
        checkins.append(_checkin(low, now - dt.timedelta(days=1), (2, 1, 3, 2, 3), True))
    WellbeingCheckIn.objects.bulk_create(checkins)
    result.checkins = len(checkins)
    if overdue is not None:
        DebriefRequirement.objects.create(
            mentor=overdue,
            reason_code="demo.serious_concern",
            required_on=today - dt.timedelta(days=10),
            due_by=today - dt.timedelta(days=3),
        )
    return result
