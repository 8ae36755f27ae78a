"""Applications a coordinator enters, and giving a mentor sign-in access."""

import pytest
from django.core import mail
from django.urls import reverse

from tandem.accounts.models import RoleGrant, User
from tandem.audit.models import AuditEvent
from tandem.core.models import Notification
from tandem.mentors.models import ApplicationSource, Mentor, MentorStatus, StatusChange
from tandem.mentors.services.applications import AccessRefused, mentor_grant_access

from .factories import coordinator, make_mentor
from .factories_applications import application_answers

pytestmark = pytest.mark.django_db

ADD = reverse("mentors:add")


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


def coordinator_answers(**overrides):
    data = application_answers(**overrides)
    data.pop("privacy_confirmed")
    data.pop("website")
    return data


# Coordinator-entered applications ------------------------------------------------------


def test_the_form_has_the_questions_without_honeypot_or_privacy_confirmation(client, staff):
    body = client.get(ADD).content.decode()
    assert "Add a mentor application" in body
    assert "Which areas could they work in?" in body
    assert 'name="website"' not in body
    assert 'name="privacy_confirmed"' not in body
    assert "Add applicant" in body


def test_an_entered_application_joins_the_pipeline_and_opens_the_record(
    client, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, coordinator_answers(motivation="", experience=""))
    mentor = Mentor.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mentors:detail", args=[mentor.pk])
    assert mentor.source == ApplicationSource.COORDINATOR
    assert mentor.status == MentorStatus.APPLICANT
    assert mentor.languages.count() == 2
    change = StatusChange.objects.get(mentor=mentor)
    assert (change.from_status, change.to_status, change.changed_by) == ("", "applicant", staff)
    event = AuditEvent.objects.get(action="mentor.create")
    assert event.actor == staff and event.object_id == str(mentor.pk)
    # No applicant email or coordinator alert: the coordinator is already dealing with it.
    assert not mail.outbox
    assert not Notification.objects.exists()


def test_errors_are_specific_and_keep_what_was_typed(client, staff):
    response = client.post(ADD, coordinator_answers(full_name="", languages=[]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter the applicant&#x27;s full name" in body
    assert "Select at least one language they can hold a mentoring conversation in" in body
    assert "Ten years as a youth worker." in body
    assert not Mentor.objects.exists()


def test_a_duplicate_email_is_refused_with_a_pointer_to_the_pool(client, staff):
    make_mentor(email="amina.rahman@example.org")
    body = client.post(ADD, coordinator_answers(email="Amina.Rahman@Example.org")).content.decode()
    assert "A mentor record with this email address already exists" in body
    assert Mentor.objects.count() == 1


def test_only_coordinators_can_add(client, signed_in, make_user):
    for role in ("mentor", "supervisor", "referrer", "administrator"):
        client.logout()
        signed_in(make_user(role))
        assert client.get(ADD).status_code == 403
        assert client.post(ADD, coordinator_answers()).status_code == 403
    assert not Mentor.objects.exists()


# Sign-in access ------------------------------------------------------------------------


def access_url(mentor):
    return reverse("mentors:grant_access", args=[mentor.pk])


@pytest.mark.parametrize("status", [MentorStatus.TRAINING, MentorStatus.ACTIVE])
def test_giving_access_creates_a_mentor_account_and_emails_a_set_password_link(
    client, staff, status, django_capture_on_commit_callbacks
):
    mentor = make_mentor(status=status, full_name="Ewa Nowak", email="Ewa.Nowak@example.org")
    page = client.get(access_url(mentor)).content.decode()
    assert "Tandem will create an account for Ewa.Nowak@example.org" in page
    assert "Give sign-in access" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(access_url(mentor))
    assert response.status_code == 302
    assert response.url == reverse("mentors:detail", args=[mentor.pk])
    mentor.refresh_from_db()
    user = User.objects.get(email="ewa.nowak@example.org")
    assert mentor.user == user
    assert user.roles == {"mentor"}
    assert user.full_name == "Ewa Nowak"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ewa.nowak@example.org"]
    assert AuditEvent.objects.filter(action="user.create", actor=staff).exists()
    event = AuditEvent.objects.get(action="mentor.grant_access")
    assert event.actor == staff and event.changed_fields == ["user"]
    follow = client.get(response.url).content.decode()
    assert "can now sign in" in follow
    assert "Yes, as ewa.nowak@example.org" in follow


def test_an_existing_account_is_linked_and_given_the_mentor_role(client, staff, make_user):
    existing = make_user("supervisor", email="sam@example.org")
    mentor = make_mentor(status=MentorStatus.ACTIVE, email="SAM@example.org")
    assert "already exists" in client.get(access_url(mentor)).content.decode()
    client.post(access_url(mentor))
    mentor.refresh_from_db()
    existing = User.objects.get(pk=existing.pk)
    assert mentor.user == existing
    assert existing.roles == {"supervisor", "mentor"}
    assert RoleGrant.objects.get(user=existing, role="mentor").granted_by == staff
    event = AuditEvent.objects.get(action="user.update", object_id=str(existing.pk))
    assert event.changed_fields == ["roles"]
    assert AuditEvent.objects.filter(action="mentor.grant_access").exists()
    assert User.objects.count() == 2  # nobody new


@pytest.mark.parametrize(
    "status",
    [MentorStatus.APPLICANT, MentorStatus.VETTING, MentorStatus.PAUSED, MentorStatus.LEFT],
)
def test_access_is_refused_before_training_and_after_active(client, staff, status):
    mentor = make_mentor(status=status)
    page = client.get(access_url(mentor)).content.decode()
    assert "Only mentors in training or accredited (active)" in page
    assert 'type="submit"' not in page.split("<main", 1)[1].split("</main>", 1)[0]
    response = client.post(access_url(mentor))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.user is None
    assert not User.objects.filter(email=mentor.email).exists()


def test_access_is_refused_when_already_given_or_the_account_is_taken(make_user):
    actor = coordinator()
    user = make_user("mentor", email="taken@example.org")
    linked = make_mentor(status=MentorStatus.ACTIVE, user=user)
    with pytest.raises(AccessRefused, match="already has sign-in access"):
        mentor_grant_access(actor=actor, mentor=linked)
    twin = make_mentor(status=MentorStatus.ACTIVE, email="taken@example.org")
    with pytest.raises(AccessRefused, match="already linked to another mentor record"):
        mentor_grant_access(actor=actor, mentor=twin)
    inactive = make_user(
        email="gone@example.org", is_active=False, deactivated_at="2026-01-01T00:00Z"
    )
    gone = make_mentor(status=MentorStatus.TRAINING, email="gone@example.org")
    with pytest.raises(AccessRefused, match="deactivated"):
        mentor_grant_access(actor=actor, mentor=gone)
    assert Mentor.objects.get(pk=gone.pk).user is None
    assert inactive.roles == frozenset()


def test_the_overview_offers_access_only_when_it_can_be_given(client, staff, make_user):
    ready = make_mentor(status=MentorStatus.TRAINING)
    assert (
        "Give sign-in access"
        in client.get(reverse("mentors:detail", args=[ready.pk])).content.decode()
    )
    applicant = make_mentor(status=MentorStatus.APPLICANT)
    body = client.get(reverse("mentors:detail", args=[applicant.pk])).content.decode()
    assert "Give sign-in access" not in body
    linked = make_mentor(status=MentorStatus.ACTIVE, user=make_user("mentor"))
    body = client.get(reverse("mentors:detail", args=[linked.pk])).content.decode()
    assert "Give sign-in access" not in body
