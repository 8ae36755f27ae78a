"""The closure page (start closing, then close), the follow-up form, and the follow-ups-due
list: permissions, bad input and stale forms keeping what was typed, scope and query
count."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.cases.cadence import follow_up_dates
from tandem.cases.models import Case, CaseStatus, FollowUp
from tandem.cases.services import plans as services

from .factories_plans import close_case, coordinator, days_ago, fresh, open_case

pytestmark = pytest.mark.django_db

FOLLOW_UPS_DUE = reverse("cases:follow_ups_due")


def url(name, case, query=""):
    return reverse(f"cases:{name}", kwargs={"pk": case.pk}) + query


@pytest.fixture
def as_coordinator(client, signed_in):
    user = coordinator()
    signed_in(user)
    client.user = user
    return client


def close_post(case, **data):
    return {
        "step": "close",
        "version": fresh(case).version,
        "outcome": "completed",
        "closing_report": "All goals met; back in college full time.",
        "closed_on": f"{timezone.localdate():%d/%m/%Y}",
        **data,
    }


# Starting to close and closing -----------------------------------------------------------


def test_an_active_case_offers_to_start_closing(as_coordinator):
    case = open_case(status=CaseStatus.ACTIVE)
    page = as_coordinator.get(url("close", case)).content.decode()
    assert "Start closing" in page
    assert "Close case" not in page


def test_starting_to_close_moves_the_case_to_closing(as_coordinator):
    case = open_case(status=CaseStatus.ACTIVE)
    response = as_coordinator.post(
        url("close", case),
        {"step": "start_closing", "version": case.version, "reason": "Goals met"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("close", case)
    case = fresh(case)
    assert case.status == CaseStatus.CLOSING
    event = case.events.get(kind="status.start_closing")
    assert event.reason == "Goals met"
    page = as_coordinator.get(response["Location"]).content.decode()
    assert "is closing" in page
    for text in ["Outcome", "Closing report", "Date closed", "Close case"]:
        assert text in page


def test_closing_through_the_form_schedules_the_follow_ups(as_coordinator):
    case = open_case(status=CaseStatus.CLOSING)
    response = as_coordinator.post(url("close", case), close_post(case))
    assert response.status_code == 302
    assert response["Location"] == url("plan", case)
    case = fresh(case)
    assert case.status == CaseStatus.CLOSED
    assert case.closure_outcome == "completed"
    due = follow_up_dates(timezone.localdate())
    assert {f.kind: f.due_on for f in FollowUp.objects.filter(case=case)} == due
    page = as_coordinator.get(response["Location"]).content.decode()
    assert f"{case.reference} is closed. Follow-ups are due on" in page
    assert "All goals met; back in college full time." in page
    assert "6 months after closure" in page
    assert "12 months after closure" in page
    assert "Scheduled" in page


def test_closing_without_outcome_or_report_says_so_and_keeps_the_rest(as_coordinator):
    case = open_case(status=CaseStatus.CLOSING)
    response = as_coordinator.post(
        url("close", case), close_post(case, outcome="", closing_report="Half a report")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select the outcome of the case" in page
    assert "Half a report" in page
    response = as_coordinator.post(url("close", case), close_post(case, closing_report=" "))
    page = response.content.decode()
    assert "Enter the closing report" in page
    assert re.search(r'name="outcome" value="completed"[^>]*checked', page)
    assert fresh(case).status == CaseStatus.CLOSING


def test_a_closure_date_in_the_future_is_refused(as_coordinator):
    case = open_case(status=CaseStatus.CLOSING)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = as_coordinator.post(
        url("close", case), close_post(case, closed_on=f"{tomorrow:%d/%m/%Y}")
    )
    assert "must be today or in the past" in response.content.decode()
    assert fresh(case).status == CaseStatus.CLOSING


def test_a_stale_closing_form_is_refused_keeping_the_report(as_coordinator):
    case = open_case(status=CaseStatus.CLOSING)
    data = close_post(case, closing_report="A long report typed with care")
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)  # someone else
    response = as_coordinator.post(url("close", case), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this case" in page
    assert "A long report typed with care" in page
    assert fresh(case).status == CaseStatus.CLOSING


def test_closing_a_case_someone_else_moved_on_is_refused(as_coordinator):
    case = open_case(status=CaseStatus.ACTIVE)
    response = as_coordinator.post(url("close", case), close_post(case))
    assert response.status_code == 200
    assert "Someone else changed this case" in response.content.decode()
    assert fresh(case).status == CaseStatus.ACTIVE


def test_a_stale_start_closing_is_refused(as_coordinator):
    case = open_case(status=CaseStatus.ACTIVE)
    seen = case.version
    Case.objects.filter(pk=case.pk).update(version=seen + 1)
    response = as_coordinator.post(url("close", case), {"step": "start_closing", "version": seen})
    assert "Someone else changed this case" in response.content.decode()
    assert fresh(case).status == CaseStatus.ACTIVE


@pytest.mark.parametrize(
    "status", [CaseStatus.REFERRED, CaseStatus.SCREENING, CaseStatus.NOT_SUITABLE]
)
def test_cases_that_cannot_be_closed_here_say_why(as_coordinator, status):
    case = open_case(status=status)
    response = as_coordinator.get(url("close", case))
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be closed here" in page
    assert "Start closing" not in page
    as_coordinator.post(url("close", case), {"step": "start_closing", "version": case.version})
    assert fresh(case).status == status


def test_a_closed_case_says_when_it_closed(as_coordinator):
    case = close_case(open_case(), closed_on=days_ago(3))
    page = as_coordinator.get(url("close", case)).content.decode()
    assert "was closed on" in page


def test_an_unknown_step_changes_nothing(as_coordinator):
    case = open_case(status=CaseStatus.CLOSING)
    response = as_coordinator.post(url("close", case), {**close_post(case), "step": "explode"})
    assert response.status_code == 200
    assert fresh(case).status == CaseStatus.CLOSING


@pytest.mark.parametrize("role", ["referrer", "mentor", "supervisor", "evaluator"])
def test_only_coordinators_may_close(client, signed_in, role):
    user = create_user(role)
    case = open_case(status=CaseStatus.CLOSING, referred_by=user if role == "referrer" else None)
    signed_in(user)
    assert client.post(url("close", case), close_post(case)).status_code == 403
    assert fresh(case).status == CaseStatus.CLOSING


# Follow-ups ------------------------------------------------------------------------------


def follow_up_post(case, follow_up, **data):
    return {
        "version": fresh(case).version,
        "follow_up": follow_up.pk,
        "completed_on": f"{timezone.localdate():%d/%m/%Y}",
        "notes": "Working; no contact with the group.",
        "re_referred": "no",
        **data,
    }


def test_the_follow_up_form_preselects_the_follow_up_from_the_link(as_coordinator):
    case = close_case(open_case(), closed_on=days_ago(200))
    six = case.follow_ups.get(kind="6m")
    page = as_coordinator.get(url("follow_up", case, f"?follow_up={six.pk}")).content.decode()
    assert re.search(rf'value="{six.pk}"[^>]*checked', page)
    for text in ["Which follow-up?", "Date of follow-up", "Record follow-up"]:
        assert text in page


@pytest.mark.parametrize("value", ["x", "", "\u0661", "123456789012"])
def test_a_malformed_follow_up_in_the_link_is_ignored(as_coordinator, value):
    case = close_case(open_case(), closed_on=days_ago(200))
    assert as_coordinator.get(url("follow_up", case, f"?follow_up={value}")).status_code == 200


def test_recording_a_follow_up_through_the_form(as_coordinator):
    case = close_case(open_case(), closed_on=days_ago(200))
    six = case.follow_ups.get(kind="6m")
    response = as_coordinator.post(
        url("follow_up", case), follow_up_post(case, six, re_referred="yes")
    )
    assert response.status_code == 302
    six.refresh_from_db()
    assert six.completed_on == timezone.localdate()
    assert six.re_referred is True
    page = as_coordinator.get(url("plan", case)).content.decode()
    assert "Working; no contact with the group." in page
    assert "Done" in page


def test_a_follow_up_missing_answers_keeps_what_was_typed(as_coordinator):
    case = close_case(open_case(), closed_on=days_ago(200))
    six = case.follow_ups.get(kind="6m")
    data = follow_up_post(case, six, notes="Careful notes")
    del data["re_referred"]
    response = as_coordinator.post(url("follow_up", case), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select yes if the person has been referred again" in page
    assert "Careful notes" in page


def test_a_follow_up_of_another_case_cannot_be_chosen(as_coordinator):
    case = close_case(open_case(), closed_on=days_ago(200))
    other = close_case(open_case(), closed_on=days_ago(200))
    theirs = other.follow_ups.get(kind="6m")
    response = as_coordinator.post(url("follow_up", case), follow_up_post(case, theirs))
    assert response.status_code == 200
    assert "Select which follow-up this is" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.completed_on is None


def test_a_done_follow_up_is_no_longer_offered(as_coordinator):
    case = close_case(open_case(), closed_on=days_ago(365))
    for follow_up in case.follow_ups.all():
        as_coordinator.post(url("follow_up", case), follow_up_post(case, follow_up))
    page = as_coordinator.get(url("follow_up", case)).content.decode()
    assert "Every follow-up of" in page
    assert "Record follow-up" not in page


def test_a_case_without_follow_ups_says_when_they_come(as_coordinator):
    case = open_case()
    page = as_coordinator.get(url("follow_up", case)).content.decode()
    assert "They are scheduled when the case is closed" in page


# The follow-ups-due list -----------------------------------------------------------------


def closed_on(days: int) -> Case:
    """A case closed ``days`` ago (its follow-ups fall due 6 and 12 months later)."""
    return close_case(
        open_case(received_at=timezone.now() - dt.timedelta(days=800)), closed_on=days_ago(days)
    )


def test_the_list_shows_follow_ups_due_or_overdue_and_not_done(as_coordinator):
    overdue = closed_on(200)  # 6-month follow-up overdue
    soon = closed_on(175)  # 6-month follow-up due within 14 days
    not_yet = closed_on(30)
    done = closed_on(210)
    six = done.follow_ups.get(kind="6m")
    services.follow_up_record(
        actor=coordinator(),
        case=fresh(done),
        follow_up=six,
        completed_on=timezone.localdate(),
        notes="Fine",
        re_referred=False,
        expected_version=None,
    )
    page = as_coordinator.get(FOLLOW_UPS_DUE).content.decode()
    assert page.index(overdue.reference) < page.index(soon.reference)
    assert not_yet.reference not in page
    assert done.reference not in page
    assert "Overdue by" in page
    assert "Due in" in page
    assert "2 follow-ups due" in page


def test_both_follow_ups_of_a_long_closed_case_are_listed(as_coordinator):
    case = closed_on(380)
    page = as_coordinator.get(FOLLOW_UPS_DUE).content.decode()
    assert page.count(case.reference) == 2
    assert "6 months after closure" in page
    assert "12 months after closure" in page


def test_the_follow_ups_list_names_no_one(as_coordinator):
    case = closed_on(200)
    page = as_coordinator.get(FOLLOW_UPS_DUE).content.decode()
    assert case.reference in page
    assert case.first_name not in page


def test_an_empty_follow_ups_list_says_so(as_coordinator):
    assert "No follow-ups are due" in as_coordinator.get(FOLLOW_UPS_DUE).content.decode()


def test_a_mentor_sees_no_follow_ups(client, signed_in):
    closed_on(200)
    signed_in(create_user("mentor"))
    response = client.get(FOLLOW_UPS_DUE)
    assert response.status_code == 200
    assert "No follow-ups are due" in response.content.decode()


def test_a_referrer_is_refused_the_follow_ups_list(client, signed_in):
    signed_in(create_user("referrer"))
    assert client.get(FOLLOW_UPS_DUE).status_code == 403


def test_the_follow_ups_lists_query_count_does_not_grow(as_coordinator):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert as_coordinator.get(FOLLOW_UPS_DUE, {"page": "1"}).status_code == 200
        return len(captured)

    closed_on(200)
    few = count()
    for n in range(15):
        closed_on(190 + n)
    many = count()
    assert few == many


def test_the_follow_ups_due_list_sorts_by_column_on_the_server(as_coordinator):
    overdue, soon = closed_on(200), closed_on(175)

    def order(query):
        response = as_coordinator.get(FOLLOW_UPS_DUE + query)
        assert response.status_code == 200
        return [row["follow_up"].case.reference for row in response.context["rows"]]

    assert order("") == [overdue.reference, soon.reference]
    assert order("?sort=due_desc") == [soon.reference, overdue.reference]
    assert order("?sort=reference") == sorted([overdue.reference, soon.reference])
    assert order("?sort=due_on%27") == [overdue.reference, soon.reference]
