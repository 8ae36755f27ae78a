# ruff: noqa: RUF001
"""The plan page and the plan and goal forms: who may see and change them, what they
show, bad input and stale forms keeping what was typed, and audited views."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseStatus, Goal, SupportPlan
from tandem.cases.services import plans as services

from .factories_plans import (
    LEVEL_TEXT,
    add_goal,
    coordinator,
    days_ago,
    fresh,
    open_case,
    planned_case,
    review,
    write_plan,
)

pytestmark = pytest.mark.django_db


def url(name, case, query=""):
    return reverse(f"cases:{name}", kwargs={"pk": case.pk}) + query


@pytest.fixture
def as_coordinator(client, signed_in):
    user = coordinator()
    signed_in(user)
    client.user = user
    return client


def plan_post(case, **data):
    return {
        "version": fresh(case).version,
        "approach": "interventionist",
        "intended_style": "4",
        "frequency": "fortnightly",
        "summary": "Challenge the grievance narrative with facts.",
        **data,
    }


def goal_post(case, **data):
    return {
        "version": fresh(case).version,
        "title": "Back to college",
        "owner": "person",
        "weight": "2",
        **LEVEL_TEXT,
        **data,
    }


# Permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan", "plan_edit", "goal_add", "review_add", "close"])
def test_a_referrer_is_refused_even_for_their_own_referral(client, signed_in, name):
    referrer = create_user("referrer")
    case = open_case(referred_by=referrer)
    signed_in(referrer)
    assert client.get(url(name, case)).status_code == 403


@pytest.mark.parametrize("name", ["plan", "plan_edit", "goal_add", "review_add", "close"])
def test_a_mentor_without_a_match_cannot_find_the_case(client, signed_in, name):
    case = open_case()
    signed_in(create_user("mentor"))
    assert client.get(url(name, case)).status_code == (404 if name == "plan" else 403)


def test_a_mentor_posting_to_a_plan_form_changes_nothing(client, signed_in):
    case = open_case()
    signed_in(create_user("mentor"))
    response = client.post(url("plan_edit", case), plan_post(case))
    assert response.status_code == 403
    assert not SupportPlan.objects.filter(case=case).exists()


def test_a_coordinator_sees_any_cases_plan(as_coordinator):
    case, _ = planned_case(goals=1)
    assert as_coordinator.get(url("plan", case)).status_code == 200


def test_a_case_that_does_not_exist_is_not_found(as_coordinator):
    assert as_coordinator.get("/cases/999999/plan/").status_code == 404


# The plan page ---------------------------------------------------------------------------


def test_the_plan_page_shows_the_plan_the_goals_and_their_levels(as_coordinator):
    case, [goal] = planned_case(goals=1)
    page = as_coordinator.get(url("plan", case)).content.decode()
    assert "Befriending" in page
    assert "2 – Mostly empathetic" in page
    assert "Weekly" in page
    assert "football on Saturdays" in page
    assert f"Goal 1: {goal.title}" in page
    for label in [
        "Much less than expected (−2)",
        "Less than expected (−1)",
        "Expected outcome (0)",
        "More than expected (+1)",
        "Much more than expected (+2)",
    ]:
        assert label in page
    for text in LEVEL_TEXT.values():
        assert text in page
    assert "Change the plan" in page
    assert "Add goal" in page
    assert "Record a review" in page
    assert "moj-sub-navigation" in page


def test_the_plan_page_shows_reviews_newest_first_with_scores_and_t_scores(as_coordinator):
    case, [first, second] = planned_case(goals=2)
    review(case, {first: -1, second: 0}, reviewed_on=days_ago(50), summary="Older review text")
    review(case, {first: 2, second: 1}, reviewed_on=days_ago(5), summary="Newer review text")
    page = as_coordinator.get(url("plan", case)).content.decode()
    assert page.index("Newer review text") < page.index("Older review text")
    assert "Much more than expected (+2)" in page
    assert "GAS T-score" in page
    assert "66.1" in page  # weights 1 and 2 at +2 and +1: 50 + 40/√(3.5 + 2.7)
    assert "46.0" in page  # at -1 and 0: 50 - 10/√6.2


def test_an_overdue_review_is_flagged(as_coordinator):
    case, _ = planned_case(goals=1)
    case.next_review_due = days_ago(3)
    case.save(update_fields=["next_review_due"])
    page = as_coordinator.get(url("plan", case)).content.decode()
    assert "Next review due" in page
    assert "Overdue" in page


def test_a_case_without_a_plan_says_so_and_offers_to_write_one(as_coordinator):
    case = open_case()
    page = as_coordinator.get(url("plan", case)).content.decode()
    assert "No support plan has been written yet." in page
    assert "Write the plan" in page
    assert "There are no goals yet." in page
    assert "No reviews have been recorded yet." in page
    assert "Add goal" not in page


def test_a_referred_case_offers_no_plan_yet(as_coordinator):
    case = open_case(status=CaseStatus.REFERRED)
    page = as_coordinator.get(url("plan", case)).content.decode()
    assert "A plan can be written from assessment until the case ends." in page
    assert "Write the plan" not in page


def test_every_view_of_the_plan_page_is_audited(as_coordinator):
    case, _ = planned_case(goals=1)
    for _ in range(2):
        as_coordinator.get(url("plan", case))
    events = AuditEvent.objects.filter(action="cases.case.view", object_id=str(case.pk))
    assert events.count() == 2
    assert {e.reason for e in events} == {"Support plan and reviews"}
    assert {e.actor for e in events} == {as_coordinator.user}


def test_the_plan_page_names_no_person(as_coordinator):
    case, _ = planned_case(goals=1)
    page = as_coordinator.get(url("plan", case)).content.decode()
    assert case.reference in page
    assert case.first_name not in page


def count_queries(client, path) -> int:
    """Queries to answer ``path``, leaving out data-key look-ups: outside a test's open
    transaction each key is unwrapped once and cached, so in use they do not repeat."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return sum(1 for q in captured if "core_datakey" not in q["sql"])


def test_the_plan_pages_queries_do_not_grow_with_goals_and_reviews(as_coordinator):
    small, [goal] = planned_case(goals=1)
    review(small, {goal: 0})
    big, goals = planned_case(goals=5)
    for _ in range(4):
        review(big, dict.fromkeys(goals, 1))
    add_goal(big)
    services.goal_deactivate(
        actor=coordinator(), case=fresh(big), goal=goals[0], expected_version=None
    )
    assert count_queries(as_coordinator, url("plan", small)) == count_queries(
        as_coordinator, url("plan", big)
    )


def test_a_reassessment_prompt_links_to_a_new_assessment(as_coordinator):
    case, [goal] = planned_case(goals=1)
    review(case, {goal: -2}, reassessment_needed=True)
    page = as_coordinator.get(url("plan", case)).content.decode()
    assert "Reassessment prompted" in page
    assert reverse("assessments:create", kwargs={"pk": case.pk}) in page


def test_no_reassessment_prompt_when_the_review_did_not_ask(as_coordinator):
    case, [goal] = planned_case(goals=1)
    review(case, {goal: 0}, reassessment_needed=False)
    assert "Reassessment prompted" not in as_coordinator.get(url("plan", case)).content.decode()


# Writing and changing the plan -----------------------------------------------------------


def test_the_plan_form_has_the_labels_the_journey_uses(as_coordinator):
    case = open_case()
    page = as_coordinator.get(url("plan_edit", case)).content.decode()
    for text in ["Approach", "Intended style", "How often will they meet?", "Save plan"]:
        assert text in page
    assert "5 – Confrontational" in page


def test_writing_the_plan_through_the_form(as_coordinator):
    case = open_case()
    response = as_coordinator.post(url("plan_edit", case), plan_post(case))
    assert response.status_code == 302
    assert response["Location"] == url("plan", case)
    plan = SupportPlan.objects.get(case=case)
    assert (plan.approach, plan.intended_style, plan.frequency) == (
        "interventionist",
        4,
        "fortnightly",
    )
    page = as_coordinator.get(response["Location"]).content.decode()
    assert f"The support plan for {case.reference} is written." in page


def test_a_plan_form_missing_answers_says_what_is_wrong_and_keeps_the_rest(as_coordinator):
    case = open_case()
    data = plan_post(case)
    del data["approach"]
    response = as_coordinator.post(url("plan_edit", case), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select the approach" in page
    assert "Challenge the grievance narrative with facts." in page
    assert re.search(r'name="intended_style" value="4"[^>]*checked', page)
    assert not SupportPlan.objects.filter(case=case).exists()


def test_a_stale_plan_form_is_refused_keeping_what_was_typed(as_coordinator):
    case = open_case()
    write_plan(case)
    data = plan_post(case, summary="My careful new summary")
    write_plan(case, approach="mixed")  # someone else saves first
    response = as_coordinator.post(url("plan_edit", case), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this case" in page
    assert "My careful new summary" in page
    assert f'value="{fresh(case).version}"' in page  # a second submission is deliberate
    assert SupportPlan.objects.get(case=case).approach == "mixed"
    # Sending it again saves it.
    data["version"] = fresh(case).version
    assert as_coordinator.post(url("plan_edit", case), data).status_code == 302
    assert SupportPlan.objects.get(case=case).summary == "My careful new summary"


def test_a_tampered_version_is_refused_plainly(as_coordinator):
    case = open_case()
    response = as_coordinator.post(url("plan_edit", case), plan_post(case, version="abc"))
    assert response.status_code == 200
    assert "This form is out of date" in response.content.decode()


def test_the_plan_form_explains_when_the_case_is_not_ready(as_coordinator):
    case = open_case(status=CaseStatus.SCREENING)
    page = as_coordinator.get(url("plan_edit", case)).content.decode()
    assert "can be changed from assessment until the case ends" in page
    assert "Save plan" not in page
    as_coordinator.post(url("plan_edit", case), plan_post(case))
    assert not SupportPlan.objects.filter(case=case).exists()


def test_the_plan_form_shows_the_current_plan(as_coordinator):
    case = open_case()
    write_plan(case)
    page = as_coordinator.get(url("plan_edit", case)).content.decode()
    assert "Change the support plan" in page
    assert "football on Saturdays" in page


# Goals -----------------------------------------------------------------------------------


def test_the_goal_form_has_the_labels_the_journey_uses(as_coordinator):
    case, _ = planned_case(goals=0)
    page = as_coordinator.get(url("goal_add", case)).content.decode()
    for text in [
        "Goal",
        "Who owns this goal?",
        "Weight",
        "Much less than expected (−2)",
        "Less than expected (−1)",
        "Expected outcome (0)",
        "More than expected (+1)",
        "Much more than expected (+2)",
        "Save goal",
        "The person",
        "The mentor",
        "The referrer",
        "The family",
    ]:
        assert text in page


def test_adding_a_goal_through_the_form(as_coordinator):
    case, _ = planned_case(goals=0)
    response = as_coordinator.post(url("goal_add", case), goal_post(case))
    assert response.status_code == 302
    goal = Goal.objects.get(case=case)
    assert (goal.title, goal.weight, goal.level_0) == (
        "Back to college",
        2,
        LEVEL_TEXT["level_0"],
    )


def test_a_goal_missing_a_level_says_which_and_keeps_the_others(as_coordinator):
    case, _ = planned_case(goals=0)
    response = as_coordinator.post(
        url("goal_add", case), goal_post(case, level_plus_1="", weight="12")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Describe what more than expected (+1) looks like" in page
    assert "The weight must be from 1 to 10" in page
    assert LEVEL_TEXT["level_plus_2"] in page
    assert 'value="12"' in page
    assert not Goal.objects.filter(case=case).exists()


def test_goals_wait_for_the_plan(as_coordinator):
    case = open_case()
    page = as_coordinator.get(url("goal_add", case)).content.decode()
    assert "Write the support plan first." in page
    as_coordinator.post(url("goal_add", case), goal_post(case))
    assert not Goal.objects.filter(case=case).exists()


def test_the_goal_edit_page_without_a_goal_goes_back_to_the_plan(as_coordinator):
    case, _ = planned_case(goals=1)
    response = as_coordinator.get(url("goal_edit", case))
    assert response.status_code == 302
    assert response["Location"] == url("plan", case)


@pytest.mark.parametrize("value", ["abc", "", "-1", "١", "99999999999999999999", "1.5"])
def test_a_malformed_goal_id_is_not_found(as_coordinator, value):
    case, _ = planned_case(goals=1)
    assert as_coordinator.get(url("goal_edit", case, f"?goal={value}")).status_code == 404


def test_a_goal_of_another_case_is_not_found(as_coordinator):
    case, _ = planned_case(goals=1)
    _, [theirs] = planned_case(goals=1)
    assert as_coordinator.get(url("goal_edit", case, f"?goal={theirs.pk}")).status_code == 404
    response = as_coordinator.post(
        url("goal_edit", case), {**goal_post(case, title="Hijack"), "goal": theirs.pk}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title != "Hijack"


def test_changing_a_goal_through_the_form(as_coordinator):
    case, [goal] = planned_case(goals=1)
    page = as_coordinator.get(url("goal_edit", case, f"?goal={goal.pk}")).content.decode()
    assert "Change goal 1" in page
    assert goal.title in page
    response = as_coordinator.post(
        url("goal_edit", case), {**goal_post(case, title="Full-time college"), "goal": goal.pk}
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Full-time college"


def test_changing_a_scored_goal_warns_that_scores_keep_their_meaning(as_coordinator):
    case, [goal] = planned_case(goals=1)
    review(case, {goal: 0})
    page = as_coordinator.get(url("goal_edit", case, f"?goal={goal.pk}")).content.decode()
    assert "This goal has been scored in 1 review." in page


def test_stopping_using_a_goal_keeps_it_on_the_plan_page(as_coordinator):
    case, [goal, _other] = planned_case(goals=2)
    response = as_coordinator.post(
        url("goal_edit", case),
        {"goal": goal.pk, "deactivate": "1", "version": fresh(case).version},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.is_active is False
    page = as_coordinator.get(url("plan", case)).content.decode()
    assert "Goals no longer in use (1)" in page
    assert goal.title in page
    edit = as_coordinator.get(url("goal_edit", case, f"?goal={goal.pk}")).content.decode()
    assert "no longer in use" in edit
    assert "Save goal" not in edit


def test_a_stale_deactivation_is_refused(as_coordinator):
    case, [goal] = planned_case(goals=1)
    seen = fresh(case).version
    add_goal(case)
    response = as_coordinator.post(
        url("goal_edit", case), {"goal": goal.pk, "deactivate": "1", "version": seen}
    )
    assert response.status_code == 200
    assert "Someone else changed this case" in response.content.decode()
    goal.refresh_from_db()
    assert goal.is_active


def test_viewing_a_goal_to_change_it_is_audited(as_coordinator):
    case, [goal] = planned_case(goals=1)
    as_coordinator.get(url("goal_edit", case, f"?goal={goal.pk}"))
    assert AuditEvent.objects.filter(
        action="cases.case.view", object_id=str(case.pk), reason="Support plan: goal"
    ).exists()
