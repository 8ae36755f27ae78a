"""Screening: clear vulnerability, possible vulnerability with limited information, or
not appropriate (with a reason, ending the case properly)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent, CaseStatus
from tandem.cases.services.screening import ScreeningRefused, consent_record, screening_record

from .factories import make_case
from .factories_referrals import coordinator, refer, screened_in

pytestmark = pytest.mark.django_db


def screen_url(case):
    return reverse("cases:screen", args=[case.pk])


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


def test_the_screening_page_has_its_outcomes_and_button(client, staff):
    case = refer()
    body = client.get(screen_url(case)).content.decode()
    assert body.count("<h1") == 1
    for text in (
        "Clear vulnerability",
        "Possible vulnerability, limited information",
        "Not appropriate",
        "Save screening",
        f'name="version" value="{case.version}"',
    ):
        assert text in body, text


@pytest.mark.parametrize("outcome", ["clear", "possible"])
def test_screening_a_referred_case_in_moves_it_to_screening(client, staff, outcome):
    case = refer()
    response = client.post(
        screen_url(case),
        {"outcome": outcome, "notes": "Spoke to the school", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENING
    assert case.screening_outcome == outcome
    assert case.screening_notes == "Spoke to the school"
    assert case.screened_by == staff and case.screened_at is not None
    event = CaseEvent.objects.get(case=case, kind="status.start_screening")
    assert (event.from_status, event.to_status) == (CaseStatus.REFERRED, CaseStatus.SCREENING)
    assert "Screening recorded" in event.summary


def test_screening_again_during_screening_updates_the_outcome_without_a_move(staff):
    case = screening_record(actor=staff, case=refer(), outcome="possible")
    case = screening_record(actor=staff, case=case, outcome="clear", notes="More information")
    assert case.status == CaseStatus.SCREENING and case.screening_outcome == "clear"
    assert CaseEvent.objects.filter(case=case, kind="screening.recorded").count() == 1
    audit = AuditEvent.objects.filter(action="case.screening_record").get()
    assert "screening_notes" in audit.changed_fields
    assert "More information" not in str(audit.changed_fields)


def test_not_appropriate_needs_a_reason_and_keeps_the_notes(client, staff):
    case = refer()
    body = client.post(
        screen_url(case),
        {"outcome": "not_appropriate", "notes": "My typed notes", "version": case.version},
    ).content.decode()
    assert "Enter why the referral is not appropriate" in body
    assert "My typed notes" in body
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED
    with pytest.raises(ScreeningRefused, match="reason"):
        screening_record(actor=staff, case=case, outcome="not_appropriate", reason=" ")


@pytest.mark.parametrize("start", [CaseStatus.REFERRED, CaseStatus.SCREENING])
def test_not_appropriate_ends_the_case_properly(client, staff, start):
    case = refer()
    if start == CaseStatus.SCREENING:
        case = screening_record(actor=staff, case=case, outcome="possible")
    client.post(
        screen_url(case),
        {
            "outcome": "not_appropriate",
            "reason": "Needs a mental health service instead",
            "version": case.version,
        },
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_SUITABLE
    assert case.closure_outcome == "not_suitable"
    assert case.closed_by == staff and case.closed_at is not None
    assert case.screening_outcome == "not_appropriate"
    event = CaseEvent.objects.get(case=case, kind="status.screen_out")
    assert event.reason == "Needs a mental health service instead"
    assert event.to_status == CaseStatus.NOT_SUITABLE
    audit = AuditEvent.objects.get(action="case.screen_out")
    assert {"status", "closure_outcome", "closed_at", "closed_by"} <= set(audit.changed_fields)


def test_a_case_past_screening_cannot_be_screened_again(client, staff):
    case = screened_in(refer(), by=staff)
    assert case.status == CaseStatus.ASSESSMENT
    body = client.get(screen_url(case)).content.decode()
    assert "can no longer be changed" in body
    assert "Save screening" not in body
    response = client.post(screen_url(case), {"outcome": "clear", "version": case.version})
    assert "cannot be screened" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_screening_after_consent_was_given_moves_on_to_assessment(staff):
    case = refer()
    consent_record(
        actor=staff,
        case=case,
        decision="given",
        given_by="person",
        giver_name="Sam Carter",
        decided_on=timezone.localdate(),
        method="phone",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED
    case = screening_record(actor=staff, case=case, outcome="clear")
    assert case.status == CaseStatus.ASSESSMENT
    moves = list(
        CaseEvent.objects.filter(case=case)
        .exclude(to_status="")
        .order_by("occurred_at", "pk")
        .values_list("from_status", "to_status")
    )
    assert moves == [
        (CaseStatus.REFERRED, CaseStatus.SCREENING),
        (CaseStatus.SCREENING, CaseStatus.ASSESSMENT),
    ]


def test_a_stale_screening_form_is_refused_and_keeps_what_was_typed(client, staff):
    case = refer()
    seen = case.version
    screening_record(actor=coordinator(), case=case, outcome="possible")
    response = client.post(
        screen_url(case),
        {"outcome": "clear", "notes": "What I typed carefully", "version": seen},
    )
    body = response.content.decode()
    assert "Someone else changed this case" in body
    assert "What I typed carefully" in body
    case.refresh_from_db()
    assert case.screening_outcome == "possible"
    assert f'name="version" value="{case.version}"' in body  # a second try applies


@pytest.mark.parametrize("version", ["", "abc", "0", "99999999999999999999", "٣"])
def test_a_broken_version_field_is_an_error_not_a_crash(client, staff, version):
    case = refer()
    response = client.post(screen_url(case), {"outcome": "clear", "version": version})
    assert response.status_code == 200
    assert "The form was incomplete" in response.content.decode()


def test_an_unknown_outcome_is_refused(client, staff):
    case = refer()
    body = client.post(
        screen_url(case), {"outcome": "maybe", "version": case.version}
    ).content.decode()
    assert "Select an outcome from the list" in body
    with pytest.raises(ScreeningRefused):
        screening_record(actor=staff, case=case, outcome="maybe")


@pytest.mark.parametrize("role", ["referrer", "mentor", "supervisor"])
def test_only_coordinators_screen(client, signed_in, make_user, role):
    user = make_user(role)
    case = make_case(referred_by=user)
    signed_in(user)
    response = client.post(screen_url(case), {"outcome": "clear", "version": case.version})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED


def test_when_someone_else_ended_the_case_meanwhile_what_was_typed_is_still_shown(client, staff):
    case = refer()
    seen = case.version
    screening_record(actor=coordinator(), case=case, outcome="not_appropriate", reason="No")
    body = client.post(
        screen_url(case),
        {"outcome": "clear", "notes": "Notes I must not lose", "version": seen},
    ).content.decode()
    assert "Someone else changed this case" in body
    assert "What you entered has not been saved" in body
    assert "Notes I must not lose" in body
    assert "Save screening" not in body  # the case has ended: no form to send again


def test_opening_a_screening_with_notes_is_audited_as_a_view(client, staff):
    case = screening_record(actor=staff, case=refer(), outcome="possible", notes="Private notes")
    body = client.get(screen_url(case)).content.decode()
    assert "Private notes" in body
    view = AuditEvent.objects.get(action="cases.case.view")
    assert view.actor == staff and view.reason == "screening"
