"""Demo history: about 160 people supported and closed over the last three years, so
that the analytics, the board's figures and the evaluation export have groups big
enough to show (groups of 1 to 7 are withheld).

Each person's story is told as the demo cases' are (``cases._create``): referral,
screening, consent, an initial assessment, a plan with goals, reviews every few weeks
scored for goal attainment, reassessments after the second and fourth reviews and at
closing, a closure with its outcome, and the 6- and 12-month follow-ups (done when due,
most of them). Referrals are spread over about three years, over every referral source,
concern type and area. Each then has:

- an ended match with one of the accredited demo mentors, from the first meeting to
  the start of closing (``completed``, or ``client_disengaged`` when the person stopped
  engaging);
- its sessions over the whole match, as the demo meetings tell them (``meetings``):
  approach and style drifting as the relationship does, some missed or cancelled;
- questionnaire answers at the start, at each review and at closure (``outcomes``).

Only for local evaluation and tests. Runs after the rest of the demo, so that nothing
else in the demo changes; references of these cases are allocated after the others of
the same year. Idempotent: existing history cases are left as they are, and matches,
sessions and answers are only added while none of these cases has any.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.cadence import RHYTHM_DAYS
from tandem.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    ClosureOutcome,
    Frequency,
    Pathway,
    SupportPlan,
)
from tandem.core.encryption import preload_data_keys
from tandem.core.encryption.datakeys import key_for_encryption
from tandem.matching.models import EndReason, Match, MatchStatus, MeetingPlace
from tandem.meetings.models import PlaceType, Session, Topic
from tandem.meetings.services.contact import contact_summary_refresh
from tandem.mentors.models import Mentor, MentorStatus
from tandem.rehabilitation.models import CustodyStatus, RehabilitationRecord

from . import meetings
from .cases import (
    CONCERN_WEIGHTS,
    COORDINATOR_EMAIL,
    DEMO_CASES,
    DemoCase,
    _draft,
    ensure_demo_cases,
)
from .outcomes import ensure_demo_outcomes
from .rehabilitation import _record

SEED = 20231107
COUNT = 160
FIRST_NUMBER = 1001
# Referred between about ten months and three years ago: long enough for support
# (six months or so) and a closure, most with follow-ups done.
OLDEST_DAYS, NEWEST_DAYS = 1080, 300
MATCH_NAMESPACE = uuid.UUID("8a7e4c21-3f5d-5b9e-8c12-686973746f72")
# Every concern type this many times at least, so that each is a group of its own.
AT_LEAST = 6
# How the cases of each concern type end, in turn: about seven in ten as planned (goals
# met in full or in part); every concern type with two cases or more has both kinds.
ENDINGS = [
    ClosureOutcome.COMPLETED,
    ClosureOutcome.DISENGAGED,
    ClosureOutcome.PARTIAL,
    ClosureOutcome.COMPLETED,
    ClosureOutcome.MOVED,
    ClosureOutcome.PARTIAL,
    ClosureOutcome.COMPLETED,
    ClosureOutcome.OTHER,
    ClosureOutcome.PARTIAL,
    ClosureOutcome.COMPLETED,
]
# One history case in this many was on the rehabilitation pathway.
REHABILITATION_EVERY = 6
# Sessions per match, roughly: the plan's rhythm, stretched for long matches.
MOST_SESSIONS = 14


def _specs() -> list[DemoCase]:
    """The history cases, oldest referral first. Pure: the same list on every run."""
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not security
    used_names = {(c.first_name, c.last_name) for c in DEMO_CASES}
    concerns = list(CONCERN_WEIGHTS) * AT_LEAST
    concerns += rng.choices(
        list(CONCERN_WEIGHTS), weights=list(CONCERN_WEIGHTS.values()), k=COUNT - len(concerns)
    )
    rng.shuffle(concerns)
    drafts = []
    seen: Counter = Counter()
    for concern in concerns:
        draft = _draft(rng, CaseStatus.CLOSED, concern, used_names)
        draft["days_ago"] = rng.randint(NEWEST_DAYS, OLDEST_DAYS)
        draft["closure_outcome"] = ENDINGS[seen[concern] % len(ENDINGS)]
        seen[concern] += 1
        drafts.append(draft)
    drafts.sort(key=lambda d: (-d["days_ago"], d["variant"]))
    return [DemoCase(number=FIRST_NUMBER + n, **d) for n, d in enumerate(drafts)]


HISTORY_CASES: list[DemoCase] = _specs()


@dataclass(frozen=True)
class Created:
    cases: int
    matches: int
    sessions: int
    answers: int


def ensure_demo_history(*, now: dt.datetime | None = None) -> Created:
    """Create what is missing of the demo history; returns how much was made."""
    now = now or timezone.now()
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    if coordinator is None:
        return Created(0, 0, 0, 0)
    created = ensure_demo_cases(HISTORY_CASES)
    cases = list(
        Case.objects.filter(
            record_uuid__in=[s.record_uuid for s in HISTORY_CASES], status=CaseStatus.CLOSED
        )
        .select_related("concern_type")
        .order_by("pk")
    )
    _rehabilitation(cases, coordinator, now)
    matches = _matches(cases, coordinator)
    sessions = _sessions(cases, coordinator, now)
    answers = ensure_demo_outcomes(now=now, specs=HISTORY_CASES, seed=SEED)
    return Created(created, matches, sessions, answers)


def _rehabilitation(cases: list[Case], coordinator: User, now: dt.datetime) -> None:
    """About one history case in six was on the rehabilitation pathway, its sentence
    completed (none while any history case has a rehabilitation record)."""
    if not cases or RehabilitationRecord.objects.filter(case__in=cases).exists():
        return
    chosen = cases[2::REHABILITATION_EVERY]
    Case.objects.filter(pk__in=[c.pk for c in chosen]).update(pathway=Pathway.REHABILITATION)
    events = []
    for n, case in enumerate(chosen):
        case.pathway = Pathway.REHABILITATION
        _record(case, status=CustodyStatus.COMPLETED, today=now.date(), n=n, actor=coordinator)
        events.append(
            CaseEvent(
                case=case,
                kind="case.pathway_changed",
                summary="Pathway changed from prevention to rehabilitation",
                actor=coordinator,
                occurred_at=case.received_at + dt.timedelta(days=10),
            )
        )
    CaseEvent.objects.bulk_create(events)


def _matches(cases: list[Case], coordinator: User) -> int:
    """An ended match for every history case, from its first meeting to the start of
    closing, with an accredited demo mentor; none while any history case has one."""
    if not cases or Match.objects.filter(case__in=cases).exists():
        return 0
    mentors = list(Mentor.objects.filter(status=MentorStatus.ACTIVE).order_by("pk"))
    if not mentors:
        return 0
    moments: dict[int, dict[str, dt.datetime]] = {}
    for case_id, kind, at in (
        CaseEvent.objects.filter(
            case__in=cases,
            kind__in=["status.match", "status.start_support", "status.start_closing"],
        )
        .order_by("occurred_at", "pk")
        .values_list("case_id", "kind", "occurred_at")
    ):
        moments.setdefault(case_id, {})[kind] = at
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data
    rows = []
    for case in cases:
        seen = moments.get(case.pk, {})
        started, ended = seen.get("status.start_support"), seen.get("status.start_closing")
        if started is None or ended is None:
            continue
        accepted = seen.get("status.match", started)
        mentor = rng.choice(mentors)
        rows.append(
            Match(
                record_uuid=uuid.uuid5(MATCH_NAMESPACE, str(case.record_uuid)),
                case=case,
                mentor=mentor,
                status=MatchStatus.ENDED,
                score=rng.randint(560, 880),
                proposed_by=coordinator,
                proposed_at=accepted - dt.timedelta(days=rng.randint(2, 6)),
                responded_at=accepted,
                started_at=started,
                first_meeting_at=started,
                first_meeting_place=rng.choice(MeetingPlace.values),
                ended_at=ended,
                ended_by=coordinator,
                end_reason=(
                    EndReason.CLIENT_DISENGAGED
                    if case.closure_outcome == ClosureOutcome.DISENGAGED
                    else EndReason.COMPLETED
                ),
            )
        )
    for row in rows:
        key_for_encryption(row.encryption_subject())
    Match.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _sessions(cases: list[Case], coordinator: User, now: dt.datetime) -> int:
    """Every session of each history match, as the demo meetings tell them (none while
    any history case has one)."""
    if not cases or Session.objects.filter(case__in=cases).exists():
        return 0
    demo = meetings._Demo(
        now=now,
        coordinator=coordinator,
        places={p.code: p for p in PlaceType.objects.all()},
        topics={t.code: t for t in Topic.objects.all()},
    )
    if not demo.places:
        return 0
    by_pk = {c.pk: c for c in cases}
    rows = list(
        Match.objects.filter(case__in=cases, status=MatchStatus.ENDED)
        .select_related("mentor__user")
        .order_by("started_at", "pk")
    )
    plans = dict(SupportPlan.objects.filter(case__in=cases).values_list("case_id", "frequency"))
    preload_data_keys(("client", str(by_pk[m.case_id].record_uuid)) for m in rows)
    preload_data_keys(("mentor", str(m.mentor.record_uuid)) for m in rows)
    for match in rows:
        key_for_encryption(("client", str(by_pk[match.case_id].record_uuid)))
        key_for_encryption(("mentor", str(match.mentor.record_uuid)))
        rng = meetings._rng(match)
        item = meetings._Match(
            match=match,
            case=by_pk[match.case_id],
            frequency=RHYTHM_DAYS[plans.get(match.case_id, Frequency.WEEKLY)],
            start=match.first_meeting_at,
            end=match.ended_at,
            user=match.mentor.user if match.mentor.user_id else coordinator,
            drifts=rng.random() < 0.45,
            disengaging=match.end_reason == EndReason.CLIENT_DISENGAGED,
        )
        span = (item.end - item.start).days
        gap = max(float(item.frequency), span / MOST_SESSIONS)
        meetings._sessions(demo, item, gap, since=item.start - dt.timedelta(days=1))
    with transaction.atomic():
        sessions = Session.objects.bulk_create(demo.sessions, batch_size=500)
        # Bulk inserts send no signals: the matches' contact summaries are derived here.
        contact_summary_refresh({session.match_id for session in sessions})
        Through = Session.topics.through
        Through.objects.bulk_create(
            [
                Through(session_id=sessions[i].pk, topic_id=topic.pk)
                for i, topics in demo.topics_of.items()
                for topic in topics
            ],
            batch_size=1000,
        )
        moved = []
        for before, after in demo.reschedules:
            sessions[before].rescheduled_to = sessions[after]
            moved.append(sessions[before])
        Session.objects.bulk_update(moved, ["rescheduled_to"])
    return len(sessions)
