"""Recording reviews: scores for every goal, the GAS T-score, the next review's due date,
the reassessment prompt, refusals and encryption at rest."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent, CaseStatus, GoalScore, Review
from tandem.cases.services import plans as services
from tandem.cases.services.lifecycle import CaseConflict
from tandem.core.tests.encryption.rawsql import raw_column

from .factories_plans import coordinator, days_ago, fresh, planned_case, review

pytestmark = pytest.mark.django_db


def test_a_review_stores_each_goals_score_and_the_t_score():
    case, [first, second] = planned_case(goals=2)  # weights 1 and 2
    actor = coordinator()
    recorded = review(case, {first: 1, second: 0}, by=actor, reviewed_on=days_ago(2))
    recorded = Review.objects.get(pk=recorded.pk)
    # 50 + 10·1 / √(0.7·5 + 0.3·9) = 50 + 10/√6.2
    assert recorded.t_score == Decimal("54.0")
    assert recorded.reviewer == actor
    assert recorded.reviewed_on == days_ago(2)
    assert {s.goal_id: s.score for s in GoalScore.objects.filter(review=recorded)} == {
        first.pk: 1,
        second.pk: 0,
    }


def test_a_review_says_its_t_score_on_the_timeline_and_is_audited():
    case, [goal] = planned_case(goals=1)
    recorded = review(case, {goal: 1})
    event = CaseEvent.objects.get(case=case, kind="review.recorded")
    assert event.summary == "Review recorded (GAS T-score 60.0)"
    audit = AuditEvent.objects.get(action="case.review_record")
    assert audit.object_id == str(recorded.pk)
    assert "summary" in audit.changed_fields
    assert "college" not in str(audit.changed_fields)


def test_a_review_sets_the_next_review_one_interval_after_it():
    case, [goal] = planned_case(goals=1)
    review(case, {goal: 0}, reviewed_on=days_ago(10))
    assert fresh(case).next_review_due == days_ago(10) + dt.timedelta(weeks=6)


def test_a_review_entered_late_does_not_pull_the_next_review_earlier():
    case, [goal] = planned_case(goals=1)
    review(case, {goal: 0}, reviewed_on=days_ago(3))
    review(case, {goal: 0}, reviewed_on=days_ago(40))  # an earlier review, typed in now
    assert fresh(case).next_review_due == days_ago(3) + dt.timedelta(weeks=6)


def test_a_review_that_finds_reassessment_needed_prompts_it_on_the_timeline():
    case, [goal] = planned_case(goals=1)
    review(case, {goal: -1}, reassessment_needed=True)
    prompt = CaseEvent.objects.get(case=case, kind="review.reassessment")
    assert prompt.summary == "Reassessment prompted"


def test_a_review_without_reassessment_prompts_nothing():
    case, [goal] = planned_case(goals=1)
    review(case, {goal: -1}, reassessment_needed=False)
    assert not CaseEvent.objects.filter(case=case, kind="review.reassessment").exists()


def test_every_goal_in_use_must_be_scored():
    case, [first, _second] = planned_case(goals=2)
    with pytest.raises(services.PlanRefused, match="Score every goal"):
        review(case, {first: 1})
    assert not Review.objects.filter(case=case).exists()


def test_a_goal_no_longer_in_use_is_not_scored():
    case, [first, second] = planned_case(goals=2)
    services.goal_deactivate(
        actor=coordinator(), case=fresh(case), goal=second, expected_version=None
    )
    with pytest.raises(services.PlanRefused, match="Score every goal"):
        review(case, {first: 0, second: 0})
    recorded = review(case, {first: 2})
    assert recorded.t_score == Decimal("70.0")


def test_a_goal_of_another_case_cannot_be_scored():
    case, [goal] = planned_case(goals=1)
    _, [other] = planned_case(goals=1)
    with pytest.raises(services.PlanRefused, match="Score every goal"):
        review(case, {goal: 0, other: 0})


@pytest.mark.parametrize("score", [3, -3, True, "1"])
def test_scores_outside_minus_two_to_plus_two_are_refused(score):
    case, [goal] = planned_case(goals=1)
    with pytest.raises(services.PlanRefused, match="from −2 to \\+2"):  # noqa: RUF001
        review(case, {goal: score})


def test_a_review_needs_goals():
    case, _ = planned_case(goals=0)
    with pytest.raises(services.PlanRefused, match="at least one goal"):
        review(case, {})


def test_a_review_cannot_be_dated_in_the_future_or_before_the_referral():
    case, [goal] = planned_case(goals=1)
    with pytest.raises(services.PlanRefused, match="today or in the past"):
        review(case, {goal: 0}, reviewed_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(services.PlanRefused, match="when the referral was received"):
        review(case, {goal: 0}, reviewed_on=days_ago(400))


def test_a_review_needs_a_summary_and_a_reassessment_answer():
    case, [goal] = planned_case(goals=1)
    with pytest.raises(services.PlanRefused, match="summary"):
        review(case, {goal: 0}, summary="  ")
    with pytest.raises(services.PlanRefused, match="reassessing"):
        review(case, {goal: 0}, reassessment_needed=None)


def test_a_review_of_a_closed_case_is_refused():
    case, [goal] = planned_case(goals=1)
    type(case).objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closure_outcome="completed"
    )
    with pytest.raises(services.PlanRefused, match="cannot be changed"):
        review(case, {goal: 0})


def test_a_stale_review_form_is_refused_and_nothing_is_stored():
    case, [goal] = planned_case(goals=1)
    seen = fresh(case).version
    review(case, {goal: 1})  # someone else, meanwhile
    with pytest.raises(CaseConflict):
        services.review_record(
            actor=coordinator(),
            case=fresh(case),
            reviewed_on=timezone.localdate(),
            scores={goal.pk: -2},
            summary="Mine",
            reassessment_needed=False,
            expected_version=seen,
        )
    assert Review.objects.filter(case=case).count() == 1


def test_review_summaries_are_encrypted_in_the_database():
    case, [goal] = planned_case(goals=1)
    recorded = review(case, {goal: 0}, summary="Talked about his brother's arrest")
    assert "brother" not in str(raw_column(Review, "summary", recorded.pk))
