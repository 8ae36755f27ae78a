"""Demo matches: every demo case that has had a mentor gets its match, in the state the
case's story implies, and the waiting list gets the proposals, refusals and gaps a
scheme sees.

Only for local evaluation and tests (the demo_data command refuses to run unless
settings.TANDEM_ALLOW_DEMO_DATA is true). Runs after the demo mentors and cases.

- Matched cases have an accepted match; cases in support (and those on hold from
  support) an active one, started at the case's "first meeting" with the date of that
  meeting. Cases whose support has finished (closing, closed) have an ended match, as
  ``services.match_end`` leaves it; support stopped by a withdrawal of consent or an
  escalation ended the match with the case. Of the two people waiting again after
  losing their mentor, one match did not work out (that mentor is never proposed for
  them again) and one mentor could not carry on. The mentors come from an exact
  assignment (``engine.assign``) over the demo pool: the fewest hard constraints bent
  for these past pairings, and never more live matches than a mentor's cap.
- The demo mentor user (Imran Qureshi) has people in support and one proposal waiting
  for his answer, made through ``services.match_propose`` (so he has the notification too).
- Other waiting people show a declined proposal and a withdrawn one; the people put
  on hold (or who withdrew consent) while waiting had their proposal withdrawn with
  the case, as ``services.matches_follow_case`` does.
- Some people are hard to place, so that pool gaps show: three need a woman who
  speaks Urdu and knows Islamic theology in Birmingham (the one such mentor is full),
  one needs Tigrinya (only an applicant speaks it) and one, urgent, needs a senior
  mentor who can meet in Coventry (the one such mentor is full). A few places are
  left free with mentors who suit other waiting people, so that suggestions and a
  batch proposal have work to do.
- The demo scheme asks for a senior mentor for urgent cases and an accredited one
  when the latest assessment rates a factor at the highest level (almost every demo
  assessment does). Set only while nobody has changed the policy.

Timeline lines read as the services write them; each past step takes its time from
the case's own timeline. Idempotent: when any demo case already has a match, nothing
is done (a demo that has been used is left exactly as it is). Seeded: the same
database gives the same matches.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.models import Case, CaseEvent, CaseStatus, ClosureOutcome, MentorGenderPreference
from tandem.catalogues.models import Area, Language, Specialism
from tandem.matching import engine, scoring
from tandem.matching.explain import explain, prefetch_for_explanation
from tandem.matching.features import cases_for_matching, load_cases, load_pool, weights_of
from tandem.matching.fit import fit_label
from tandem.matching.models import (
    LIVE,
    CaseNeeds,
    DeclineReason,
    EndReason,
    Match,
    MatchingPolicy,
    MatchStatus,
    MeetingPlace,
)
from tandem.matching.selectors import evaluate_pair
from tandem.matching.services import MatchRefused, match_propose
from tandem.mentors.models import Accreditation, CodeAcceptance, Mentor, MentorStatus

from .cases import COORDINATOR_EMAIL, DEMO_CASES, DemoCase
from .mentors import DEMO_MENTORS, MENTOR_USER_EMAIL

SEED = 20260501
MATCH_NAMESPACE = uuid.UUID("3c1f0a52-8d6e-5b7a-9e41-6d61746368ff")

# Mentors whose every place is taken, so that the people only they could take wait.
FILL = ("Rukhsana Akhtar", "Samir Benali")
# One free place each, with mentors who suit some of the people waiting.
KEEP_FREE = ("Joanne Hartley", "Gurpreet Kaur Sandhu", "Mariam Yusuf", "Sarah Jennings")
# Why the people waiting again lost their mentor: one match did not work (that mentor
# is never proposed for them again), one mentor could no longer carry on.
BROKEN_REASONS = (EndReason.RELATIONSHIP, EndReason.MENTOR_UNAVAILABLE)

URDU_THEOLOGY_CASES = 3
END_REASON_FOR = {
    ClosureOutcome.COMPLETED: EndReason.COMPLETED,
    ClosureOutcome.PARTIAL: EndReason.COMPLETED,
    ClosureOutcome.DISENGAGED: EndReason.CLIENT_DISENGAGED,
    ClosureOutcome.MOVED: EndReason.OTHER,
    ClosureOutcome.OTHER: EndReason.OTHER,
}
END_NOTES = {
    EndReason.COMPLETED: "Goals reviewed together at the last session.",
    EndReason.CLIENT_DISENGAGED: "Stopped attending despite repeated contact.",
    EndReason.OTHER: "Support finished early after a change in circumstances.",
    EndReason.MENTOR_UNAVAILABLE: "The mentor moved away; the person wants to carry on.",
    EndReason.RELATIONSHIP: "The two did not get on; the person wants to try someone new.",
}


def match_uuid(spec: DemoCase, role: str) -> uuid.UUID:
    return uuid.uuid5(MATCH_NAMESPACE, f"demo-match-{spec.number}-{role}")


# Which waiting people are hard to place (pure: the same on every run) ---------------


@dataclass(frozen=True)
class HardToPlace:
    urdu_theology: tuple[int, ...]  # demo case numbers
    tigrinya: int | None
    coventry_senior: int | None


def hard_to_place() -> HardToPlace:
    waiting = [
        s for s in DEMO_CASES if s.status == CaseStatus.AWAITING_MATCH and not s.broken_match
    ]
    routine = [s for s in waiting if s.urgency != "urgent"]
    # People whose concern calls for theology first.
    urdu = sorted(routine, key=lambda s: (s.concern != "islamist", s.number))
    urdu = [s.number for s in urdu[:URDU_THEOLOGY_CASES]]
    rest = [s for s in routine if s.number not in urdu]
    tigrinya = next((s.number for s in rest if "English" not in s.languages), None)
    if tigrinya is None and rest:
        tigrinya = rest[0].number
    urgent = [s for s in waiting if s.urgency == "urgent"]
    return HardToPlace(
        urdu_theology=tuple(urdu),
        tigrinya=tigrinya,
        coventry_senior=urgent[0].number if urgent else None,
    )


# Loading ------------------------------------------------------------------------------


@dataclass
class _Demo:
    now: dt.datetime
    rng: random.Random
    coordinator: User
    cases: dict[int, Case]  # by demo number
    specs: dict[int, DemoCase]
    mentors: dict[str, Mentor]  # by full name
    events: dict[int, dict[str, list[CaseEvent]]]  # case pk → kind → events, oldest first
    new_events: list[CaseEvent]
    changed_events: list[CaseEvent]
    reasoned_events: list[CaseEvent]
    matches: list[Match]
    added: dict[int, int]  # case pk → timeline lines added
    specs_by_pk: dict[int, DemoCase] = field(default_factory=dict)


def _load(now) -> _Demo | None:
    by_uuid = {s.record_uuid: s for s in DEMO_CASES}
    cases = {
        by_uuid[c.record_uuid].number: c
        for c in Case.objects.filter(record_uuid__in=list(by_uuid)).select_related("area")
    }
    emails = [spec.email for spec in DEMO_MENTORS]
    mentors = {m.full_name: m for m in Mentor.objects.filter(email__in=emails)}
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    if not cases or not mentors or coordinator is None:
        return None
    events: dict[int, dict[str, list[CaseEvent]]] = defaultdict(lambda: defaultdict(list))
    for event in CaseEvent.objects.filter(
        case__in=list(cases.values()), kind__startswith="status."
    ).order_by("occurred_at", "pk"):
        events[event.case_id][event.kind].append(event)
    return _Demo(
        now=now,
        rng=random.Random(SEED),  # noqa: S311 - repeatable demo data
        coordinator=coordinator,
        cases=cases,
        specs={s.number: s for s in DEMO_CASES if s.number in cases},
        specs_by_pk={cases[s.number].pk: s for s in DEMO_CASES if s.number in cases},
        mentors=mentors,
        events=events,
        new_events=[],
        changed_events=[],
        reasoned_events=[],
        matches=[],
        added=defaultdict(int),
    )


# The hard-to-place needs ------------------------------------------


def _set_needs(demo: _Demo) -> None:
    plan = hard_to_place()
    urdu = Language.objects.filter(name="Urdu").first()
    tigrinya = Language.objects.filter(name="Tigrinya").first()
    theology = Specialism.objects.filter(code="islamic-theology").first()
    areas = {a.name: a for a in Area.objects.all()}
    for number in plan.urdu_theology:
        case = demo.cases.get(number)
        if case is None or urdu is None or theology is None:
            continue
        case.languages.set([urdu])
        case.preferred_language = urdu
        case.interpreter_needed = False
        case.mentor_gender_preference = MentorGenderPreference.FEMALE
        case.area = areas.get("Birmingham", case.area)
        case.save(
            update_fields=[
                "preferred_language",
                "interpreter_needed",
                "mentor_gender_preference",
                "area",
            ]
        )
        CaseNeeds.objects.update_or_create(case=case, defaults={"required_specialism": theology})
    if plan.tigrinya in demo.cases and tigrinya is not None:
        case = demo.cases[plan.tigrinya]
        case.languages.set([tigrinya])
        case.preferred_language = tigrinya
        case.interpreter_needed = False
        case.save(update_fields=["preferred_language", "interpreter_needed"])
    if plan.coventry_senior in demo.cases:
        case = demo.cases[plan.coventry_senior]
        case.area = areas.get("Coventry", case.area)
        case.accepts_online = False
        case.save(update_fields=["area", "accepts_online"])
    changed = [*plan.urdu_theology, plan.tigrinya, plan.coventry_senior]
    Case.objects.filter(pk__in=[demo.cases[n].pk for n in changed if n in demo.cases]).update(
        version=F("version") + 1
    )


# Choosing mentors ---------------------------------------------------------------------


@dataclass
class _Fit:
    """Every (case, mentor) pair of some cases against some mentors: how many steps of
    the hard constraints had to be relaxed for it (0: none; ``RELAXED``: not possible
    at all, a conflict or history), its score and its explanation parts."""

    cases: list[Case]
    mentors: list[Mentor]
    level: np.ndarray
    score: np.ndarray
    parts: np.ndarray
    points: np.ndarray


RELAXED = 4  # steps: as they are; experience; + travel; + language, gender and specialism


def _fit(cases: list[Case], mentors: list[Mentor]) -> _Fit:
    policy = MatchingPolicy.load()
    weights = weights_of(policy)
    pool = load_pool(mentor_ids=[m.pk for m in mentors])
    index = pool.index_of()
    mentors = [m for m in mentors if m.pk in index]
    columns = np.array([index[m.pk] for m in mentors], dtype=np.int64)
    rows = cases_for_matching(Case.objects.filter(pk__in=[c.pk for c in cases])).in_bulk()
    cases = [rows[c.pk] for c in cases]
    waiting = load_cases(cases, pool, policy)
    n, m = len(cases), len(pool.pks)
    c0 = waiting.arrays
    # Past pairings: the register and capacity as they were then are not known.
    m0 = replace(pool.arrays, matchable=np.ones(m, bool), spare=np.maximum(pool.arrays.cap, 1))
    c1 = replace(c0, min_rank=np.zeros(n, np.int64))
    c2 = replace(c1, online=np.ones(n, bool))
    m2 = replace(m0, online=np.ones(m, bool), radius=np.full(m, np.inf))
    c3 = replace(
        c2,
        languages=np.zeros_like(c0.languages),
        gender=np.zeros_like(c0.gender),
        required=np.zeros_like(c0.required),
    )
    level = np.full((n, m), RELAXED, dtype=np.int64)
    for step, (c, mm) in reversed(list(enumerate([(c0, m0), (c1, m0), (c2, m2), (c3, m2)]))):
        ci, mj, _ = scoring.allowed_pairs(c, mm, weights)
        level[ci, mj] = step
    ci, mj = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    parts = scoring.preferences(c0, m0, ci.ravel(), mj.ravel()).reshape(n, m, -1)
    points = scoring._points(weights)
    score = np.rint(parts @ points).astype(np.int64)
    return _Fit(
        cases=cases,
        mentors=mentors,
        level=level[:, columns],
        score=score[:, columns],
        parts=parts[:, columns],
        points=points,
    )


def _assign(fit: _Fit, capacity: list[int], bonus: np.ndarray | None = None) -> list[int]:
    """Each case's mentor (index into ``fit.mentors``) or -1: as many as possible, then
    the fewest relaxations, then the best fit (plus ``bonus``)."""
    ci, mj = np.nonzero(fit.level < RELAXED)
    value = (RELAXED - fit.level[ci, mj]) * 2 * scoring.SCALE + fit.score[ci, mj]
    if bonus is not None:
        value = value + bonus[ci, mj]
    chosen = engine.assign(len(fit.cases), np.array(capacity, np.int64), ci, mj, value)
    return [int(j) for j in chosen]


def _explanation(fit: _Fit, i: int, j: int, shown: dict[int, Mentor]) -> list[dict]:
    mentor = shown[fit.mentors[j].pk]
    parts = fit.parts[i, j]
    return [p.as_dict() for p in explain(fit.cases[i], mentor, parts, parts * fit.points)]


# Writing -------------------------------------------------------------------------------


def _first(demo: _Demo, case: Case, kind: str) -> CaseEvent | None:
    found = demo.events[case.pk].get(f"status.{kind}", [])
    return found[0] if found else None


def _last(demo: _Demo, case: Case, kind: str) -> CaseEvent | None:
    found = demo.events[case.pk].get(f"status.{kind}", [])
    return found[-1] if found else None


def _event(demo: _Demo, case: Case, kind: str, summary: str, at: dt.datetime, reason=""):
    demo.new_events.append(
        CaseEvent(
            case=case,
            kind=kind,
            summary=summary,
            actor=demo.coordinator,
            occurred_at=at,
            reason=reason,
        )
    )
    demo.added[case.pk] += 1


def _retitle(demo: _Demo, event: CaseEvent | None, summary: str) -> None:
    if event is not None and event.summary != summary:
        event.summary = summary
        demo.changed_events.append(event)


def _lower(label: str) -> str:
    return label[0].lower() + label[1:]


def _proposal(demo, case, mentor, fit_row, *, role, at, **fields) -> Match:
    score, explanation = fit_row
    match = Match(
        record_uuid=match_uuid(demo.specs_by_pk[case.pk], role),
        case=case,
        mentor=mentor,
        score=score,
        explanation=explanation,
        proposed_by=demo.coordinator,
        proposed_at=at,
        **fields,
    )
    demo.matches.append(match)
    _event(
        demo,
        case,
        "match.proposed",
        f"Match proposed to {mentor.full_name} ({fit_label(score).lower()}, {score} points)",
        at,
    )
    return match


def _ready_at(demo: _Demo, case: Case, moment: dt.datetime) -> dt.datetime:
    """When the case last became ready for a match before ``moment``."""
    ready = [
        event.occurred_at
        for kind in ("status.complete_assessment", "status.break_match")
        for event in demo.events[case.pk].get(kind, [])
        if event.occurred_at < moment
    ]
    return max(ready, default=case.received_at)


def _office_hours(demo: _Demo, moment: dt.datetime) -> dt.datetime:
    """The same day, in working hours (local time)."""
    local = timezone.localtime(moment)
    hour, minute = 9 + demo.rng.randint(0, 7), demo.rng.randint(0, 59)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _before(demo: _Demo, moment: dt.datetime, case: Case, low: int, high: int) -> dt.datetime:
    """A working-hours moment some days before ``moment``, after the case was ready for
    a match (or just before ``moment`` when there was no time)."""
    earliest = _ready_at(demo, case, moment) + dt.timedelta(hours=2)
    at = _office_hours(demo, moment - dt.timedelta(days=demo.rng.randint(low, high)))
    if at < earliest:
        at = earliest
    if at >= moment:
        at = moment - dt.timedelta(minutes=demo.rng.randint(30, 120))
    return at


def _recently(demo: _Demo, case: Case, days: int) -> tuple[dt.datetime, dt.datetime]:
    """A proposal ``days`` ago (in working hours) and an answer two days later, for a
    case waiting now."""
    at = _office_hours(demo, demo.now - dt.timedelta(days=days))
    at = max(at, _ready_at(demo, case, demo.now) + dt.timedelta(hours=2))
    answered = _office_hours(demo, at + dt.timedelta(days=2))
    answered = min(max(answered, at + dt.timedelta(hours=1)), demo.now - dt.timedelta(minutes=5))
    return at, answered


def _working(demo: _Demo, case: Case, mentor: Mentor, row) -> None:
    """The match of a case that is matched, in support or on hold from either."""
    accepted = _last(demo, case, "match")
    accepted_at = accepted.occurred_at if accepted else demo.now - dt.timedelta(days=3)
    proposed_at = _before(demo, accepted_at, case, 2, 6)
    stage = case.status_before_hold if case.status == CaseStatus.ON_HOLD else case.status
    status = MatchStatus.ACCEPTED if stage == CaseStatus.MATCHED else MatchStatus.ACTIVE
    fields = {"status": status, "responded_at": accepted_at}
    _retitle(demo, accepted, f"Match accepted by {mentor.full_name}")
    if status == MatchStatus.ACTIVE:
        started = _last(demo, case, "start_support")
        started_at = started.occurred_at if started else accepted_at + dt.timedelta(days=7)
        place = demo.rng.choice(
            [MeetingPlace.IN_PERSON, MeetingPlace.IN_PERSON, MeetingPlace.ONLINE]
        )
        fields |= {
            "started_at": started_at,
            "first_meeting_at": started_at,
            "first_meeting_place": place,
        }
        _retitle(demo, started, _started_summary(started_at, place))
    _proposal(demo, case, mentor, row, role="working", at=proposed_at, **fields)


def _started_summary(at: dt.datetime, place: str) -> str:
    when = timezone.localtime(at)
    return (
        f"Match started: first meeting {when:%-d %B %Y at %H:%M} "
        f"({MeetingPlace(place).label.lower()})"
    )


def _ended(demo: _Demo, case: Case, mentor: Mentor, row) -> None:
    """The match of a case whose support has finished or stopped."""
    spec = demo.specs_by_pk[case.pk]
    accepted = _first(demo, case, "match")
    started = _first(demo, case, "start_support")
    if accepted is None or started is None:
        return
    if spec.broken_match:
        reason = BROKEN_REASONS[sum(s.broken_match for s in DEMO_CASES[: spec.number - 1]) % 2]
        rematch, end_event = True, _last(demo, case, "break_match")
    elif case.status in (CaseStatus.CONSENT_WITHDRAWN, CaseStatus.ESCALATED):
        action = "withdraw_consent" if case.status == CaseStatus.CONSENT_WITHDRAWN else "escalate"
        reason, rematch, end_event = EndReason.CASE_ENDED, False, _last(demo, case, action)
    else:
        reason = END_REASON_FOR.get(case.closure_outcome, EndReason.COMPLETED)
        if case.status == CaseStatus.CLOSING:
            reason = EndReason.COMPLETED
        rematch, end_event = False, _last(demo, case, "start_closing")
    if end_event is None:
        return
    proposed_at = _before(demo, accepted.occurred_at, case, 2, 6)
    place = demo.rng.choice([MeetingPlace.IN_PERSON, MeetingPlace.ONLINE, MeetingPlace.PHONE])
    _retitle(demo, accepted, f"Match accepted by {mentor.full_name}")
    _retitle(demo, started, _started_summary(started.occurred_at, place))
    if end_event.reason != END_NOTES.get(reason, end_event.reason) and spec.broken_match:
        end_event.reason = END_NOTES[reason]  # why the person needs a new mentor
        demo.reasoned_events.append(end_event)
    if reason != EndReason.CASE_ENDED:
        label = _lower(EndReason(reason).label)
        _retitle(
            demo,
            end_event,
            f"Match with {mentor.full_name} ended: {label}"
            + ("; a new mentor is needed" if rematch else "; the case moves to closing"),
        )
    _proposal(
        demo,
        case,
        mentor,
        row,
        role="ended",
        at=proposed_at,
        status=MatchStatus.ENDED,
        responded_at=accepted.occurred_at,
        started_at=started.occurred_at,
        first_meeting_at=started.occurred_at,
        first_meeting_place=place,
        ended_at=end_event.occurred_at,
        ended_by=demo.coordinator,
        end_reason=reason,
        end_note=END_NOTES.get(reason, "") if reason != EndReason.CASE_ENDED else "",
        rematch=rematch,
    )


def _declined(demo, case, mentor, row, *, at, responded, reason, note, role="declined"):
    label = DeclineReason(reason).label
    _proposal(
        demo,
        case,
        mentor,
        row,
        role=role,
        at=at,
        status=MatchStatus.DECLINED,
        responded_at=responded,
        decline_reason=reason,
        decline_note=note,
    )
    _event(
        demo,
        case,
        "match.declined",
        f"Match declined by {mentor.full_name}: “{label}”",
        responded,
        note,
    )


def _withdrawn(demo, case, mentor, row, *, at, responded, reason, event: bool, role="withdrawn"):
    _proposal(
        demo,
        case,
        mentor,
        row,
        role=role,
        at=at,
        status=MatchStatus.WITHDRAWN,
        responded_at=responded,
        withdrawn_reason=reason,
    )
    if event:
        _event(
            demo,
            case,
            "match.withdrawn",
            f"Proposal to {mentor.full_name} withdrawn",
            responded,
            reason,
        )


# The whole demo ------------------------------------------------------------------------


def _has_been_matched(spec: DemoCase) -> bool:
    """The story took the person into support, which has finished or stopped."""
    if spec.broken_match or spec.status in (CaseStatus.CLOSED, CaseStatus.CLOSING):
        return True
    return (
        spec.status in (CaseStatus.CONSENT_WITHDRAWN, CaseStatus.ESCALATED)
        and spec.left_from == CaseStatus.ACTIVE
    )


def _is_working(case: Case) -> bool:
    return case.status in (CaseStatus.MATCHED, CaseStatus.ACTIVE) or (
        case.status == CaseStatus.ON_HOLD
        and case.status_before_hold in (CaseStatus.MATCHED, CaseStatus.ACTIVE)
    )


def _pool(demo: _Demo) -> list[Mentor]:
    """Active demo mentors who could take people until now: accredited once and bound by
    the code of conduct (a check or an accreditation may have lapsed since; the people
    they already mentor stay with them)."""
    have_code = set(CodeAcceptance.objects.values_list("mentor_id", flat=True))
    accredited = set(Accreditation.objects.values_list("mentor_id", flat=True))
    return [
        demo.mentors[spec.full_name]
        for spec in DEMO_MENTORS
        if spec.full_name in demo.mentors
        and demo.mentors[spec.full_name].status == MentorStatus.ACTIVE
        and demo.mentors[spec.full_name].pk in have_code & accredited
    ]


def _capacity(fit: _Fit, live: dict[int, int], needed: int, user_mentor) -> list[int]:
    """Places for the people working with a mentor: each mentor's spare places less one
    kept free (``KEEP_FREE``, and the demo mentor's place for a live proposal), giving
    the kept places back when there are not enough."""
    spare = [max(0, m.caseload_cap - live[m.pk]) for m in fit.mentors]
    kept = [
        min(s, (m.full_name in KEEP_FREE) + (m == user_mentor))
        for m, s in zip(fit.mentors, spare, strict=True)
    ]
    order = sorted(
        range(len(kept)),
        key=lambda j: (
            fit.mentors[j] == user_mentor,
            -KEEP_FREE.index(fit.mentors[j].full_name)
            if fit.mentors[j].full_name in KEEP_FREE
            else 0,
        ),
    )
    for j in order:
        while kept[j] and sum(spare) - sum(kept) < needed:
            kept[j] -= 1
    return [s - k for s, k in zip(spare, kept, strict=True)]


def _rows(fit: _Fit, i: int, j: int, shown) -> tuple[int, list[dict]]:
    return int(fit.score[i, j]), _explanation(fit, i, j, shown)


def _best(fit: _Fit, i: int, *, exclude=(), relaxed: int = RELAXED) -> int | None:
    """The mentor for case ``i`` with the fewest relaxations (below ``relaxed``), then
    the best fit."""
    order = sorted(
        (j for j in range(len(fit.mentors)) if fit.mentors[j].pk not in exclude),
        key=lambda j: (fit.level[i, j], -fit.score[i, j], fit.mentors[j].pk),
    )
    return order[0] if order and fit.level[i, order[0]] < relaxed else None


@transaction.atomic
def _build(demo: _Demo) -> int:
    pool = _pool(demo)
    if not pool:
        return 0
    user_mentor = next((m for m in pool if m.user and m.user.email == MENTOR_USER_EMAIL), None)
    live: dict[int, int] = defaultdict(int)
    for mentor_id in Match.objects.filter(status__in=LIVE).values_list("mentor_id", flat=True):
        live[mentor_id] += 1
    shown = {
        m.pk: m
        for m in prefetch_for_explanation(Mentor.objects.filter(pk__in=[m.pk for m in pool]))
    }
    numbers = sorted(demo.specs)
    cases = [demo.cases[n] for n in numbers]

    # People working with a mentor now.
    working = [c for c in cases if _is_working(c)]
    if working:
        fit = _fit(working, pool)
        for mentor in fit.mentors:
            shown[mentor.pk].current_caseload = live[mentor.pk]
        bonus = np.zeros_like(fit.score)
        for j, mentor in enumerate(fit.mentors):
            if mentor.full_name in FILL:
                bonus[:, j] = 10 * scoring.SCALE
            if mentor == user_mentor:  # the demo mentor has people in support
                bonus[[i for i, c in enumerate(fit.cases) if c.status == CaseStatus.ACTIVE], j] = (
                    10 * scoring.SCALE
                )
        capacity = _capacity(fit, live, len(working), user_mentor)
        for i, j in enumerate(_assign(fit, capacity, bonus)):
            if j >= 0:
                _working(demo, fit.cases[i], fit.mentors[j], _rows(fit, i, j, shown))

    # People whose support has finished or stopped: matches spread over the pool.
    past = [c for c in cases if _has_been_matched(demo.specs_by_pk[c.pk]) and not _is_working(c)]
    if past:
        fit = _fit(past, pool)
        capacity = [2 * m.caseload_cap for m in fit.mentors]
        for i, j in enumerate(_assign(fit, capacity)):
            if j >= 0:
                _ended(demo, fit.cases[i], fit.mentors[j], _rows(fit, i, j, shown))

    # People who were waiting when they went on hold or withdrew consent: the proposal
    # made for them was withdrawn with the case.
    plan = hard_to_place()
    hard = {*plan.urdu_theology, plan.tigrinya, plan.coventry_senior}
    paused = [
        c
        for c in cases
        if demo.specs_by_pk[c.pk].left_from == CaseStatus.AWAITING_MATCH
        and c.status in (CaseStatus.ON_HOLD, CaseStatus.CONSENT_WITHDRAWN)
    ]
    if paused:
        fit = _fit(paused, pool)
        for i, case in enumerate(fit.cases):
            action = "hold" if case.status == CaseStatus.ON_HOLD else "withdraw_consent"
            moved, j = _last(demo, case, action), _best(fit, i)
            if moved is None or j is None:
                continue
            _withdrawn(
                demo,
                case,
                fit.mentors[j],
                _rows(fit, i, j, shown),
                at=_before(demo, moved.occurred_at, case, 3, 9),
                responded=moved.occurred_at,
                reason=f"The case became {CaseStatus(case.status).label.lower()}.",
                event=False,
            )

    # People waiting now: one proposal declined, one withdrawn (never to the demo
    # mentor, whose place is for the live proposal, and never a mentor kept free).
    waiting = [
        c
        for c in cases
        if c.status == CaseStatus.AWAITING_MATCH
        and demo.specs_by_pk[c.pk].number not in hard
        and not demo.specs_by_pk[c.pk].broken_match
    ]
    if waiting:
        fit = _fit(waiting, pool)
        skip = {m.pk for m in fit.mentors if m == user_mentor or m.full_name in KEEP_FREE}
        examples = [
            (
                "declined",
                dict(
                    reason=DeclineReason.NOT_RIGHT,
                    note="Another mentor who knows the person's area would suit them better.",
                ),
                18,
            ),
            (
                "withdrawn",
                dict(reason="The person's availability changed; to be looked at again."),
                9,
            ),
        ]
        used: set[int] = set()
        for role, details, days in examples:
            # A proposal made now must be one the rules allow.
            found = (
                (i, _best(fit, i, exclude=skip, relaxed=1))
                for i in range(len(fit.cases))
                if i not in used
            )
            i, j = next(((i, j) for i, j in found if j is not None), (None, None))
            if i is None:
                break
            used.add(i)
            case = fit.cases[i]
            at, responded = _recently(demo, case, days)
            write = _declined if role == "declined" else _withdrawn
            extra = {} if role == "declined" else {"event": True}
            write(
                demo,
                case,
                fit.mentors[j],
                _rows(fit, i, j, shown),
                at=at,
                responded=responded,
                **details,
                **extra,
            )

    # Earlier in the life of one person in support, a mentor had no place for them.
    supported = [m for m in demo.matches if m.status == MatchStatus.ACTIVE]
    if supported:
        match = supported[len(supported) // 2]
        fit = _fit([match.case], pool)
        j = _best(fit, 0, exclude={match.mentor_id})
        if j is not None:
            at = _before(demo, match.proposed_at, match.case, 6, 10)
            responded = min(at + dt.timedelta(days=1), match.proposed_at - dt.timedelta(hours=1))
            _declined(
                demo,
                match.case,
                fit.mentors[j],
                _rows(fit, 0, j, shown),
                at=at,
                responded=max(responded, at + dt.timedelta(minutes=30)),
                reason=DeclineReason.NO_CAPACITY,
                note="",
                role="declined-earlier",
            )

    Match.objects.bulk_create(demo.matches)
    CaseEvent.objects.bulk_create(demo.new_events)
    CaseEvent.objects.bulk_update(demo.changed_events, ["summary"])
    for event in demo.reasoned_events:
        event.save(update_fields=["reason", "summary"])
    for case_pk, n in demo.added.items():
        Case.objects.filter(pk=case_pk).update(version=F("version") + n)
    return len(demo.matches)


def _propose_to_the_mentor_user(demo: _Demo) -> int:
    """A live proposal waiting for the demo mentor user's answer, through the service."""
    mentor = Mentor.objects.filter(user__email=MENTOR_USER_EMAIL).first()
    if mentor is None:
        return 0
    plan = hard_to_place()
    hard = {*plan.urdu_theology, plan.tigrinya, plan.coventry_senior}
    proposed = set(
        Match.objects.filter(case__in=list(demo.cases.values())).values_list("case_id", flat=True)
    )
    best = None
    for number in sorted(demo.specs):
        case = demo.cases[number]
        if number in hard or case.status != CaseStatus.AWAITING_MATCH or case.pk in proposed:
            continue
        verdict = evaluate_pair(case, mentor)
        if verdict.allowed and (best is None or verdict.score > best[0]):
            best = (verdict.score, case)
    if best is None:
        return 0
    try:
        match_propose(actor=demo.coordinator, case=best[1], mentor=mentor)
    except MatchRefused:
        return 0
    return 1


def ensure_demo_matches(*, now: dt.datetime | None = None) -> int:
    """Create the demo matches unless a demo case has a match already; return how many."""
    demo = _load(now or timezone.now())
    if demo is None:
        return 0
    if Match.objects.filter(case__in=list(demo.cases.values())).exists():
        return 0
    with transaction.atomic():
        _set_needs(demo)
        created = _build(demo)
    return created + _propose_to_the_mentor_user(demo)
