"""Demo meetings: about 1,500 sessions over the last twelve months across the demo
matches that are active or ended, the demo mentor's week, meeting briefs, claims in
every state and a few questions for specialist advice.

Only for local evaluation and tests (the demo_data command refuses to run unless
settings.TANDEM_ALLOW_DEMO_DATA is true). Runs once, after the demo matches.

- Sessions follow each match's dates: none before its first meeting, none after it
  ended, none in the future except planned ones. The rhythm comes from the plan's
  frequency, closer together than planned early in a match and at its planned pace
  later, scaled so that the whole demo holds about ``TARGET`` sessions.
- What happened drifts as a relationship does: more befriending early and more
  interventionist later; for some matches the style moves from empathetic towards
  challenging; engagement and trust mostly rise (and fall before a person stops
  engaging). Some sessions are missed (did not attend) or cancelled by the person, the
  mentor or the scheme; a few are rescheduled to a new date.
- A few people in support have had no contact for a long time (contact overdue), one
  has missed their last two sessions, and people on hold have not been seen since.
- Sessions at the person's home or in a public place have lone-working check-in and
  check-out; one session that ended a few hours ago has a check-in and no check-out.
- The demo mentor (``MENTOR_USER_EMAIL``) has next sessions this week on each active
  match, sessions of the past few days still to log, a meeting brief for each person
  they work with, claims in every state over several months (other mentors have some
  claims too, for the coordinators' queue) and questions for specialist advice, one
  answered and one waiting.

Texts are short, plausible and name nobody. Idempotent: when any demo match already
has a session, nothing is done. Seeded: the same database gives the same sessions.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.cadence import RHYTHM_DAYS
from tandem.cases.models import Approach, Case, CaseStatus, Frequency, SupportPlan
from tandem.catalogues.models import Specialism
from tandem.core.encryption import preload_data_keys
from tandem.core.encryption.datakeys import key_for_encryption
from tandem.matching.models import EndReason, Match, MatchStatus
from tandem.meetings.models import (
    AdviceAnswer,
    AdviceQuestion,
    CancelledBy,
    Claim,
    ClaimRate,
    ClaimStatus,
    MeetingBrief,
    PlaceType,
    Session,
    SessionStatus,
    Topic,
)
from tandem.meetings.names import names_in
from tandem.meetings.services.contact import contact_summary_refresh
from tandem.mentors.models import Accreditation, Mentor
from tandem.site.demo.cases import COORDINATOR_EMAIL, DEMO_CASES
from tandem.site.demo.mentors import MENTOR_USER_EMAIL

SEED = 20261204
SESSION_NAMESPACE = uuid.UUID("5e55a0e1-7d3c-5b7a-9e41-6d656574696e")
TARGET = 1500
# Missed, cancelled and moved sessions, breaks and people not seen lately thin the
# rhythm out: planning this many more slots ends near ``TARGET`` sessions.
SLOTS_PER_SESSION = 1.2
WINDOW_DAYS = 365

# Where sessions happen, with weights (codes of tandem.meetings.defaults.PLACE_TYPES).
PLACES = {
    "community-venue": 30,
    "youth-centre": 12,
    "school-college": 8,
    "place-of-worship": 3,
    "probation-police": 3,
    "home": 14,
    "public-place": 10,
    "online": 12,
    "phone": 8,
}
EARLY_TOPICS = ["identity-belonging", "family", "education-work", "goals", "relationships"]
LATE_TOPICS = ["ideology", "grievances", "online-activity", "mental-health", "criminal-justice"]

PRIVATE_NOTES = [
    "Quieter than usual at the start; opened up once we talked about football.",
    "Mentioned trouble sleeping again. Worth raising at supervision.",
    "Pushed back hard when I questioned the video he shared; stayed calm and we moved on.",
    "Said an older cousin keeps sending him material. Not a concern yet; keep listening.",
    "Seemed tired and distracted. Asked if things are all right at home; said fine.",
    "First time we disagreed openly and stayed friendly. A good sign of trust.",
    "Talked a lot about feeling judged at college. I need to be careful not to lecture.",
    "Used some dehumanising language about a group; challenged it and they listened.",
    "Was late and apologetic. Seems to value the sessions more than they let on.",
    "I felt I talked too much today. Next time ask more and wait longer.",
]
SUMMARIES = [
    "Talked about college and a part-time job; agreed to look at an application together.",
    "Discussed where the news the person reads comes from and how to check a claim.",
    "Went over the goals in the plan; progress on attendance, less on the online goal.",
    "Spent the session on family tensions and ways to handle arguments at home.",
    "Looked at a local boxing club together; the person wants to try a session.",
    "Talked about identity and belonging, and what being British means to them.",
    "Challenged an us-and-them story about the neighbourhood; the person listened.",
    "Discussed a theological question the person raised; agreed to read about it.",
    "Reviewed a difficult week; the person used the calming steps we practised.",
    "Planned how to answer friends who share extreme content online.",
]
NEXT_STEPS = [
    "Bring the job application next time.",
    "Meet at the youth centre next week; person to ask about the boxing club.",
    "I will find a short reading on the question raised.",
    "Person to keep a note of what they watch online this week.",
    "Check in by phone midweek.",
    "Talk about the college course options next session.",
    "Look at the plan's goals together next time.",
]
CANCEL_REASONS = [CancelledBy.PERSON] * 5 + [CancelledBy.MENTOR] * 3 + [CancelledBy.SCHEME]

QUESTIONS = [
    (
        "islamic-theology",
        "The young man I mentor says a hadith requires him to cut off friends who are not "
        "Muslim. How do mainstream scholars read that, and how could I talk it through "
        "with him without dismissing his faith?",
        "That reading takes the text out of its context: most scholars teach kindness and "
        "fair dealing with neighbours of any faith (Quran 60:8). Ask him where he met the "
        "idea, and offer to read the passage together with a local imam he trusts.",
    ),
    (
        "online-radicalisation",
        "The person spends hours on a video platform where the recommendations have "
        "turned to 'red-pill' channels. What works to widen what they see, without "
        "banning things they will watch anyway?",
        None,
    ),
]
RISKS = [
    "Lives with an older brother who has been hostile to services. Meet away from the "
    "house when he is at home.",
    "No known risks to the mentor. The person prefers afternoon meetings.",
    "Has made threats to a teacher in the past. Meet in public places for now.",
]


@dataclass
class _Demo:
    now: dt.datetime
    coordinator: User
    places: dict[str, PlaceType]
    topics: dict[str, Topic]
    sessions: list[Session] = field(default_factory=list)
    topics_of: dict[int, list[Topic]] = field(default_factory=dict)  # index → topics
    reschedules: list[tuple[int, int]] = field(default_factory=list)  # (from, to) indexes


def session_uuid(match: Match, n: int) -> uuid.UUID:
    return uuid.uuid5(SESSION_NAMESPACE, f"{match.record_uuid}-{n}")


def _rng(match: Match) -> random.Random:
    return random.Random(f"{SEED}-{match.record_uuid}")  # noqa: S311 - repeatable demo data


def _at(day: dt.datetime, rng: random.Random) -> dt.datetime:
    """The same day at a plausible hour (local time, on the quarter hour)."""
    local = timezone.localtime(day)
    return local.replace(
        hour=rng.choice([10, 11, 13, 14, 15, 16, 16, 17, 18]),
        minute=rng.choice([0, 15, 30, 45]),
        second=0,
        microsecond=0,
    )


def _clamp(value: float) -> int:
    return max(1, min(5, round(value)))


@dataclass
class _Match:
    """One match and what its sessions need to know."""

    match: Match
    case: Case
    frequency: int
    start: dt.datetime
    end: dt.datetime  # the match's end, or now
    user: User  # who records the sessions: the mentor's account, or the coordinator
    drifts: bool  # style moves from empathetic towards challenging
    disengaging: bool
    stop: dt.datetime | None = None  # no sessions after (a long gap up to now)
    missed_last: int = 0  # the last sessions were did-not-attends
    is_demo_mentor: bool = False

    def progress(self, at: dt.datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1
        return max(0.0, min(1.0, (at - self.start).total_seconds() / span))


def _add(demo: _Demo, m: _Match, n: int, at: dt.datetime, rng, *, status, **fields) -> int:
    """Add one session to the demo (unsaved); return its index."""
    place = (
        fields.pop("place", None)
        or demo.places[rng.choices(list(PLACES), weights=list(PLACES.values()))[0]]
    )
    duration = fields.pop("duration", rng.choice([45, 60, 60, 60, 75, 90]))
    travel = 0 if place.mode != "in_person" else rng.choice([10, 15, 20, 30, 40])
    session = Session(
        record_uuid=session_uuid(m.match, n),
        match=m.match,
        case=m.case,
        mentor=m.match.mentor,
        status=status,
        starts_at=at,
        duration_minutes=duration,
        travel_minutes=travel,
        place_type=place,
        created_by=m.user,
        created_at=min(at - dt.timedelta(days=rng.randint(2, 9)), demo.now),
        **fields,
    )
    if session.created_at < m.start - dt.timedelta(days=14):
        session.created_at = m.start
    demo.sessions.append(session)
    return len(demo.sessions) - 1


def _held(demo: _Demo, m: _Match, n: int, at: dt.datetime, rng, **fields) -> int:
    t = m.progress(at)
    weights = [max(0.05, 0.75 - 0.7 * t), 0.2 + 0.15 * t, max(0.05, 0.05 + 0.65 * t)]
    approach = rng.choices(
        [Approach.BEFRIENDING, Approach.MIXED, Approach.INTERVENTIONIST], weights=weights
    )[0]
    base_style = 1.5 + 2.2 * t if m.drifts else 2.2 + 0.5 * t
    style = _clamp(base_style + rng.uniform(-0.7, 0.7))
    if m.disengaging:
        engagement = _clamp(3.2 - 1.6 * t + rng.uniform(-0.8, 0.8))
        trust = _clamp(3.0 - 1.0 * t + rng.uniform(-0.8, 0.8))
    else:
        engagement = _clamp(2.3 + 2.2 * t + rng.uniform(-0.9, 0.9))
        trust = _clamp(2.0 + 2.6 * t + rng.uniform(-0.8, 0.8))
    index = _add(
        demo,
        m,
        n,
        at,
        rng,
        status=SessionStatus.HELD,
        approach=approach,
        style=style,
        engagement=engagement,
        trust=trust,
        next_steps=rng.choice(NEXT_STEPS),
        private_notes=rng.choice(PRIVATE_NOTES) if rng.random() < 0.7 else "",
        summary=rng.choice(SUMMARIES),
        recorded_by=m.user,
        **fields,
    )
    session = demo.sessions[index]
    session.recorded_at = min(session.ends_at + dt.timedelta(hours=rng.randint(1, 30)), demo.now)
    if session.place_type.needs_lone_working:
        session.checked_in_at = at - dt.timedelta(minutes=rng.randint(1, 8))
        session.checked_out_at = session.ends_at + dt.timedelta(minutes=rng.randint(0, 12))
    pool = EARLY_TOPICS if rng.random() > t else LATE_TOPICS
    codes = rng.sample(pool, rng.randint(1, 2))
    if m.case.concern_type.code == "islamist" and rng.random() < 0.3:
        codes.append("theology")
    demo.topics_of[index] = [demo.topics[c] for c in codes if c in demo.topics]
    return index


def _past(demo: _Demo, m: _Match, n: int, at: dt.datetime, rng) -> int:
    """One past session: held, missed, cancelled or rescheduled."""
    t = m.progress(at)
    missed = 0.06 + (0.2 * t if m.disengaging else 0.06 * (1 - t))
    roll = rng.random()
    if roll < missed:
        return _add(
            demo, m, n, at, rng, status=SessionStatus.DID_NOT_ATTEND, recorded_by=m.user,
            recorded_at=min(at + dt.timedelta(hours=3), demo.now),
        )  # fmt: skip
    if roll < missed + 0.07:
        return _add(
            demo, m, n, at, rng, status=SessionStatus.CANCELLED,
            cancelled_by=rng.choice(CANCEL_REASONS), recorded_by=m.user,
            recorded_at=at - dt.timedelta(hours=rng.randint(2, 40)),
        )  # fmt: skip
    return _held(demo, m, n, at, rng)


def _sessions(demo: _Demo, m: _Match, gap: float, *, since: dt.datetime | None = None) -> None:
    """Every session of one match since ``since`` (by default the last ``WINDOW_DAYS``),
    oldest first."""
    rng = _rng(m.match)
    now = demo.now
    n = 0
    first = m.match.first_meeting_at or m.match.started_at
    window = since or now - dt.timedelta(days=WINDOW_DAYS)
    if first and first >= window:
        _held(demo, m, n, first, rng, is_first=True)
        at = first
    else:
        at = _at(window + dt.timedelta(days=rng.uniform(0, gap)), rng)
    last = m.stop or m.end
    # Sessions in the past, up to a few days ago (and before any missed in a row).
    cutoff = now - dt.timedelta(days=4 + m.missed_last * m.frequency)
    while True:
        n += 1
        early = m.progress(at) < 0.25
        step = gap * (0.7 if early else 1.15) * rng.uniform(0.75, 1.3)
        if rng.random() < 0.02:  # a break: holidays, illness, exams
            step += rng.randint(21, 42)
        at = _at(at + dt.timedelta(days=max(2.0, step)), rng)
        if at + dt.timedelta(hours=2) >= last or at >= cutoff:
            break
        if rng.random() < 0.03:  # moved to a later date
            moved = _add(demo, m, n, at, rng, status=SessionStatus.RESCHEDULED)
            n += 1
            at = _at(at + dt.timedelta(days=rng.randint(2, 5)), rng)
            if at + dt.timedelta(hours=2) >= last or at >= cutoff:
                demo.sessions[moved].status = SessionStatus.CANCELLED
                demo.sessions[moved].cancelled_by = CancelledBy.PERSON
                break
            demo.reschedules.append((moved, _past(demo, m, n, at, rng)))
            continue
        _past(demo, m, n, at, rng)
    if m.match.status != MatchStatus.ACTIVE or m.stop is not None:
        return
    # The last few days: missed sessions in a row, sessions to log, the next one planned.
    recent = _at(now - dt.timedelta(days=rng.randint(2, 4)), rng)
    for k in range(m.missed_last):
        day = recent - dt.timedelta(days=m.frequency * (m.missed_last - 1 - k))
        _add(
            demo, m, n + 1 + k, day, rng, status=SessionStatus.DID_NOT_ATTEND,
            recorded_by=m.user, recorded_at=day + dt.timedelta(hours=2),
        )  # fmt: skip
    n += m.missed_last
    if m.is_demo_mentor:
        # Sessions of the past few days still to log.
        _add(demo, m, n + 1, _at(now - dt.timedelta(days=rng.randint(1, 3)), rng), rng,
             status=SessionStatus.PLANNED, place=demo.places["community-venue"])  # fmt: skip
        today = timezone.localtime(now)
        soon = today.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=2)
        if soon.date() != today.date() or soon.hour >= 20:
            soon = _at(now + dt.timedelta(days=1), rng)
        _add(demo, m, n + 2, soon, rng, status=SessionStatus.PLANNED,
             place=demo.places["youth-centre"])  # fmt: skip
        return
    if m.missed_last == 0 and rng.random() < 0.85:
        ahead = now + dt.timedelta(days=rng.randint(1, max(2, m.frequency)))
        _add(demo, m, n + 1, _at(ahead, rng), rng, status=SessionStatus.PLANNED)


def _missed_check_out(demo: _Demo, m: _Match) -> None:
    """A home visit that ended a few hours ago: checked in, never checked out."""
    rng = _rng(m.match)
    starts = (demo.now - dt.timedelta(hours=4)).replace(second=0, microsecond=0)
    _add(
        demo, m, 9999, starts, rng, status=SessionStatus.PLANNED, place=demo.places["home"],
        duration=60, checked_in_at=starts + dt.timedelta(minutes=3),
    )  # fmt: skip


# Loading ---------------------------------------------------------------------------------


def _matches(demo: _Demo) -> list[_Match]:
    demo_cases = Case.objects.filter(record_uuid__in=[s.record_uuid for s in DEMO_CASES])
    rows = list(
        Match.objects.filter(
            case__in=demo_cases, status__in=(MatchStatus.ACTIVE, MatchStatus.ENDED)
        )
        .select_related("case__concern_type", "mentor__user")
        .order_by("started_at", "pk")
    )
    plans = dict(
        SupportPlan.objects.filter(case__in=[r.case_id for r in rows]).values_list(
            "case_id", "frequency"
        )
    )
    window = demo.now - dt.timedelta(days=WINDOW_DAYS)
    out = []
    for match in rows:
        start = match.first_meeting_at or match.started_at
        end = match.ended_at if match.status == MatchStatus.ENDED else demo.now
        if start is None or end is None or end <= window or end <= start:
            continue
        rng = _rng(match)
        user = match.mentor.user if match.mentor.user_id else demo.coordinator
        item = _Match(
            match=match,
            case=match.case,
            frequency=RHYTHM_DAYS[plans.get(match.case_id, Frequency.WEEKLY)],
            start=start,
            end=end,
            user=user,
            drifts=rng.random() < 0.45,
            disengaging=match.end_reason == EndReason.CLIENT_DISENGAGED,
            is_demo_mentor=bool(match.mentor.user_id)
            and match.mentor.user.email == MENTOR_USER_EMAIL,
        )
        if match.status == MatchStatus.ACTIVE and match.case.status == CaseStatus.ON_HOLD:
            item.stop = min(match.case.status_changed_at, demo.now)  # not seen since the hold
        out.append(item)
    # A few people in support not seen for a long time; one who missed their last two.
    others = [
        m
        for m in out
        if m.match.status == MatchStatus.ACTIVE and not m.is_demo_mentor and m.stop is None
    ]
    others = [m for m in others if (demo.now - m.start).days > 90]
    for m in others[1:4]:
        m.stop = demo.now - dt.timedelta(days=int(2.5 * m.frequency) + 10)
    if len(others) > 4:
        others[4].missed_last = 2
    return out


def _gap(matches: list[_Match], now: dt.datetime) -> dict[int, float]:
    """Days between sessions for each match: its plan's rhythm, scaled so that the
    whole demo holds about ``TARGET`` sessions."""
    window = now - dt.timedelta(days=WINDOW_DAYS)
    planned = sum(
        max(0.0, ((m.stop or m.end) - max(m.start, window)).days) / m.frequency for m in matches
    )
    scale = planned / (TARGET * SLOTS_PER_SESSION) if planned else 1.0
    return {m.match.pk: max(2.5, m.frequency * scale) for m in matches}


# Briefs, claims and advice ------------------------------------------------------------------


def _briefs(demo: _Demo) -> list[MeetingBrief]:
    matches = Match.objects.filter(
        mentor__user__email=MENTOR_USER_EMAIL,
        status__in=(MatchStatus.ACCEPTED, MatchStatus.ACTIVE),
    ).select_related("case")
    have = set(MeetingBrief.objects.values_list("case_id", flat=True))
    briefs = []
    for n, match in enumerate(matches):
        if match.case_id in have:
            continue
        case = match.case
        briefs.append(
            MeetingBrief(
                case=case,
                preferred_name=case.first_name,
                contact_details=f"Mobile 07700 900{100 + n * 37:03d} (text first; "
                "no calls during college hours).",
                risks_to_mentor=RISKS[n % len(RISKS)],
                updated_by=demo.coordinator,
                updated_at=match.responded_at or demo.now,
            )
        )
    return MeetingBrief.objects.bulk_create(briefs)


def _levels() -> dict[int, ClaimRate]:
    """Each mentor's claim rate, from their latest accreditation."""
    rates = {r.level_id: r for r in ClaimRate.objects.all()}
    out = {}
    for acc in Accreditation.objects.filter(revoked_on__isnull=True).order_by("awarded_on"):
        if acc.level_id in rates:
            out[acc.mentor_id] = rates[acc.level_id]
    return out


def _claims(demo: _Demo, held: list[Session]) -> list[Claim]:
    """Claims for the demo mentor's held sessions (and a few other mentors'), the newer
    still in progress and the older decided, with every state present."""
    rates = _levels()
    by_mentor: dict[int, list[Session]] = defaultdict(list)
    for session in held:
        by_mentor[session.mentor_id].append(session)
    demo_mentor = Mentor.objects.filter(user__email=MENTOR_USER_EMAIL).first()
    chosen = [demo_mentor.pk] if demo_mentor and demo_mentor.pk in by_mentor else []
    chosen += [pk for pk in sorted(by_mentor, key=lambda pk: -len(by_mentor[pk])) if pk in rates]
    chosen = list(dict.fromkeys(chosen))[:4]
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data
    claims = []
    for mentor_id in chosen:
        rate = rates.get(mentor_id)
        hourly = rate.hourly_rate if rate else Decimal("18.00")
        mileage = rate.mileage_rate if rate else Decimal("0.45")
        # Newest first: last month's not yet submitted, then submitted or queried,
        # then decided (a few rejected).
        sessions = sorted(by_mentor[mentor_id], key=lambda s: s.starts_at, reverse=True)[:30]
        for i, session in enumerate(sessions):
            month = timezone.localtime(session.starts_at).date().replace(day=1)
            if i < 3:
                status = ClaimStatus.DRAFT
            elif i < 9:
                status = ClaimStatus.QUERIED if i % 3 == 0 else ClaimStatus.SUBMITTED
            else:
                status = ClaimStatus.REJECTED if i % 9 == 4 else ClaimStatus.APPROVED
            in_person = session.place_type.mode == "in_person"
            miles = Decimal(rng.randint(3, 18)) if in_person else Decimal(0)
            expenses = Decimal("4.50") if in_person and rng.random() < 0.3 else Decimal(0)
            claim = Claim(
                session=session,
                month=month,
                status=status,
                session_hours=(Decimal(session.duration_minutes) / 60).quantize(Decimal("0.01")),
                travel_hours=(Decimal(session.travel_minutes) / 60).quantize(Decimal("0.01")),
                miles=miles,
                expenses=expenses,
                expenses_note="Bus fares there and back." if expenses else "",
                hourly_rate=hourly if status != ClaimStatus.DRAFT else Decimal(0),
                mileage_rate=mileage if status != ClaimStatus.DRAFT else Decimal(0),
                created_at=session.ends_at + dt.timedelta(hours=2),
            )
            claim.mentor = session.mentor
            if status != ClaimStatus.DRAFT:
                # Submitted with the month's other claims, a few days after it ended.
                month_end = (month + dt.timedelta(days=32)).replace(day=1)
                due = timezone.make_aware(dt.datetime.combine(month_end, dt.time(18, 0)))
                claim.submitted_at = max(
                    min(due + dt.timedelta(days=2), demo.now - dt.timedelta(hours=2)),
                    claim.created_at + dt.timedelta(hours=1),
                )
            if status in (ClaimStatus.QUERIED, ClaimStatus.APPROVED, ClaimStatus.REJECTED):
                claim.decided_by = demo.coordinator
                claim.decided_at = max(
                    min(
                        claim.submitted_at + dt.timedelta(days=3), demo.now - dt.timedelta(hours=1)
                    ),
                    claim.submitted_at + dt.timedelta(minutes=10),
                )
            if status == ClaimStatus.QUERIED:
                claim.decision_reason = "The mileage looks high for this venue: please check it."
            if status == ClaimStatus.REJECTED:
                claim.decision_reason = "This session was already claimed on another form."
            claims.append(claim)
    return Claim.objects.bulk_create(claims)


def _advice(demo: _Demo) -> int:
    mentor_user = User.objects.filter(email=MENTOR_USER_EMAIL).first()
    if mentor_user is None:
        return 0
    cases = [
        m.case
        for m in Match.objects.filter(
            mentor__user=mentor_user, status=MatchStatus.ACTIVE
        ).select_related("case")
    ]
    specialisms = {s.code: s for s in Specialism.objects.all()}
    made = 0
    for n, (code, question, answer) in enumerate(QUESTIONS):
        if not cases or code not in specialisms:
            continue
        case = cases[n % len(cases)]
        if names_in(question, [case.first_name, case.last_name]):
            continue  # never name a demo person
        asked_at = demo.now - dt.timedelta(days=12 - 8 * n, hours=3)
        asked = AdviceQuestion.objects.create(
            case=case,
            specialism=specialisms[code],
            asked_by=mentor_user,
            asked_at=asked_at,
            question=question,
        )
        made += 1
        if answer:
            AdviceAnswer.objects.create(
                question=asked,
                answered_by=demo.coordinator,
                answered_at=asked_at + dt.timedelta(days=2),
                answer=answer,
            )
    return made


# The whole demo -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    sessions: int
    briefs: int
    claims: int
    questions: int


def ensure_demo_meetings(*, now: dt.datetime | None = None) -> Created:
    """Create the demo meetings unless a demo match has a session already."""
    now = now or timezone.now()
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    if coordinator is None:
        return Created(0, 0, 0, 0)
    demo_cases = Case.objects.filter(record_uuid__in=[s.record_uuid for s in DEMO_CASES])
    if Session.objects.filter(case__in=demo_cases).exists():
        return Created(0, 0, 0, 0)
    demo = _Demo(
        now=now,
        coordinator=coordinator,
        places={p.code: p for p in PlaceType.objects.all()},
        topics={t.code: t for t in Topic.objects.all()},
    )
    matches = _matches(demo)
    if not matches or "home" not in demo.places:
        return Created(0, 0, 0, 0)
    # Every person's and mentor's data key unwrapped (or made) before the writes.
    preload_data_keys(("client", str(m.case.record_uuid)) for m in matches)
    preload_data_keys(("mentor", str(m.match.mentor.record_uuid)) for m in matches)
    for m in matches:
        key_for_encryption(("client", str(m.case.record_uuid)))
        key_for_encryption(("mentor", str(m.match.mentor.record_uuid)))
    gaps = _gap(matches, now)
    for m in matches:
        _sessions(demo, m, gaps[m.match.pk])
    lone = next(
        (
            m
            for m in matches
            if m.match.status == MatchStatus.ACTIVE
            and not m.is_demo_mentor
            and m.stop is None
            and not m.missed_last
        ),
        None,
    )
    if lone is not None:
        _missed_check_out(demo, lone)
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
        briefs = _briefs(demo)
        claims = _claims(demo, [s for s in sessions if s.status == SessionStatus.HELD])
        questions = _advice(demo)
    return Created(len(sessions), len(briefs), len(claims), questions)
