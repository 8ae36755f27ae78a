"""Demo meetings: about 1,500 sessions inside their matches' dates with the patterns a
real scheme shows, the demo mentor's week, briefs, claims in every state, advice
questions, and a second run that creates nothing.

The demo (users, mentors, cases, matches, meetings) is built once for the module inside
a transaction rolled back at the end; each test runs inside it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import mean

import pytest
from django.db import transaction
from django.utils import timezone

from tandem.cases.cadence import RHYTHM_DAYS
from tandem.cases.models import Frequency, SupportPlan
from tandem.matching.models import Match, MatchStatus
from tandem.meetings.models import (
    AdviceAnswer,
    AdviceQuestion,
    CancelledBy,
    Claim,
    ClaimRate,
    ClaimStatus,
    MeetingBrief,
    Session,
    SessionStatus,
)
from tandem.meetings.names import names_in
from tandem.site.demo.accounts import ensure_demo_users
from tandem.site.demo.cases import ensure_demo_cases
from tandem.site.demo.matching import ensure_demo_matches
from tandem.site.demo.meetings import ensure_demo_meetings
from tandem.site.demo.mentors import MENTOR_USER_EMAIL, ensure_demo_mentors

NOW = timezone.now()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_demo_users()
        ensure_demo_mentors()
        ensure_demo_cases()
        ensure_demo_matches()
        created = ensure_demo_meetings(now=NOW)
        yield created
        transaction.set_rollback(True)


@pytest.fixture
def sessions(demo, db) -> list[Session]:
    return list(Session.objects.select_related("match", "place_type").order_by("starts_at"))


def by_match(sessions) -> dict[int, list[Session]]:
    grouped = defaultdict(list)
    for s in sessions:
        grouped[s.match_id].append(s)
    return grouped


def test_about_1500_sessions_in_every_status(demo, sessions):
    assert demo.sessions == len(sessions)
    assert 1300 <= len(sessions) <= 1700
    statuses = {s.status for s in sessions}
    assert statuses == set(SessionStatus.values)
    held = sum(s.status == SessionStatus.HELD for s in sessions)
    assert 0.7 < held / len(sessions) < 0.9
    assert {s.cancelled_by for s in sessions if s.status == SessionStatus.CANCELLED} == set(
        CancelledBy.values
    )
    assert all(s.rescheduled_to_id for s in sessions if s.status == SessionStatus.RESCHEDULED)


def test_no_session_outside_its_matchs_dates(demo, sessions):
    year_ago = NOW - dt.timedelta(days=366)
    for s in sessions:
        match = s.match
        assert match.status in (MatchStatus.ACTIVE, MatchStatus.ENDED)
        assert s.starts_at >= max(match.first_meeting_at or match.started_at, year_ago)
        if match.ended_at:
            assert s.ends_at <= match.ended_at
        if s.starts_at > NOW:
            assert s.status == SessionStatus.PLANNED and match.status == MatchStatus.ACTIVE
        if s.status != SessionStatus.PLANNED:
            assert s.starts_at < NOW
    firsts = [s for s in sessions if s.is_first]
    assert firsts and all(s.starts_at == s.match.first_meeting_at for s in firsts)


def test_befriending_early_interventionist_later_and_relationships_grow(demo, sessions):
    early, late = [], []
    drifted = 0
    for rows in by_match(sessions).values():
        held = [s for s in rows if s.status == SessionStatus.HELD]
        if len(held) < 9:
            continue
        third = len(held) // 3
        early += held[:third]
        late += held[-third:]
        if mean(s.style for s in held[-third:]) - mean(s.style for s in held[:third]) >= 1:
            drifted += 1

    def share(rows, approach):
        return sum(s.approach == approach for s in rows) / len(rows)

    assert share(early, "befriending") > share(late, "befriending") + 0.2
    assert share(late, "interventionist") > share(early, "interventionist") + 0.2
    assert drifted >= 3  # styles drift from empathetic towards challenging for some
    assert mean(s.engagement for s in late) > mean(s.engagement for s in early)
    assert mean(s.trust for s in late) > mean(s.trust for s in early) + 0.5


def test_held_sessions_are_recorded_in_full_without_names(demo, sessions):
    held = [s for s in sessions if s.status == SessionStatus.HELD]
    with_topics = set(
        Session.topics.through.objects.values_list("session_id", flat=True).distinct()
    )
    assert all(s.pk in with_topics for s in held)
    sample = Session.objects.filter(status=SessionStatus.HELD).select_related("case")[:200]
    assert all(s.summary and s.next_steps for s in sample)
    assert any(s.private_notes for s in sample)
    for s in sample:
        names = [s.case.first_name, s.case.last_name]
        assert not names_in(f"{s.summary} {s.private_notes} {s.next_steps}", names)


def test_some_people_are_contact_overdue_and_one_missed_twice_in_a_row(demo, sessions):
    plans = dict(SupportPlan.objects.values_list("case_id", "frequency"))
    overdue = missed_twice = 0
    for rows in by_match(sessions).values():
        match = rows[0].match
        if match.status != MatchStatus.ACTIVE:
            continue
        frequency = RHYTHM_DAYS[plans.get(match.case_id, Frequency.WEEKLY)]
        held = [s for s in rows if s.status == SessionStatus.HELD]
        if held and (NOW - held[-1].starts_at).days > 2 * frequency:
            overdue += 1
        past = [s for s in rows if s.starts_at < NOW and s.status != SessionStatus.CANCELLED]
        if [s.status for s in past[-2:]] == [SessionStatus.DID_NOT_ATTEND] * 2:
            missed_twice += 1
    assert overdue >= 3
    assert missed_twice >= 1


def test_lone_working_check_in_and_out_and_one_missed_check_out(demo, sessions):
    home = [
        s for s in sessions if s.place_type.needs_lone_working and s.status == SessionStatus.HELD
    ]
    assert len(home) > 50
    assert all(s.checked_in_at and s.checked_out_at > s.checked_in_at for s in home)
    (missed,) = [s for s in sessions if s.checked_in_at and not s.checked_out_at]
    assert missed.place_type.code == "home" and missed.status == SessionStatus.PLANNED
    assert NOW - dt.timedelta(hours=6) < missed.ends_at < NOW - dt.timedelta(hours=1)


def test_the_demo_mentor_has_sessions_this_week_and_sessions_to_log(demo, sessions):
    active = Match.objects.filter(mentor__user__email=MENTOR_USER_EMAIL, status="active")
    assert active.exists()
    week = NOW + dt.timedelta(days=7)
    for match in active:
        rows = [s for s in sessions if s.match_id == match.pk]
        assert any(NOW < s.starts_at < week and s.status == SessionStatus.PLANNED for s in rows)
        assert any(
            NOW - dt.timedelta(days=4) < s.starts_at < NOW and s.status == SessionStatus.PLANNED
            for s in rows
        )
    working = Match.objects.filter(
        mentor__user__email=MENTOR_USER_EMAIL, status__in=("accepted", "active")
    ).values_list("case_id", flat=True)
    briefs = MeetingBrief.objects.filter(case_id__in=working)
    assert briefs.count() == len(working)
    assert all(b.preferred_name and b.contact_details for b in briefs)


def test_claims_in_every_state_with_rates_and_reasons(demo, db):
    claims = list(Claim.objects.select_related("session", "mentor"))
    assert demo.claims == len(claims) > 40
    assert {c.status for c in claims} == set(ClaimStatus.values)
    assert len({c.month for c in claims}) >= 3
    rates = {(r.hourly_rate, r.mileage_rate) for r in ClaimRate.objects.all()}
    for claim in claims:
        assert claim.session.status == SessionStatus.HELD
        assert claim.session.mentor_id == claim.mentor_id
        assert claim.month == timezone.localtime(claim.session.starts_at).date().replace(day=1)
        if claim.status != ClaimStatus.DRAFT:
            assert (claim.hourly_rate, claim.mileage_rate) in rates
            assert claim.session.ends_at < claim.submitted_at <= NOW
        if claim.status in (ClaimStatus.QUERIED, ClaimStatus.REJECTED):
            assert claim.decision_reason and claim.decided_by_id
    demo_mentor_claims = [c for c in claims if c.mentor.email and c.mentor.user_id]
    assert demo_mentor_claims


def test_advice_questions_with_answers_name_nobody(demo, db):
    questions = list(AdviceQuestion.objects.select_related("case"))
    assert len(questions) >= 2
    assert AdviceAnswer.objects.exists()
    assert AdviceQuestion.objects.filter(answers__isnull=True).exists()
    for q in questions:
        assert not names_in(q.question, [q.case.first_name, q.case.last_name])


def test_a_second_run_creates_nothing(demo, db):
    before = (Session.objects.count(), Claim.objects.count(), MeetingBrief.objects.count())
    again = ensure_demo_meetings(now=NOW)
    assert (again.sessions, again.claims, again.briefs, again.questions) == (0, 0, 0, 0)
    assert (Session.objects.count(), Claim.objects.count(), MeetingBrief.objects.count()) == before
