"""The public "Become a mentor" application page."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.core.models import Notification
from tandem.mentors.models import (
    ApplicationSource,
    Mentor,
    MentorLanguage,
    MentorStatus,
    Proficiency,
    StatusChange,
)

from .factories_applications import IP, application_answers

pytestmark = pytest.mark.django_db

APPLY = reverse("mentors:apply")


@pytest.fixture(autouse=True)
def empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


def post(client, data, ip=IP, **kwargs):
    return client.post(APPLY, data, REMOTE_ADDR=ip, **kwargs)


def test_the_page_needs_no_account_and_labels_every_question(client):
    response = client.get(APPLY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Apply to be a mentor" in body
    assert "Submit application" in body
    for text in (
        "Full name",
        "Email address",
        "Phone number (optional)",
        "Which areas could you work in?",
        "Which languages can you hold a mentoring conversation in?",
        "What is your gender? (optional)",
        "Prefer not to say",
        "Why do you want to be a mentor?",
        "I have read the privacy notice",
    ):
        assert text in body
    assert reverse("core:privacy") in body
    assert "no-store" in response["Cache-Control"]


def test_the_honeypot_is_hidden_from_sight_and_the_keyboard_but_labelled(client):
    body = client.get(APPLY).content.decode()
    assert '<div class="govuk-visually-hidden">' in body
    assert '<label for="id_website">Leave this field empty' in body
    assert 'tabindex="-1"' in body and 'autocomplete="off"' in body


def test_an_application_creates_an_applicant_with_history_audit_notifications_and_email(
    client, django_capture_on_commit_callbacks
):
    coordinator = create_user("coordinator")
    create_user("coordinator", is_active=False, deactivated_at="2026-01-01T00:00Z")
    create_user("mentor")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, application_answers())
    assert response.status_code == 302
    assert response.url == reverse("mentors:apply_done")

    mentor = Mentor.objects.get()
    assert mentor.status == MentorStatus.APPLICANT
    assert mentor.source == ApplicationSource.PUBLIC
    assert mentor.full_name == "Amina Rahman"
    assert mentor.email == "amina.rahman@example.org"
    assert mentor.phone == "07700 900982"
    assert mentor.user is None
    assert sorted(a.name for a in mentor.areas.all()) == ["Birmingham", "Sandwell"]
    languages = MentorLanguage.objects.filter(mentor=mentor)
    assert sorted(ml.language.name for ml in languages) == ["English", "Urdu"]
    assert {ml.proficiency for ml in languages} == {Proficiency.CONVERSATIONAL}
    assert mentor.gender == "female" and mentor.age_band == "35-44"
    assert mentor.has_lived_experience is False

    change = StatusChange.objects.get(mentor=mentor)
    assert (change.from_status, change.to_status, change.changed_by) == ("", "applicant", None)

    event = AuditEvent.objects.get(action="mentor.apply")
    assert event.actor is None
    assert event.object_id == str(mentor.pk)
    assert "motivation" in event.changed_fields
    assert "Amina" not in str(event.changed_fields) + event.reason

    # Only active coordinators hear about it, with a link and nothing of the answers.
    notes = Notification.objects.all()
    assert [n.user for n in notes] == [coordinator]
    assert notes[0].link == reverse("mentors:detail", args=[mentor.pk])
    assert "Sparkbrook" not in notes[0].message

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["amina.rahman@example.org"]
    assert "Hello Amina Rahman" in email.body
    for secret in ("Sparkbrook", "youth worker", "07700"):
        assert secret not in email.body
    assert "enhanced criminal-records check with barred list" in email.body


def test_nothing_is_sent_before_the_application_commits(client, django_capture_on_commit_callbacks):
    create_user("coordinator")
    with django_capture_on_commit_callbacks(execute=False):
        post(client, application_answers())
    assert Mentor.objects.exists()
    assert not mail.outbox
    assert not Notification.objects.exists()


def test_sensitive_answers_are_not_stored_in_plaintext(client):
    post(client, application_answers())
    mentor = Mentor.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, motivation, experience FROM mentors_mentor WHERE id = %s", [mentor.pk]
        )
        raw = " ".join(str(v) for v in cursor.fetchone())
    for plain in ("07700 900982", "Sparkbrook", "youth worker"):
        assert plain not in raw


def test_invalid_answers_keep_everything_typed_and_save_nothing(client):
    data = application_answers(
        email="not-an-email", areas=[], privacy_confirmed="", motivation="   "
    )
    response = post(client, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert body.count("Enter an email address in the correct format") == 2  # summary and field
    assert "Select at least one area you could work in" in body
    assert "Confirm that you have read the privacy notice" in body
    assert "Tell us why you want to be a mentor" in body
    assert 'value="Amina Rahman"' in body
    assert 'value="not-an-email"' in body
    assert "Ten years as a youth worker." in body
    assert (
        'value="female" checked' in body
        or 'checked value="female"' in body
        or ('value="female"' in body and "checked" in body)
    )
    assert not Mentor.objects.exists()
    assert not AuditEvent.objects.filter(action="mentor.apply").exists()


def test_a_bad_phone_number_is_explained(client):
    body = post(client, application_answers(phone="call me maybe")).content.decode()
    assert "Enter a phone number, like 01632 960 001" in body
    assert not Mentor.objects.exists()


def test_unknown_areas_or_languages_are_refused_not_a_server_error(client):
    response = post(client, application_answers(areas=["999999"], languages=["x"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select areas from the list" in body
    assert "Select languages from the list" in body


@pytest.mark.parametrize("huge", ["99999999999999999999999", str(2**63)])
def test_ids_beyond_the_database_integer_range_are_form_errors_not_a_server_error(client, huge):
    response = post(client, application_answers(areas=[huge], languages=[huge]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select areas from the list" in body
    assert "Select languages from the list" in body
    assert "Amina Rahman" in body  # nothing typed is lost
    assert not Mentor.objects.exists()


def test_prefer_not_to_say_stores_nothing_and_self_description_is_kept_only_when_chosen(client):
    post(
        client,
        application_answers(
            gender="not_said",
            gender_self_description="ignored",
            age_band="not_said",
            has_lived_experience="not_said",
        ),
    )
    mentor = Mentor.objects.get()
    assert mentor.gender == "not_said"
    assert mentor.gender_self_description == ""
    assert mentor.age_band == ""
    assert mentor.has_lived_experience is False


def test_optional_questions_can_be_left_out(client):
    data = application_answers(phone="", gender="", age_band="", has_lived_experience="")
    for name in ("gender", "age_band", "has_lived_experience"):
        data.pop(name)
    assert post(client, data).status_code == 302
    mentor = Mentor.objects.get()
    assert (mentor.phone, mentor.gender, mentor.age_band) == ("", "", "")


def test_a_filled_honeypot_shows_the_confirmation_and_saves_nothing(
    client, django_capture_on_commit_callbacks
):
    create_user("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, application_answers(website="http://spam.example"), follow=True)
    assert response.redirect_chain == [(reverse("mentors:apply_done"), 302)]
    assert b"Application sent" in response.content
    assert not Mentor.objects.exists()
    assert not StatusChange.objects.exists()
    assert not AuditEvent.objects.filter(action="mentor.apply").exists()
    assert not Notification.objects.exists()
    assert not mail.outbox


def test_a_burst_from_one_address_is_cut_off_while_another_address_gets_through(client):
    answers = [application_answers(email=f"burst{n}@example.org") for n in range(20)]
    codes = [post(client, data).status_code for data in answers]
    assert codes == [302] * 5 + [429] * 15
    assert Mentor.objects.count() == 5

    refused = post(client, application_answers(email="typed@example.org", full_name="Kept Name"))
    body = refused.content.decode()
    assert "Too many applications have been sent from this network recently" in body
    assert "Wait an hour" in body
    assert 'value="Kept Name"' in body and 'value="typed@example.org"' in body
    assert Mentor.objects.count() == 5

    other = post(client, application_answers(email="other@example.org"), ip="198.51.100.7")
    assert other.status_code == 302
    assert Mentor.objects.count() == 6


def test_invalid_submissions_do_not_use_up_the_allowance(client):
    for _ in range(10):
        assert post(client, application_answers(email="bad")).status_code == 200
    assert post(client, application_answers()).status_code == 302


@override_settings(TANDEM_APPLICATION_RATE_LIMIT=2, TANDEM_APPLICATION_RATE_WINDOW=600)
def test_the_limit_and_window_are_configurable(client):
    codes = [
        post(client, application_answers(email=f"c{n}@example.org")).status_code for n in range(3)
    ]
    assert codes == [302, 302, 429]
    assert "Wait 10 minutes" in post(client, application_answers()).content.decode()


def test_the_confirmation_page_says_what_happens_next(client):
    response = client.get(reverse("mentors:apply_done"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Application sent" in body
    assert "What happens next" in body
    assert "Enhanced criminal-records check with barred list" in body
    assert "Safeguarding children and adults" in body


def test_a_signed_in_user_can_apply_too(client, signed_in):
    signed_in(create_user("referrer"))
    assert client.get(APPLY).status_code == 200
    assert post(client, application_answers()).status_code == 302
    assert AuditEvent.objects.get(action="mentor.apply").actor is None


def test_an_empty_submission_is_answered_with_errors(client):
    response = client.post(APPLY, {}, REMOTE_ADDR=IP)
    assert response.status_code == 200
    assert "Enter your full name" in response.content.decode()
