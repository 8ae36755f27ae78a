"""The review form and the reviews-due list: markup for each goal, bad input and stale
forms keeping what was typed, the list's scope, order, window and query count."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Case, CaseStatus, Review

from .factories_plans import (
    add_goal,
    coordinator,
    days_ago,
    fresh,
    open_case,
    planned_case,
    review,
)

pytestmark = pytest.mark.django_db

REVIEWS_DUE = reverse("cases:reviews_due")


def url(name, case):
    return reverse(f"cases:{name}", kwargs={"pk": case.pk})


@pytest.fixture
def as_coordinator(client, signed_in):
    user = coordinator()
    signed_in(user)
    client.user = user
    return client


def review_post(case, goals, scores, **data):
    return {
        "version": fresh(case).version,
        "reviewed_on": f"{days_ago(1):%d/%m/%Y}",
        "summary": "Back at college three days a week.",
        "reassessment_needed": "no",
        **{f"score_{goal.pk}": str(score) for goal, score in zip(goals, scores, strict=True)},
        **data,
    }


# The review form -------------------------------------------------------------------------


def test_the_review_form_asks_for_a_score_for_each_goal_in_a_named_fieldset(as_coordinator):
    case, goals = planned_case(goals=2)
    page = as_coordinator.get(url("review_add", case)).content.decode()
    for goal in goals:
        assert f"Goal {goal.position}: {goal.title}</legend>" in page
    assert page.count('class="govuk-fieldset"') >= 3  # two goals and the reassessment question
    assert "Expected outcome (0): Attends college three days a week." in page
    assert "Much more than expected (+2): Attends every day and has joined a club." in page
    for text in ["Date of review", "For example, 27/3/2026", "Does the person need reassessing?"]:
        assert text in page
    assert "Save review" in page


def test_recording_a_review_through_the_form(as_coordinator):
    case, goals = planned_case(goals=2)
    response = as_coordinator.post(url("review_add", case), review_post(case, goals, [1, 0]))
    assert response.status_code == 302
    assert response["Location"] == url("plan", case)
    recorded = Review.objects.get(case=case)
    assert recorded.reviewed_on == days_ago(1)
    assert str(recorded.t_score) == "54.0"
    assert fresh(case).next_review_due == days_ago(1) + dt.timedelta(weeks=6)
    page = as_coordinator.get(response["Location"]).content.decode()
    assert "Review recorded. GAS T-score 54.0." in page


def test_a_review_asking_for_reassessment_shows_the_prompt(as_coordinator):
    case, goals = planned_case(goals=1)
    response = as_coordinator.post(
        url("review_add", case),
        review_post(case, goals, [-1], reassessment_needed="yes"),
        follow=True,
    )
    page = response.content.decode()
    assert "A reassessment is prompted." in page
    assert "Reassessment prompted" in page
    assert "Start a reassessment" in page


def test_a_review_missing_a_score_says_which_and_keeps_the_rest(as_coordinator):
    case, goals = planned_case(goals=2)
    data = review_post(case, goals, [1, 0], summary="My careful summary")
    del data[f"score_{goals[1].pk}"]
    response = as_coordinator.post(url("review_add", case), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Select a score for goal {goals[1].position}" in page
    assert "My careful summary" in page
    assert re.search(rf'name="score_{goals[0].pk}" value="1"[^>]*checked', page)
    assert not Review.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the date of the review"),
        ("31/2/2026", "must be a real date"),
        ("1/1/99999", "must be a real date"),
        ("tomorrow", "must be a real date"),
    ],
)
def test_a_bad_review_date_is_explained(as_coordinator, typed, message):
    case, goals = planned_case(goals=1)
    response = as_coordinator.post(
        url("review_add", case), review_post(case, goals, [0], reviewed_on=typed)
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_review_dated_in_the_future_is_refused(as_coordinator):
    case, goals = planned_case(goals=1)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = as_coordinator.post(
        url("review_add", case), review_post(case, goals, [0], reviewed_on=f"{tomorrow:%d/%m/%Y}")
    )
    assert "The date of the review must be today or in the past" in response.content.decode()


def test_a_score_outside_the_scale_is_refused(as_coordinator):
    case, goals = planned_case(goals=1)
    response = as_coordinator.post(url("review_add", case), review_post(case, goals, [5]))
    assert response.status_code == 200
    assert f"Select a score for goal {goals[0].position}" in response.content.decode()


def test_a_stale_review_form_is_refused_keeping_what_was_typed(as_coordinator):
    case, goals = planned_case(goals=1)
    data = review_post(case, goals, [2], summary="Typed before the other change")
    review(case, {goals[0]: 0})  # someone else records a review first
    response = as_coordinator.post(url("review_add", case), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this case" in page
    assert "Typed before the other change" in page
    assert Review.objects.filter(case=case).count() == 1


def test_a_goal_added_meanwhile_must_be_scored_too(as_coordinator):
    case, goals = planned_case(goals=1)
    data = review_post(case, goals, [1])
    added = add_goal(case, title="Joined a club")
    response = as_coordinator.post(url("review_add", case), data)
    assert response.status_code == 200
    assert f"Select a score for goal {added.position}" in response.content.decode()
    assert not Review.objects.filter(case=case).exists()


def test_the_review_form_waits_for_goals(as_coordinator):
    case, _ = planned_case(goals=0)
    page = as_coordinator.get(url("review_add", case)).content.decode()
    assert "Add at least one goal" in page
    assert "Save review" not in page


def test_viewing_the_review_form_is_audited(as_coordinator):
    case, _ = planned_case(goals=1)
    as_coordinator.get(url("review_add", case))
    assert AuditEvent.objects.filter(
        action="cases.case.view", object_id=str(case.pk), reason="Support plan: review"
    ).exists()


# The reviews-due list --------------------------------------------------------------------


def due_case(due_in_days: int, status=CaseStatus.ACTIVE) -> Case:
    case = open_case(status=status)
    Case.objects.filter(pk=case.pk).update(
        next_review_due=timezone.localdate() + dt.timedelta(days=due_in_days)
    )
    return case


def test_the_list_shows_overdue_and_soon_due_reviews_soonest_first(as_coordinator):
    later = due_case(10)
    overdue = due_case(-5)
    today = due_case(0)
    too_far = due_case(15)
    closed = due_case(-3, status=CaseStatus.CLOSED)
    ended = due_case(-3, status=CaseStatus.ESCALATED)
    page = as_coordinator.get(REVIEWS_DUE).content.decode()
    assert page.index(overdue.reference) < page.index(today.reference) < page.index(later.reference)
    for absent in (too_far, closed, ended):
        assert absent.reference not in page
    assert "Overdue by 5 days" in page
    assert "Due today" in page
    assert "Due in 10 days" in page
    assert "3 cases with a review due" in page


def test_the_list_shows_the_last_review_date(as_coordinator):
    case, [goal] = planned_case(goals=1)
    review(case, {goal: 0}, reviewed_on=days_ago(50))
    Case.objects.filter(pk=case.pk).update(next_review_due=days_ago(8))
    page = as_coordinator.get(REVIEWS_DUE).content.decode()
    assert f"{days_ago(50):%-d %B %Y}" in page


def test_the_list_names_no_one(as_coordinator):
    case = due_case(-1)
    page = as_coordinator.get(REVIEWS_DUE).content.decode()
    assert case.reference in page
    assert case.first_name not in page
    assert case.last_name not in page


def test_an_empty_list_says_so(as_coordinator):
    page = as_coordinator.get(REVIEWS_DUE).content.decode()
    assert "No reviews are due" in page


def test_a_mentor_without_matches_sees_no_case(client, signed_in):
    due_case(-1)
    signed_in(create_user("mentor"))
    response = client.get(REVIEWS_DUE)
    assert response.status_code == 200
    assert "No reviews are due" in response.content.decode()


@pytest.mark.parametrize("role", ["referrer", "supervisor", "board_member", "administrator"])
def test_roles_without_a_case_list_are_refused(client, signed_in, role):
    signed_in(create_user(role))
    assert client.get(REVIEWS_DUE).status_code == 403


@pytest.mark.parametrize("page", ["2", "999", "abc", "-1", "\u0661"])
def test_any_page_number_answers(as_coordinator, page):
    for n in range(27):
        due_case(n % 14)
    response = as_coordinator.get(REVIEWS_DUE, {"page": page})
    assert response.status_code == 200


def test_the_list_paginates(as_coordinator):
    for n in range(30):
        due_case(-n)
    first = as_coordinator.get(REVIEWS_DUE).content.decode()
    second = as_coordinator.get(REVIEWS_DUE, {"page": 2}).content.decode()
    assert first.count('scope="row"') == 25
    assert second.count('scope="row"') == 5
    assert "govuk-pagination" in first


def test_the_lists_query_count_does_not_grow_with_cases(as_coordinator):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert as_coordinator.get(REVIEWS_DUE).status_code == 200
        return len(captured)

    due_case(-1)
    few = count()
    for n in range(20):
        case, [goal] = planned_case(goals=1)
        review(case, {goal: 0}, reviewed_on=days_ago(50 + n))
    many = count()
    assert few == many


def test_the_reviews_due_list_sorts_by_column_on_the_server_and_ignores_unknown_orders(
    as_coordinator,
):
    later, overdue, today = due_case(10), due_case(-5), due_case(0)

    def order(query):
        response = as_coordinator.get(REVIEWS_DUE + query)
        assert response.status_code == 200
        return [row["case"].reference for row in response.context["rows"]]

    soonest = [overdue.reference, today.reference, later.reference]
    assert order("") == soonest
    assert order("?sort=due_desc") == soonest[::-1]
    assert order("?sort=reference") == sorted(soonest)
    for nonsense in ("?sort=name", "?sort=-next_review_due", "?sort=%00", "?sort=due&sort=x"):
        assert order(nonsense) == soonest
    page = as_coordinator.get(REVIEWS_DUE + "?sort=due_desc&page=2").content.decode()
    assert 'data-module="moj-sortable-table"' in page
    assert 'aria-sort="descending"><a class="govuk-link" href="?sort=due">Next review due' in page


def test_sorting_the_reviews_due_list_costs_no_more_queries(as_coordinator):
    for days in (-4, 1, 6):
        due_case(days)
    with CaptureQueriesContext(connection) as default:
        as_coordinator.get(REVIEWS_DUE)
    for days in (-2, 3, 8, 9, 12):
        due_case(days)
    for sort in ("status", "last_review", "due_desc"):
        with CaptureQueriesContext(connection) as sorted_:
            as_coordinator.get(f"{REVIEWS_DUE}?sort={sort}")
        assert len(sorted_) == len(default), sort
