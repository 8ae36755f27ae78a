"""Demo matches: every state of a match, every person working with a mentor has one,
no mentor over their cap, the demo mentor has people and a proposal to answer, some
people nobody in the pool can take, and a second run changes nothing.

The demo (users, mentors, cases, matches) is built once for the module inside a
transaction rolled back at the end; each test runs inside it."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from django.db import transaction

from tandem.audit.models import AuditEvent
from tandem.cases.models import Case, CaseEvent, CaseStatus
from tandem.matching import scoring, selectors, services
from tandem.matching.features import load_cases, load_pool, weights_of
from tandem.matching.fit import fit_label
from tandem.matching.models import LIVE, WORKING, CaseNeeds, Match, MatchingPolicy, MatchStatus
from tandem.mentors.models import Mentor
from tandem.site.demo.accounts import ensure_demo_users
from tandem.site.demo.cases import DEMO_CASES, ensure_demo_cases
from tandem.site.demo.matching import FILL, KEEP_FREE, ensure_demo_matches, hard_to_place
from tandem.site.demo.mentors import MENTOR_USER_EMAIL, ensure_demo_mentors


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_demo_users()
        ensure_demo_mentors()
        ensure_demo_cases()
        created = ensure_demo_matches()
        yield created
        transaction.set_rollback(True)


@pytest.fixture
def numbered(demo, db) -> dict[int, Case]:
    by_uuid = {spec.record_uuid: spec.number for spec in DEMO_CASES}
    return {by_uuid[c.record_uuid]: c for c in Case.objects.filter(record_uuid__in=by_uuid)}


def test_every_state_of_a_match_occurs(demo, db):
    assert demo == Match.objects.count() > 50
    statuses = Counter(Match.objects.values_list("status", flat=True))
    assert set(statuses) == set(MatchStatus.values)
    assert statuses[MatchStatus.DECLINED] >= 2 and statuses[MatchStatus.WITHDRAWN] >= 2


def test_no_mentor_holds_more_live_matches_than_their_cap(demo, db):
    live = Counter(Match.objects.filter(status__in=LIVE).values_list("mentor_id", flat=True))
    caps = dict(Mentor.objects.values_list("pk", "caseload_cap"))
    assert live and all(n <= caps[pk] for pk, n in live.items())
    # Live matches are with active mentors only.
    assert not Match.objects.filter(status__in=LIVE).exclude(mentor__status="active").exists()


def test_everyone_working_with_a_mentor_has_the_match_their_status_implies(demo, db):
    expected = {CaseStatus.MATCHED: MatchStatus.ACCEPTED, CaseStatus.ACTIVE: MatchStatus.ACTIVE}
    cases = Case.objects.filter(
        status__in=[
            CaseStatus.MATCHED,
            CaseStatus.ACTIVE,
            CaseStatus.ON_HOLD,
            CaseStatus.AWAITING_MATCH,
            CaseStatus.CLOSING,
            CaseStatus.CLOSED,
        ]
    )
    working = 0
    for case in cases:
        live = list(case.matches.filter(status__in=LIVE))
        stage = case.status_before_hold if case.status == CaseStatus.ON_HOLD else case.status
        if stage in expected:
            working += 1
            assert [m.status for m in live] == [expected[stage]], case.reference
            (match,) = live
            assert match.first_meeting_at is not None or stage == CaseStatus.MATCHED
            assert match.proposed_at < match.responded_at
            if match.started_at:
                assert match.responded_at <= match.started_at
        elif case.status == CaseStatus.AWAITING_MATCH:
            assert [m.status for m in live] in ([], [MatchStatus.PROPOSED]), case.reference
        else:
            assert live == [], case.reference
    assert working >= 30
    # Support that has finished ended its match (as ending a match moves a case to
    # closing); a closed case that had support has one too.
    for case in Case.objects.filter(status__in=[CaseStatus.CLOSING, CaseStatus.CLOSED]):
        assert case.matches.filter(status=MatchStatus.ENDED).exists(), case.reference


def test_each_match_is_on_its_case_timeline(demo, db):
    for match in Match.objects.select_related("case", "mentor"):
        summaries = set(CaseEvent.objects.filter(case=match.case).values_list("summary", flat=True))
        proposed = (
            f"Match proposed to {match.mentor.full_name} "
            f"({fit_label(match.score).lower()}, {match.score} points)"
        )
        assert proposed in summaries, match
        if match.status in WORKING or (match.status == MatchStatus.ENDED):
            assert f"Match accepted by {match.mentor.full_name}" in summaries, match
        if match.status == MatchStatus.DECLINED:
            assert any(
                s.startswith(f"Match declined by {match.mentor.full_name}") for s in summaries
            )
        assert match.explanation and all(part["words"] for part in match.explanation)
        assert 0 < match.score <= 1000


def test_the_demo_mentor_has_people_in_support_and_a_proposal_to_answer(demo, db):
    mentor = Mentor.objects.get(user__email=MENTOR_USER_EMAIL)
    statuses = Counter(mentor.matches.values_list("status", flat=True))
    assert statuses[MatchStatus.ACTIVE] >= 1
    assert statuses[MatchStatus.PROPOSED] == 1
    proposal = mentor.matches.get(status=MatchStatus.PROPOSED)
    assert proposal.case.status == CaseStatus.AWAITING_MATCH
    # Made through the service: the proposal was allowed, audited and is on the timeline.
    assert AuditEvent.objects.filter(
        action="match.propose", object_type="matching.match", object_id=str(proposal.pk)
    ).exists()
    assert sum(1 for s in statuses.elements() if s in LIVE) <= mentor.caseload_cap


def allowed_per_waiting_case():
    policy = MatchingPolicy.load()
    cases = list(selectors.waiting_cases())
    pool = load_pool()
    waiting = load_cases(cases, pool, policy)
    pair_case, _, _ = scoring.allowed_pairs(waiting.arrays, pool.arrays, weights_of(policy))
    return dict(zip(cases, np.bincount(pair_case, minlength=len(cases)).tolist(), strict=True))


def test_some_people_waiting_have_no_feasible_mentor_and_others_several(demo, numbered):
    allowed = allowed_per_waiting_case()
    plan = hard_to_place()
    hard = [numbered[n] for n in (*plan.urdu_theology, plan.tigrinya, plan.coventry_senior)]
    assert len(hard) == 5
    for case in hard:
        assert allowed[case] == 0, case.reference
    urdu = [numbered[n] for n in plan.urdu_theology]
    for case in urdu:
        assert case.mentor_gender_preference == "female"
        assert CaseNeeds.of(case).required_specialism.code == "islamic-theology"
        assert [lang.name for lang in case.languages.all()] == ["Urdu"]
        assert case.area.name == "Birmingham"
    # The one mentor who would fit them is full.
    assert all(
        Mentor.objects.get(full_name=name).matches.filter(status__in=LIVE).count()
        == Mentor.objects.get(full_name=name).caseload_cap
        for name in FILL
    )
    easy = [case for case, n in allowed.items() if n >= 2]
    assert len(easy) >= 3


def test_a_batch_proposal_has_work_to_do_but_not_for_everyone(demo, db):
    coordinator = Match.objects.first().proposed_by
    batch = services.batch_create(actor=coordinator)
    assert 2 <= batch.optimal_matched < batch.cases_waiting
    mentors = set(batch.pairs.values_list("mentor__full_name", flat=True))
    assert mentors <= set(KEEP_FREE)


def test_a_second_run_changes_nothing(demo, db):
    def snapshot():
        return (
            sorted(Match.objects.values_list("record_uuid", "status", "mentor_id", "case_id")),
            CaseEvent.objects.count(),
            sorted(Case.objects.values_list("pk", "version")),
            AuditEvent.objects.count(),
            MatchingPolicy.load().updated_at,
        )

    before = snapshot()
    assert ensure_demo_matches() == 0
    assert snapshot() == before
