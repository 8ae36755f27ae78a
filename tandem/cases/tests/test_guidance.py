"""Guided case work: the next task the case page offers and the intake task list, from
the pure rules (every status) to the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import create_user
from tandem.cases.guidance import (
    CANNOT_START,
    COMPLETED,
    NOT_NEEDED,
    NOT_STARTED,
    Facts,
    case_facts,
    intake_tasks,
    next_task,
    waiting_on_others,
)
from tandem.cases.models import CaseStatus
from tandem.core.tests.pages import assert_page_obeys_csp

from .factories import consented, make_case

S = CaseStatus
INTAKE_DONE = Facts(screened=True, consent=True, assessed=True, plan=True)


@pytest.mark.parametrize(
    ("status", "facts", "text", "url_name"),
    [
        (S.REFERRED, Facts(), "Screen the referral", "cases:screen"),
        (S.SCREENING, Facts(), "Screen the referral", "cases:screen"),
        (S.SCREENING, Facts(screened=True), "Record consent", "cases:consent"),
        (S.ASSESSMENT, Facts(screened=True), "Record consent", "cases:consent"),
        (
            S.ASSESSMENT,
            Facts(screened=True, consent=True),
            "Start the assessment",
            "assessments:create",
        ),
        (
            S.ASSESSMENT,
            Facts(screened=True, consent=True, assessed=True),
            "Write the plan",
            "cases:plan_edit",
        ),
        (S.ASSESSMENT, INTAKE_DONE, "Mark as ready for a match", "cases:act"),
        (S.AWAITING_MATCH, INTAKE_DONE, "Find a mentor", "matching:suggestions"),
        (
            S.MATCHED,
            Facts(plan=True, match_status="accepted", match_id=7),
            "Record the first meeting",
            "matching:match_start",
        ),
        (S.ACTIVE, Facts(), "Write the plan", "cases:plan_edit"),
        (S.ACTIVE, Facts(plan=True, review_due=True), "Record a review", "cases:review_add"),
        (S.CLOSING, Facts(), "Close the case", "cases:close"),
        (S.ON_HOLD, Facts(), "Resume support", "cases:act"),
    ],
)
def test_the_next_task_follows_the_status_and_what_is_done(status, facts, text, url_name):
    task = next_task(5, status, facts)
    assert (task.text, task.url_name) == (text, url_name)


def test_the_first_meeting_task_names_the_match_and_the_ready_task_the_move():
    facts = Facts(plan=True, match_status="accepted", match_id=7)
    assert next_task(5, S.MATCHED, facts).url_kwargs == (("pk", 7),)
    ready = next_task(5, S.ASSESSMENT, INTAKE_DONE)
    assert ready.url_kwargs == (("pk", 5),) and ready.query == "action=complete_assessment"


@pytest.mark.parametrize(
    "status", [S.CLOSED, S.NOT_SUITABLE, S.CONSENT_DECLINED, S.CONSENT_WITHDRAWN, S.ESCALATED]
)
def test_an_ended_case_has_no_task_and_its_open_intake_steps_are_not_needed(status):
    assert next_task(5, status, Facts(screened=True)) is None
    statuses = [item.status for item in intake_tasks(5, status, Facts(screened=True))]
    assert statuses == [COMPLETED, NOT_NEEDED, NOT_NEEDED, NOT_NEEDED]


def test_a_proposal_waiting_for_the_mentor_leaves_no_task_but_says_why():
    facts = Facts(match_status="proposed", match_id=3, plan=True)
    assert next_task(5, S.AWAITING_MATCH, facts) is None
    assert "waits for their answer" in waiting_on_others(S.AWAITING_MATCH, facts)
    assert waiting_on_others(S.AWAITING_MATCH, Facts()) == ""


def test_the_intake_task_list_shows_what_can_start_and_what_cannot_yet():
    fresh = intake_tasks(5, S.REFERRED, Facts())
    assert [i.status for i in fresh] == [NOT_STARTED, NOT_STARTED, CANNOT_START, CANNOT_START]
    assert fresh[0].task.url_name == "cases:screen" and fresh[2].task is None

    consented_only = intake_tasks(5, S.ASSESSMENT, Facts(screened=True, consent=True))
    assert [i.status for i in consented_only] == [COMPLETED, COMPLETED, NOT_STARTED, NOT_STARTED]

    done = intake_tasks(5, S.AWAITING_MATCH, INTAKE_DONE)
    assert all(item.done for item in done) and all(item.task is None for item in done)


@pytest.mark.django_db
def test_case_facts_read_consent_screening_and_plan_from_the_case():
    case = make_case(status=S.SCREENING, screening_outcome="clear")
    assert case_facts(case) == Facts(screened=True)
    consented(case)
    assert case_facts(case).consent is True


@pytest.mark.django_db
def test_the_case_page_offers_the_next_task_as_a_button_and_the_intake_as_a_task_list(
    client, signed_in
):
    case = consented(make_case(status=S.ASSESSMENT, screening_outcome="clear"))
    signed_in(create_user("coordinator"))

    response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))

    page = assert_page_obeys_csp(response)
    buttons = page.find("a", role="button")
    assert [b["href"] for b in buttons] == [reverse("assessments:create", kwargs={"pk": case.pk})]
    assert "govuk-button" in buttons[0]["class"]
    items = page.find("li", **{"class": "govuk-task-list__item"}) + page.find(
        "li", **{"class": "govuk-task-list__item govuk-task-list__item--with-link"}
    )
    assert len(items) == 4
    html = response.content.decode()
    assert ">Start the assessment</a>" in html
    assert "2 of 4 intake tasks completed." in html
    assert html.count("Completed</div>") == 2


@pytest.mark.django_db
def test_the_status_page_reached_from_a_task_has_the_suggested_move_chosen(client, signed_in):
    case = consented(make_case(status=S.ASSESSMENT))
    signed_in(create_user("coordinator"))
    url = reverse("cases:act", kwargs={"pk": case.pk})

    page = assert_page_obeys_csp(client.get(url + "?action=complete_assessment"))
    assert "checked" in page.find("input", value="complete_assessment")[0]
    # A move the case cannot make now is ignored, not an error.
    page = assert_page_obeys_csp(client.get(url + "?action=close"))
    assert not any("checked" in radio for radio in page.find("input", type="radio"))


@pytest.mark.django_db
def test_ready_for_a_match_without_consent_is_refused_saying_what_is_missing(client, signed_in):
    case = make_case(status=S.ASSESSMENT)
    signed_in(create_user("coordinator"))

    response = client.post(
        reverse("cases:act", kwargs={"pk": case.pk}),
        {"action": "complete_assessment", "reason": "", "version": case.version},
    )

    assert response.status_code == 200
    assert "Record the person&#x27;s consent: none is in force." in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.ASSESSMENT
