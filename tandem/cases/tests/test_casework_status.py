"""Status changes from the status page: which moves it offers, the reasons they need,
side exits that end the case properly, and two coordinators changing the same case at
once (one succeeds; the other is told and loses nothing they typed)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from tandem.audit.models import AuditEvent
from tandem.cases.lifecycle import ACTIONS
from tandem.cases.models import CaseEvent, CaseStatus
from tandem.cases.services.lifecycle import LifecycleRefused, case_change_status

from .factories import make_case
from .factories_referrals import coordinator, refer, screened_in

pytestmark = pytest.mark.django_db


def act_url(case):
    return reverse("cases:act", args=[case.pk])


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


def offered(client, case) -> set[str]:
    body = client.get(act_url(case)).content.decode()
    return {name for name in ACTIONS if f'value="{name}"' in body}


def test_the_status_url_is_where_the_brief_says():
    assert reverse("cases:act", args=[3]) == "/cases/3/status/"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (CaseStatus.REFERRED, set()),
        (CaseStatus.SCREENING, {"escalate"}),
        (CaseStatus.ASSESSMENT, {"complete_assessment", "start_closing", "escalate", "hold"}),
        (
            CaseStatus.AWAITING_MATCH,
            {"start_closing", "escalate", "hold"},
        ),  # matching moves the rest
        (CaseStatus.ACTIVE, {"start_closing", "escalate", "hold"}),
        (CaseStatus.ON_HOLD, {"resume", "escalate"}),
        (CaseStatus.CLOSING, {"escalate"}),
        (CaseStatus.CLOSED, set()),
    ],
)
def test_the_page_offers_the_moves_without_a_page_of_their_own(client, staff, status, expected):
    case = make_case(status=status)
    assert offered(client, case) == expected


def test_a_case_with_no_moves_here_says_so_and_points_elsewhere(client, staff):
    case = refer()
    body = client.get(act_url(case)).content.decode()
    assert "No change of status can be made on this page" in body
    assert reverse("cases:screen", args=[case.pk]) in body


def test_the_page_has_its_button_label(client, staff):
    case = screened_in(refer(), by=staff)
    body = client.get(act_url(case)).content.decode()
    assert "Change status</button>" in body
    assert body.count("<h1") == 1


def test_a_move_is_applied_and_recorded_with_who_when_and_why(client, staff):
    case = screened_in(refer(), by=staff)
    response = client.post(
        act_url(case),
        {
            "action": "complete_assessment",
            "reason": "Assessment signed off",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_MATCH
    event = CaseEvent.objects.get(case=case, kind="status.complete_assessment")
    assert event.actor == staff and event.reason == "Assessment signed off"
    assert (event.from_status, event.to_status) == (
        CaseStatus.ASSESSMENT,
        CaseStatus.AWAITING_MATCH,
    )


@pytest.mark.parametrize("action", ["hold", "escalate"])
def test_hold_and_escalation_need_a_reason(client, staff, action):
    case = screened_in(refer(), by=staff)
    body = client.post(
        act_url(case), {"action": action, "reason": " ", "version": case.version}
    ).content.decode()
    assert "Enter the reason for" in body
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT
    with pytest.raises(LifecycleRefused, match="Give the reason"):
        case_change_status(actor=staff, case=case, action=action)


def test_hold_remembers_the_status_and_resume_returns_to_it(client, staff):
    case = screened_in(refer(), by=staff)
    case = case_change_status(actor=staff, case=case, action="complete_assessment")
    client.post(act_url(case), {"action": "hold", "reason": "In hospital", "version": case.version})
    case.refresh_from_db()
    assert (
        case.status == CaseStatus.ON_HOLD and case.status_before_hold == CaseStatus.AWAITING_MATCH
    )
    assert "was awaiting a match" in client.get(act_url(case)).content.decode()
    client.post(act_url(case), {"action": "resume", "version": case.version})
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_MATCH and case.status_before_hold == ""


def test_escalation_ends_the_case_with_its_outcome(client, staff):
    case = screened_in(refer(), by=staff)
    client.post(
        act_url(case),
        {"action": "escalate", "reason": "Referred to the police", "version": case.version},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ESCALATED
    assert case.closure_outcome == "escalated"
    assert case.closed_by == staff and case.closed_at is not None
    audit = AuditEvent.objects.get(action="case.escalate")
    assert {"status", "closure_outcome", "closed_at", "closed_by"} <= set(audit.changed_fields)


def test_a_move_the_case_cannot_make_is_refused_by_the_form(client, staff):
    case = refer()
    body = client.post(act_url(case), {"action": "close", "version": case.version}).content.decode()
    assert "Select a change this case can make now" in body
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED


@pytest.mark.parametrize("role", ["referrer", "mentor", "supervisor"])
def test_only_coordinators_change_the_status(client, signed_in, make_user, role):
    user = make_user(role)
    case = make_case(referred_by=user, status=CaseStatus.ASSESSMENT)
    signed_in(user)
    response = client.post(act_url(case), {"action": "hold", "reason": "x", "version": 1})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


# Two coordinators at once --------------------------------------------------------------


def test_two_coordinators_one_succeeds_the_other_is_told_and_keeps_what_they_typed():
    case = screened_in(refer())
    first, second = Client(), Client()
    sign_in(first, coordinator())
    sign_in(second, coordinator())
    # Both load the same form, at the same version.
    for browser in (first, second):
        page = browser.get(act_url(case)).content.decode()
        assert f'name="version" value="{case.version}"' in page
    seen = case.version

    ok = first.post(act_url(case), {"action": "complete_assessment", "reason": "", "version": seen})
    assert ok.status_code == 302

    refused = second.post(
        act_url(case),
        {"action": "hold", "reason": "The second coordinator's careful reason", "version": seen},
    )
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "Someone else changed this case while you were working on it" in body
    assert "The second coordinator&#x27;s careful reason" in body
    # Hold is still possible from the new status, so the choice is kept.
    assert re.search(r'<input type="radio" name="action" value="hold"[^>]* checked', body)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_MATCH  # the second change was not applied
    assert f'name="version" value="{case.version}"' in body
    assert not CaseEvent.objects.filter(case=case, kind="status.hold").exists()

    # Having seen the case as it is now, the second coordinator can send it again.
    again = second.post(
        act_url(case),
        {
            "action": "hold",
            "reason": "The second coordinator's careful reason",
            "version": case.version,
        },
    )
    assert again.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ON_HOLD


def test_a_choice_the_new_status_no_longer_allows_must_be_made_again():
    case = screened_in(refer())
    first, second = Client(), Client()
    sign_in(first, coordinator())
    sign_in(second, coordinator())
    seen = case.version
    first.post(act_url(case), {"action": "escalate", "reason": "Police", "version": seen})
    body = second.post(
        act_url(case), {"action": "hold", "reason": "Typed reason", "version": seen}
    ).content.decode()
    assert "Someone else changed this case" in body
    assert "Typed reason" in body
    assert not re.search(r'value="hold"[^>]* checked', body)
    case.refresh_from_db()
    assert case.status == CaseStatus.ESCALATED
