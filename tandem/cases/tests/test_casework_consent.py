"""Consent: who gave it (the person, or a parent or guardian for a child), when, how,
a capacity note; declining ends the case; withdrawal at any time stops support and
ends the case properly while keeping the record."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent, CaseStatus, Consent
from tandem.cases.selectors import current_consent
from tandem.cases.services.lifecycle import case_change_status
from tandem.cases.services.screening import (
    ScreeningRefused,
    consent_record,
    consent_withdraw,
    screening_record,
)

from .factories import make_case
from .factories_referrals import coordinator, refer, refer_child, screened_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def consent_url(case):
    return reverse("cases:consent", args=[case.pk])


def withdraw_url(case):
    return reverse("cases:consent_withdraw", args=[case.pk])


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


def in_screening(case, by, outcome="clear"):
    return screening_record(actor=by, case=case, outcome=outcome)


def posted(case, **overrides):
    data = {
        "decision": "given",
        "given_by": "parent",
        "giver_name": "Pat Bloggs",
        "decided_on": TODAY().strftime("%d/%m/%Y"),
        "method": "in_person",
        "capacity_note": "Understood what mentoring involves",
        "version": case.version,
    }
    data.update(overrides)
    return data


def test_the_consent_page_has_the_labels_the_journeys_use(client, staff):
    case = in_screening(refer_child(), staff)
    body = client.get(consent_url(case)).content.decode()
    assert body.count("<h1") == 1
    for text in (
        "The person themself",
        "A parent",
        "A guardian or carer with parental responsibility",
        "Record consent",
        "For example, 27/3/2026",
        "consent must come from a parent or a guardian",
    ):
        assert text in body, text


def test_a_guardians_consent_for_a_15_year_old_moves_the_case_to_assessment(client, staff):
    case = in_screening(refer_child(), staff)
    assert case.age_at_referral == 15
    response = client.post(consent_url(case), posted(case, given_by="guardian"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT
    consent = Consent.objects.get(case=case)
    assert consent.decision == "given" and consent.given_by == "guardian"
    assert consent.giver_name == "Pat Bloggs"
    assert consent.recorded_by == staff
    assert consent.capacity_note == "Understood what mentoring involves"
    summaries = list(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert "Consent given by a guardian or carer (in person)" in summaries
    assert "Pat Bloggs" not in " ".join(summaries)
    audit = AuditEvent.objects.get(action="case.consent_record")
    assert "consents.giver_name" in audit.changed_fields
    assert "Pat" not in str(audit.changed_fields)
    assert AuditEvent.objects.filter(action="case.screen_in").exists()


def test_a_child_cannot_consent_for_themself_and_the_form_keeps_what_was_typed(client, staff):
    case = in_screening(refer_child(), staff)
    body = client.post(
        consent_url(case), posted(case, given_by="person", giver_name="Jo Bloggs")
    ).content.decode()
    assert "The person is under 16: select a parent, or a guardian or carer" in body
    assert 'value="Jo Bloggs"' in body
    assert "Understood what mentoring involves" in body
    assert not Consent.objects.exists()
    with pytest.raises(ScreeningRefused, match="under 16"):
        consent_record(
            actor=staff,
            case=case,
            decision="given",
            given_by="person",
            giver_name="Jo",
            decided_on=TODAY(),
            method="phone",
        )


def test_an_adult_consents_for_themself(client, staff):
    case = in_screening(refer(), staff, outcome="possible")
    client.post(consent_url(case), posted(case, given_by="person", giver_name="Sam Carter"))
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_consent_during_screening_without_an_outcome_waits_for_the_screening(staff):
    case = refer()
    consent_record(
        actor=staff,
        case=case,
        decision="given",
        given_by="person",
        giver_name="Sam",
        decided_on=TODAY(),
        method="phone",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED
    assert current_consent(case) is not None


def test_declined_consent_ends_the_case_with_an_outcome(client, staff):
    case = in_screening(refer(), staff)
    client.post(
        consent_url(case),
        posted(case, decision="declined", given_by="person", giver_name="Sam Carter"),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CONSENT_DECLINED
    assert case.closure_outcome and case.closed_at and case.closed_by == staff
    event = CaseEvent.objects.get(case=case, kind="status.decline_consent")
    assert event.to_status == CaseStatus.CONSENT_DECLINED
    assert Consent.objects.get(case=case).decision == "declined"


def test_declining_before_screening_or_after_support_began_is_refused(staff):
    for case, message in (
        (refer(), "Record the screening first"),
        (screened_in(refer(), by=staff), "record a withdrawal of consent instead"),
    ):
        with pytest.raises(ScreeningRefused, match=message):
            consent_record(
                actor=staff,
                case=case,
                decision="declined",
                given_by="person",
                giver_name="Sam",
                decided_on=TODAY(),
                method="phone",
            )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ((dt.date.today() + dt.timedelta(days=3)).strftime("%d/%m/%Y"), "today or in the past"),
        ("32/1/2026", "must be a real date"),
        ("", "Enter the date of the decision"),
    ],
)
def test_bad_decision_dates_are_refused(client, staff, typed, message):
    case = in_screening(refer_child(), staff)
    body = client.post(consent_url(case), posted(case, decided_on=typed)).content.decode()
    assert message in body
    assert not Consent.objects.exists()


def test_a_decision_before_the_referral_arrived_is_refused(client, staff):
    case = in_screening(refer_child(), staff)
    earlier = (TODAY() - dt.timedelta(days=30)).strftime("%d/%m/%Y")
    body = client.post(consent_url(case), posted(case, decided_on=earlier)).content.decode()
    assert "cannot be before the referral arrived" in body
    assert 'value="Pat Bloggs"' in body


def test_an_ended_case_takes_no_consent(client, staff):
    case = make_case(status=CaseStatus.NOT_SUITABLE, closure_outcome="not_suitable")
    body = client.get(consent_url(case)).content.decode()
    assert "consent can no longer be recorded" in body
    assert "Record consent</button>" not in body


def test_a_stale_consent_form_is_refused_and_keeps_what_was_typed(client, staff):
    case = in_screening(refer_child(), staff)
    seen = case.version
    screening_record(actor=coordinator(), case=case, outcome="possible")
    body = client.post(
        consent_url(case), posted(case, version=seen, capacity_note="Careful capacity note")
    ).content.decode()
    assert "Someone else changed this case" in body
    assert "Careful capacity note" in body and 'value="Pat Bloggs"' in body
    assert not Consent.objects.exists()


def test_consent_names_and_notes_are_not_stored_in_plain_text(staff):
    case = in_screening(refer_child(), staff)
    consent = consent_record(
        actor=staff,
        case=case,
        decision="given",
        given_by="parent",
        giver_name="Distinctivename Parent",
        decided_on=TODAY(),
        method="written",
        capacity_note="Distinctive capacity note",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT giver_name, capacity_note FROM cases_consent WHERE id = %s", [consent.pk]
        )
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "Distinctivename" not in raw and "Distinctive capacity" not in raw


# Withdrawal ----------------------------------------------------------------------------


def test_the_withdraw_page_has_its_button(client, staff):
    case = screened_in(refer(), by=staff)
    body = client.get(withdraw_url(case)).content.decode()
    assert "Withdraw consent</button>" in body
    assert body.count("<h1") == 1


@pytest.mark.parametrize("path", ["assessment", "awaiting_match", "on_hold"])
def test_withdrawing_consent_stops_support_and_ends_the_case_keeping_the_record(
    client, staff, path
):
    case = screened_in(refer_child(), by=staff)
    if path in ("awaiting_match", "on_hold"):
        case = case_change_status(actor=staff, case=case, action="complete_assessment")
    if path == "on_hold":
        case = case_change_status(actor=staff, case=case, action="hold", reason="Exams")
    response = client.post(
        withdraw_url(case),
        {
            "withdrawn_on": TODAY().strftime("%d/%m/%Y"),
            "reason": "Family moved away",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CONSENT_WITHDRAWN
    assert case.closure_outcome == "consent_withdrawn"
    assert case.closed_by == staff and case.closed_at is not None
    consent = Consent.objects.get(case=case)  # kept, marked withdrawn
    assert consent.withdrawn_on == TODAY()
    assert consent.withdrawal_reason == "Family moved away"
    assert consent.withdrawal_recorded_by == staff
    assert not consent.is_current
    event = CaseEvent.objects.get(case=case, kind="status.withdraw_consent")
    assert event.reason == "Family moved away"
    assert AuditEvent.objects.filter(action="case.consent_withdraw").exists()
    assert AuditEvent.objects.filter(action="case.withdraw_consent").exists()


def test_a_withdrawal_needs_a_reason_and_keeps_the_date(client, staff):
    case = screened_in(refer(), by=staff)
    typed = TODAY().strftime("%d/%m/%Y")
    body = client.post(
        withdraw_url(case), {"withdrawn_on": typed, "reason": "  ", "version": case.version}
    ).content.decode()
    assert "Enter the reason consent was withdrawn" in body
    assert f'value="{typed}"' in body
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_withdrawing_before_assessment_marks_the_consent_and_leaves_the_status(staff):
    case = refer()
    consent_record(
        actor=staff,
        case=case,
        decision="given",
        given_by="person",
        giver_name="Sam",
        decided_on=TODAY(),
        method="phone",
    )
    case = consent_withdraw(actor=staff, case=case, withdrawn_on=TODAY(), reason="Changed mind")
    assert case.status == CaseStatus.REFERRED
    assert current_consent(case) is None
    assert CaseEvent.objects.filter(case=case, kind="consent.withdrawn").exists()


def test_there_is_nothing_to_withdraw_without_consent(client, staff):
    case = refer()
    body = client.get(withdraw_url(case)).content.decode()
    assert "no consent in force" in body
    with pytest.raises(ScreeningRefused, match="no consent in force"):
        consent_withdraw(actor=staff, case=case, withdrawn_on=TODAY(), reason="x")


def test_a_withdrawal_cannot_predate_the_consent(staff):
    case = screened_in(refer(), by=staff)
    with pytest.raises(ScreeningRefused, match="before consent was given"):
        consent_withdraw(
            actor=staff, case=case, withdrawn_on=TODAY() - dt.timedelta(days=5), reason="x"
        )


def test_a_stale_withdrawal_is_refused_and_keeps_the_reason(client, staff):
    case = screened_in(refer(), by=staff)
    seen = case.version
    case_change_status(actor=coordinator(), case=case, action="complete_assessment")
    body = client.post(
        withdraw_url(case),
        {
            "withdrawn_on": TODAY().strftime("%d/%m/%Y"),
            "reason": "My careful reason",
            "version": seen,
        },
    ).content.decode()
    assert "Someone else changed this case" in body
    assert "My careful reason" in body
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_MATCH


@pytest.mark.parametrize("role", ["referrer", "mentor"])
def test_only_coordinators_record_or_withdraw_consent(client, signed_in, make_user, role):
    user = make_user(role)
    case = make_case(referred_by=user, status=CaseStatus.SCREENING)
    signed_in(user)
    assert client.post(consent_url(case), posted(case)).status_code == 403
    assert client.post(withdraw_url(case), {"reason": "x"}).status_code == 403
    assert not Consent.objects.exists()
