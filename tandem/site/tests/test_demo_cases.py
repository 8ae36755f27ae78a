"""The demo cases. They are built once for the module (about five seconds) inside a
transaction that is rolled back at the end; each test runs in its own savepoint."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from tandem.assessments.models import Assessment, AssessmentKind, FactorRating
from tandem.cases import gas
from tandem.cases.consent_rule import COMPETENT_CHILD, OLDER_CHILD
from tandem.cases.lifecycle import ALLOWED_MOVES
from tandem.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Consent,
    ConsentDecision,
    ConsentGiver,
    DuplicateDecision,
    FollowUp,
    Goal,
    Review,
    SupportPlan,
)
from tandem.catalogues.defaults import AREAS as AREA_POINTS
from tandem.catalogues.models import ConcernType
from tandem.site.demo.cases import (
    COORDINATOR_EMAIL,
    DEMO_CASES,
    REFERRER_EMAIL,
    ensure_demo_cases,
)

FROM_ASSESSMENT = [
    CaseStatus.ASSESSMENT,
    CaseStatus.AWAITING_MATCH,
    CaseStatus.MATCHED,
    CaseStatus.ACTIVE,
    CaseStatus.CLOSING,
    CaseStatus.CLOSED,
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        created = ensure_demo_cases()
        yield created
        transaction.set_rollback(True)


@pytest.fixture
def cases(demo, db):
    return Case.objects.filter(record_uuid__in=[c.record_uuid for c in DEMO_CASES])


def test_about_120_cases_are_created_and_a_second_run_creates_none(demo, cases):
    assert demo == len(DEMO_CASES) == cases.count()
    assert 110 <= demo <= 130
    counts = [
        model.objects.count()
        for model in (Case, CaseEvent, Consent, Assessment, FactorRating, Goal, Review, FollowUp)
    ]
    assert ensure_demo_cases() == 0
    assert counts == [
        model.objects.count()
        for model in (Case, CaseEvent, Consent, Assessment, FactorRating, Goal, Review, FollowUp)
    ]


def test_a_missing_demo_case_is_created_again_and_only_that_one(cases):
    latest = cases.order_by("-received_at").first()
    reference = latest.reference
    latest.delete()
    assert ensure_demo_cases() == 1
    again = Case.objects.get(record_uuid=latest.record_uuid)
    assert again.reference != reference  # references are never reused


def test_every_state_and_every_concern_type_is_represented(cases):
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    assert set(cases.values_list("concern_type__code", flat=True)) == set(
        ConcernType.objects.values_list("code", flat=True)
    )


def test_referred_by_the_demo_referrer_and_the_demo_coordinator_in_the_seven_areas(cases):
    by = Counter(cases.values_list("referred_by__email", flat=True))
    assert set(by) == {REFERRER_EMAIL, COORDINATOR_EMAIL}
    assert by[REFERRER_EMAIL] > by[COORDINATOR_EMAIL] > 10
    assert set(cases.values_list("area__name", flat=True)) == {name for name, _, _ in AREA_POINTS}
    assert set(cases.values_list("urgency", flat=True)) == {"routine", "priority", "urgent"}


def test_ages_from_12_to_about_40_and_every_child_has_a_guardian(cases):
    ages = list(cases.values_list("age_at_referral", flat=True))
    assert min(ages) >= 12
    assert max(ages) <= 42  # a re-referral is a year or two older than at first
    children = [c for c in cases if c.is_child]
    assert len(children) > 20
    for case in children:
        assert case.guardian_name
        assert case.guardian_relationship
        assert case.guardian_contact.startswith("07700 900")
        born = dt.date.fromisoformat(case.date_of_birth)
        received = timezone.localdate(case.received_at)
        assert (
            received.year - born.year - ((received.month, received.day) < (born.month, born.day))
            == case.age_at_referral
        )


def test_children_s_consent_follows_the_consent_rule(cases):
    children = cases.filter(age_at_referral__lt=18)
    consents = Consent.objects.filter(case__in=children)
    assert consents.exists()
    # Only a 16- or 17-year-old with capacity consents for themself; at least one does.
    by_person = consents.filter(given_by=ConsentGiver.PERSON)
    assert by_person.exists()
    assert set(by_person.values_list("rule_band", "capacity_confirmed")) == {(OLDER_CHILD, True)}
    # A competent younger child's own agreement is recorded alongside a parent's consent.
    agreed = consents.filter(child_agreement="agreed")
    assert agreed.exists()
    for consent in agreed:
        assert consent.rule_band == COMPETENT_CHILD
        assert consent.given_by in (ConsentGiver.PARENT, ConsentGiver.GUARDIAN)
        assert consent.competence_assessed_by and consent.competence_assessed_on
    # Every child who got past screening has consent on record, from a parent or guardian
    # unless they consented themself.
    past_screening = children.filter(
        Q(status__in=[*FROM_ASSESSMENT, CaseStatus.CONSENT_WITHDRAWN, CaseStatus.ON_HOLD])
        | Q(status=CaseStatus.ESCALATED, events__kind="status.screen_in")
    ).distinct()
    assert past_screening.exists()
    for case in past_screening:
        given = case.consents.filter(decision=ConsentDecision.GIVEN).first()
        assert given is not None, case.reference
        if given.given_by == ConsentGiver.PERSON:
            assert given.giver_name == f"{case.first_name} {case.last_name}"
        else:
            assert given.giver_name == case.guardian_name
    for case in children.filter(status=CaseStatus.CONSENT_DECLINED):
        assert case.consents.get().given_by != ConsentGiver.PERSON


def test_most_people_and_mentors_have_an_ethnic_group(cases):
    answered = [case for case in cases if case.ethnicity]
    assert len(answered) >= 0.8 * cases.count()
    assert len({case.ethnicity for case in answered}) >= 8


def test_adults_consent_for_themselves(cases):
    consents = Consent.objects.filter(case__in=cases.filter(age_at_referral__gte=18))
    assert set(consents.values_list("given_by", flat=True)) == {ConsentGiver.PERSON}


def test_cases_from_assessment_onwards_have_assessments_and_reassessments_show_change(cases):
    past = cases.filter(status__in=FROM_ASSESSMENT[1:])
    assert not past.filter(assessments__isnull=True).exists()
    assert cases.filter(status=CaseStatus.ASSESSMENT, assessments__isnull=False).exists()
    reassessed = cases.filter(assessments__kind=AssessmentKind.REASSESSMENT).distinct()
    assert reassessed.count() > 20
    changed = 0
    for case in reassessed[:10]:
        intake = case.assessments.get(kind=AssessmentKind.INTAKE)
        latest = case.assessments.order_by("-assessed_on", "-pk").first()
        assert intake.ratings.count() == latest.ratings.count() == 22
        before = dict(intake.ratings.values_list("factor__number", "level__code"))
        after = dict(latest.ratings.values_list("factor__number", "level__code"))
        changed += sum(before[n] != after[n] for n in before)
        assert latest.assessed_on >= intake.assessed_on
    assert changed > 10


def test_plans_have_two_or_three_goals_and_reviews_score_every_goal(cases):
    in_support = cases.filter(status__in=[CaseStatus.ACTIVE, CaseStatus.CLOSING, CaseStatus.CLOSED])
    assert not in_support.filter(plan__isnull=True).exists()
    goal_counts = set(
        SupportPlan.objects.filter(case__in=cases)
        .annotate(n=Count("case__goals"))
        .values_list("n", flat=True)
    )
    assert goal_counts <= {2, 3}
    reviews = Review.objects.filter(case__in=cases).prefetch_related("scores__goal", "case__goals")
    assert reviews.count() > 50
    t_scores = set()
    for review in reviews:
        scores = list(review.scores.all())
        assert len(scores) == len(review.case.goals.all())
        expected = gas.rounded(gas.t_score([(s.goal.weight, s.score) for s in scores]))
        assert review.t_score == expected
        t_scores.add(review.t_score)
    assert len(t_scores) > 10
    assert min(t_scores) < Decimal("50") < max(t_scores)


def test_some_reviews_are_overdue(cases):
    today = timezone.localdate()
    overdue = cases.filter(status=CaseStatus.ACTIVE, next_review_due__lt=today)
    assert overdue.count() >= 3


def test_closed_cases_have_outcomes_reports_and_follow_ups_some_due(cases):
    today = timezone.localdate()
    closed = cases.filter(status=CaseStatus.CLOSED)
    assert closed.count() >= 10
    for case in closed:
        assert case.closure_outcome
        assert case.closing_report
        assert case.closed_at is not None
        assert case.follow_ups.count() == 2
    follow_ups = FollowUp.objects.filter(case__in=closed)
    assert follow_ups.filter(completed_on__isnull=False).exists()
    assert follow_ups.filter(completed_on__isnull=True, due_on__lte=today).exists()
    assert follow_ups.filter(due_on__gt=today).exists()
    for ended in cases.filter(
        status__in=[CaseStatus.CONSENT_WITHDRAWN, CaseStatus.ESCALATED, CaseStatus.NOT_SUITABLE]
    ):
        assert ended.closure_outcome
        assert ended.closed_at is not None


def test_cases_on_hold_remember_where_they_were(cases):
    held = cases.filter(status=CaseStatus.ON_HOLD)
    assert held.exists()
    for case in held:
        assert case.status_before_hold in {
            CaseStatus.ASSESSMENT,
            CaseStatus.AWAITING_MATCH,
            CaseStatus.ACTIVE,
        }
        assert case.events.filter(kind="status.hold").exists()


def test_possible_duplicates_are_flagged_with_the_same_name_and_date_of_birth(cases):
    flagged = cases.filter(duplicate_decision=DuplicateDecision.PENDING)
    assert flagged.count() == 2
    for case in flagged:
        original = case.possible_duplicate_of
        assert original.identity_index == case.identity_index != ""
        assert original.received_at < case.received_at
        assert case.events.filter(kind="referral.possible_duplicate").exists()


def test_timelines_follow_the_lifecycle_and_end_at_the_current_status(cases):
    now = timezone.now()
    for case in cases.prefetch_related("events"):
        events = sorted(case.events.all(), key=lambda e: (e.occurred_at, e.pk))
        assert events[0].kind == "referral.received"
        assert events[0].occurred_at == case.received_at
        moves = [e for e in events if e.from_status and e.to_status]
        for move in moves:
            assert (move.from_status, move.to_status) in ALLOWED_MOVES, case.reference
        status = CaseStatus.REFERRED
        for move in moves:
            assert move.from_status == status, case.reference
            status = move.to_status
        assert status == case.status
        last = moves[-1].occurred_at if moves else case.received_at
        assert case.status_changed_at == last
        assert all(e.occurred_at <= now for e in events)
        assert [e.pk for e in events] == sorted(e.pk for e in events)


def test_awaiting_match_includes_long_waits_and_every_urgency(cases):
    waiting = cases.filter(status=CaseStatus.AWAITING_MATCH)
    assert set(waiting.values_list("urgency", flat=True)) == {"routine", "priority", "urgent"}
    eight_weeks_ago = timezone.now() - dt.timedelta(weeks=8)
    assert waiting.filter(status_changed_at__lt=eight_weeks_ago).count() >= 3
    # Two lost their mentor and came back to the list.
    assert waiting.filter(events__kind="status.break_match").count() == 2


def test_names_and_narratives_are_encrypted_at_rest(cases):
    case = cases.filter(status=CaseStatus.CLOSED).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_name, reason, closing_report FROM cases_case WHERE id = %s", [case.pk]
        )
        raw = cursor.fetchone()
    assert case.first_name not in raw[0]
    assert all(value.startswith("e1:") for value in raw)
