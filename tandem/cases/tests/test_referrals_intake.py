"""Referral intake: the form, the service, possible duplicates through the blind index,
encryption at rest, the audit trail and the coordinators' notification."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.models import Case, CaseEvent, CaseStatus
from tandem.cases.services.referrals import ReferralRefused, referral_submit
from tandem.catalogues.models import ConcernType, ReferralSource
from tandem.core.models import Notification

from .factories_referrals import (
    child_data,
    coordinator,
    form_data,
    post_referral,
    refer,
    referral_data,
    referrer,
    years_ago,
)

pytestmark = pytest.mark.django_db

REFER = "/cases/refer/"


def test_the_refer_url_is_where_the_brief_says():
    assert reverse("cases:refer") == REFER


# The form ------------------------------------------------------------------------------


def test_the_form_has_the_labels_and_button_the_journeys_use(client, signed_in):
    signed_in(referrer())
    body = client.get(REFER).content.decode()
    assert body.count("<h1") == 1
    for label in (
        "First name",
        "Last name",
        "Date of birth",
        "Reason for referral",
        "Concern type",
        "Urgency",
    ):
        assert f">{label}" in body, label
    assert ">Continue</button>" in body
    # The guardian's questions are always shown, with the hint saying when they matter.
    assert "Parent or guardian&#x27;s name" in body
    assert "Parent or guardian&#x27;s name (optional)" not in body  # needed for children
    assert body.count("Needed when the person is under 18") >= 3
    assert "aria-expanded" not in body  # no conditional reveals


def test_a_referrer_submits_a_referral_and_lands_on_its_status_page(client, signed_in):
    user = referrer()
    signed_in(user)
    response = post_referral(client, form_data())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:referral_status", args=[case.pk])
    assert case.referred_by == user
    assert case.status == CaseStatus.REFERRED
    assert case.first_name == "Sam" and case.last_name == "Carter"
    assert case.age_at_referral == 25
    assert case.accepts_online is True
    assert [lang.name for lang in case.languages.all()] == ["English"]
    assert case.reference.startswith(f"T-{timezone.localdate().year}-")
    follow = client.get(response["Location"])
    assert f"Referral {case.reference} has been received" in follow.content.decode()


def test_a_coordinator_entering_a_referral_lands_on_the_case_record(client, signed_in):
    signed_in(coordinator())
    response = post_referral(client, form_data())
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])


def test_the_form_remembers_the_referrers_organisation(client, signed_in):
    user = referrer()
    refer(
        by=user,
        referrer_organisation="Example Academy",
        referral_source=ReferralSource.objects.get(code="school"),
    )
    signed_in(user)
    body = client.get(REFER).content.decode()
    assert 'value="Example Academy"' in body


def test_an_empty_post_shows_every_required_error(client, signed_in):
    signed_in(referrer())
    response = client.post(REFER, {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    for message in (
        "Enter the person&#x27;s first name",
        "Enter the person&#x27;s date of birth",
        "Enter the reason for referral",
        "Select a concern type",
        "Select the urgency",
        "Select whether online sessions are acceptable",
        "Enter the name of the referring organisation",
    ):
        assert message in body, message
    assert not Case.objects.exists()


def test_invalid_input_keeps_what_was_typed(client, signed_in):
    signed_in(referrer())
    data = form_data(reason="Worrying posts online")
    del data["date_of_birth"]
    data.update(date_of_birth_0="31", date_of_birth_1="02", date_of_birth_2="2010")
    body = client.post(REFER, data).content.decode()
    assert "Date of birth must be a real date" in body
    assert 'name="date_of_birth_0" id="id_date_of_birth_0" value="31"' in body
    assert 'name="date_of_birth_1" id="id_date_of_birth_1" value="02"' in body
    assert "Worrying posts online" in body
    assert 'value="Sam"' in body
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
            "Date of birth must be in the past",
        ),
        ("1/1/1850", "cannot be older than 120"),
        ("not a date", "Date of birth must be a real date"),
        ("1/1/99999", "Year must include 4 numbers"),
    ],
)
def test_impossible_dates_of_birth_are_refused(client, signed_in, typed, message):
    signed_in(referrer())
    response = client.post(REFER, form_data(date_of_birth=typed))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_an_iso_date_is_accepted_too(client, signed_in):
    signed_in(referrer())
    post_referral(client, form_data(date_of_birth=years_ago(30).isoformat()))
    assert Case.objects.get().age_at_referral == 30


def test_an_under_18_needs_a_parent_or_guardian(client, signed_in):
    signed_in(referrer())
    response = client.post(
        REFER, form_data(date_of_birth=years_ago(15).strftime("%d/%m/%Y"), first_name="Jo")
    )
    body = response.content.decode()
    assert "Enter the name of a parent or guardian: the person is under 18" in body
    assert "Enter the parent or guardian&#x27;s relationship" in body
    assert "Enter contact details for the parent or guardian" in body
    assert 'value="Jo"' in body
    assert not Case.objects.exists()


def test_an_under_18_with_a_guardian_is_accepted_and_is_a_child(client, signed_in):
    signed_in(referrer())
    post_referral(
        client,
        form_data(
            date_of_birth=years_ago(15).strftime("%d/%m/%Y"),
            guardian_name="Pat Bloggs",
            guardian_relationship="Mother",
            guardian_contact="07700 900111",
        ),
    )
    case = Case.objects.get()
    assert case.age_at_referral == 15 and case.is_child
    assert case.guardian_name == "Pat Bloggs"


def test_an_18th_birthday_today_makes_an_adult():
    case = refer(date_of_birth=years_ago(18))
    assert case.age_at_referral == 18 and not case.is_child


def test_an_inactive_concern_type_cannot_be_chosen(client, signed_in):
    retired = ConcernType.objects.create(code="retired", name="Retired type", is_active=False)
    signed_in(referrer())
    body = client.post(REFER, form_data(concern_type=str(retired.pk))).content.decode()
    assert "Select a concern type from the list" in body
    with pytest.raises(ReferralRefused, match="concern type"):
        referral_submit(actor=referrer(), data=referral_data(concern_type=retired))


def test_the_service_refuses_what_the_form_would(db):
    user = referrer()
    with pytest.raises(ReferralRefused, match="under 18"):
        referral_submit(actor=user, data=child_data(guardian_contact=" "))
    with pytest.raises(ReferralRefused, match="past"):
        referral_submit(
            actor=user,
            data=referral_data(date_of_birth=timezone.localdate() + dt.timedelta(days=1)),
        )
    with pytest.raises(ReferralRefused, match="120"):
        referral_submit(actor=user, data=referral_data(date_of_birth=dt.date(1850, 1, 1)))
    assert not Case.objects.exists()


@pytest.mark.parametrize("role", ["mentor", "supervisor", "board_member", "administrator"])
def test_roles_without_the_referral_rule_cannot_refer(client, signed_in, make_user, role):
    signed_in(make_user(role))
    assert client.get(REFER).status_code == 403
    assert client.post(REFER, form_data()).status_code == 403
    assert not Case.objects.exists()


# What the service records --------------------------------------------------------------


def test_a_referral_is_on_the_timeline_and_in_the_audit_log_by_field_name_only():
    user = referrer()
    case = refer(by=user)
    event = CaseEvent.objects.get(case=case)
    assert event.summary == "Referral received"
    assert event.actor == user
    audit = AuditEvent.objects.get(action="case.referral_submit")
    assert audit.object_id == str(case.pk) and audit.actor == user
    assert "first_name" in audit.changed_fields and "reason" in audit.changed_fields
    assert "Sam" not in str(audit.changed_fields)


def test_coordinators_are_notified_on_commit_with_the_reference_only(
    django_capture_on_commit_callbacks,
):
    staff = [coordinator(), coordinator()]
    inactive = coordinator(is_active=False, deactivated_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = refer(urgency="urgent")
    assert not Notification.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    notes = Notification.objects.all()
    assert {n.user for n in notes} == set(staff)
    assert inactive not in {n.user for n in notes}
    for note in notes:
        assert case.reference in note.message
        assert "urgent" in note.message.lower()
        assert "Sam" not in note.message and "Carter" not in note.message
        assert note.link == reverse("cases:detail", args=[case.pk])


def test_names_date_of_birth_and_reason_are_not_stored_in_plain_text():
    case = refer(
        first_name="Zebedee",
        last_name="Quixotic",
        reason="Distinctive narrative text",
        date_of_birth=dt.date(1990, 7, 14),
        guardian_name="Guardianname",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_name, last_name, date_of_birth, reason, guardian_name, identity_index "
            "FROM cases_case WHERE id = %s",
            [case.pk],
        )
        raw = " ".join(str(v) for v in cursor.fetchone())
    for plain in ("Zebedee", "Quixotic", "1990-07-14", "Distinctive", "Guardianname"):
        assert plain not in raw
    assert case.identity_index and len(case.identity_index) == 64


# Possible duplicates -------------------------------------------------------------------


def test_the_same_name_and_date_of_birth_in_another_case_and_spacing_is_flagged():
    first = refer(first_name="Amina", last_name="Khan", date_of_birth=dt.date(2008, 3, 2))
    second = refer(first_name="  AMINA ", last_name="khan", date_of_birth=dt.date(2008, 3, 2))
    assert second.possible_duplicate_of == first
    assert second.duplicate_decision == "pending"
    first.refresh_from_db()
    assert first.possible_duplicate_of is None  # the earlier case is left alone
    assert Case.objects.count() == 2  # never merged
    assert CaseEvent.objects.filter(
        case=second, kind="referral.possible_duplicate", summary__contains=first.reference
    ).exists()


def test_a_different_date_of_birth_is_not_a_duplicate():
    refer(first_name="Amina", last_name="Khan", date_of_birth=dt.date(2008, 3, 2))
    other = refer(first_name="Amina", last_name="Khan", date_of_birth=dt.date(2008, 3, 3))
    assert other.possible_duplicate_of is None
    assert other.duplicate_decision == ""


def test_the_most_recent_earlier_case_is_the_one_flagged():
    refer(first_name="Lee", last_name="Wong", date_of_birth=dt.date(1999, 1, 1))
    middle = refer(first_name="Lee", last_name="Wong", date_of_birth=dt.date(1999, 1, 1))
    last = refer(first_name="Lee", last_name="Wong", date_of_birth=dt.date(1999, 1, 1))
    assert last.possible_duplicate_of == middle


def test_a_duplicate_is_mentioned_to_coordinators_without_names(
    django_capture_on_commit_callbacks,
):
    coordinator()
    refer(first_name="Amina", last_name="Khan", date_of_birth=dt.date(2008, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        second = refer(first_name="Amina", last_name="Khan", date_of_birth=dt.date(2008, 3, 2))
    note = Notification.objects.filter(message__contains=second.reference).get()
    assert "duplicate" in note.message
    assert "Amina" not in note.message


@pytest.mark.parametrize(
    ("field", "value"),
    [("gender", "robot"), ("referral_source", None), ("urgency", "yesterday"), ("gender", None)],
)
def test_the_service_refuses_values_outside_the_lists(field, value):
    with pytest.raises(ReferralRefused, match="from the list"):
        referral_submit(actor=referrer(), data=referral_data(**{field: value}))
    assert not Case.objects.exists()
