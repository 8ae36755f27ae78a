"""Changes that affect vetting (name, email): the mentor asks, a coordinator decides."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tandem.accounts.models import User
from tandem.audit.models import AuditEvent
from tandem.core.models import Notification
from tandem.core.tests.encryption.rawsql import raw_column
from tandem.mentors.models import ChangeRequestStatus, ProfileChangeRequest
from tandem.mentors.services import profile as services

from .factories import coordinator, make_mentor
from .factories_profile import mentor_with_account, refreshed

pytestmark = pytest.mark.django_db

ASK = reverse("mentors:my_change_request")
QUEUE = reverse("mentors:change_requests")


def ask(user, mentor, field="full_name", value="Amira Begum", explanation="Married"):
    return services.change_request_create(
        actor=user, mentor=mentor, field=field, new_value=value, explanation=explanation
    )


# Asking ---------------------------------------------------------------------------------


def test_a_mentor_asks_to_change_their_name_and_coordinators_are_notified(
    client, signed_in, django_capture_on_commit_callbacks
):
    boss = coordinator()
    user, mentor = mentor_with_account(full_name="Amira Hussain")
    signed_in(user)
    body = client.get(ASK).content.decode()
    assert "Request change" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ASK, {"field": "full_name", "new_value": "  Amira   Begum ", "explanation": "Married"}
        )
    assert response.status_code == 302
    change = ProfileChangeRequest.objects.get(mentor=mentor)
    assert change.status == ChangeRequestStatus.PENDING
    assert change.new_value == "Amira Begum"
    assert refreshed(mentor).full_name == "Amira Hussain"  # nothing changes yet
    note = Notification.objects.get(user=boss)
    assert "asked to change their name" in note.message and note.link == QUEUE
    assert "Amira" not in note.message
    event = AuditEvent.objects.get(action="mentor.change_request_create")
    assert event.actor == user and "Begum" not in str(event.__dict__)
    page = client.get(reverse("mentors:my_profile")).content.decode()
    assert "your request to change your name" in page


def test_the_new_value_is_encrypted_at_rest():
    user, mentor = mentor_with_account()
    change = ask(user, mentor, field="email", value="New.Address@Example.org")
    stored = raw_column(ProfileChangeRequest, "new_value", change.pk)
    assert stored.startswith("e1:") and "example" not in stored.lower()
    assert refreshed_change(change).new_value == "new.address@example.org"


def refreshed_change(change):
    return ProfileChangeRequest.objects.get(pk=change.pk)


def test_only_one_pending_request_per_field_with_a_clear_message(client, signed_in):
    user, mentor = mentor_with_account()
    ask(user, mentor)
    signed_in(user)
    body = client.get(ASK).content.decode()
    assert "is waiting for a coordinator" in body
    response = client.post(ASK, {"field": "full_name", "new_value": "Another Name"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "You already have a request to change your name waiting for a coordinator" in body
    assert "Another Name" in body  # what was typed is kept
    # Another field is fine.
    assert client.post(ASK, {"field": "email", "new_value": "a@b.org"}).status_code == 302
    assert ProfileChangeRequest.objects.filter(mentor=mentor).count() == 2


def test_the_database_refuses_a_second_pending_request_for_the_same_field():
    user, mentor = mentor_with_account()
    ask(user, mentor)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileChangeRequest.objects.create(mentor=mentor, field="full_name", new_value="Z")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"field": "", "new_value": "x"}, "Select what you want to change"),
        ({"field": "email", "new_value": ""}, "Enter the new name or email address"),
        ({"field": "email", "new_value": "not-an-email"}, "Enter an email address in the correct"),
        ({"field": "password", "new_value": "x"}, "Select a valid choice"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_error(client, signed_in, data, message):
    user, _ = mentor_with_account()
    signed_in(user)
    response = client.post(ASK, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ProfileChangeRequest.objects.exists()


def test_asking_for_the_current_value_is_refused(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    body = client.post(ASK, {"field": "email", "new_value": mentor.email.upper()}).content
    assert "That is already your email address" in body.decode()


# Deciding -------------------------------------------------------------------------------


def test_the_queue_lists_pending_requests_for_coordinators(client, signed_in):
    user, mentor = mentor_with_account(full_name="Amira Hussain")
    change = ask(user, mentor)
    boss = coordinator()
    signed_in(boss)
    body = client.get(QUEUE).content.decode()
    assert "Amira Hussain" in body and "Amira Begum" in body and "Married" in body
    assert "Approve" in body and "Reject" in body
    assert AuditEvent.objects.filter(
        action="mentors.profilechangerequest.view", object_id=str(change.pk)
    ).exists()


def test_an_empty_queue_says_so(client, signed_in):
    signed_in(coordinator())
    assert "There are no change requests waiting" in client.get(QUEUE).content.decode()


def test_approving_a_name_change_updates_the_mentor_and_their_account(
    client, signed_in, django_capture_on_commit_callbacks
):
    user, mentor = mentor_with_account(full_name="Amira Hussain")
    change = ask(user, mentor)
    boss = coordinator()
    signed_in(boss)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(QUEUE, {"request_id": change.pk, "decision": "approve"})
    assert response.status_code == 302
    assert refreshed(mentor).full_name == "Amira Begum"
    assert User.objects.get(pk=user.pk).full_name == "Amira Begum"
    change = refreshed_change(change)
    assert change.status == ChangeRequestStatus.APPROVED and change.decided_by == boss
    actions = set(AuditEvent.objects.filter(actor=boss).values_list("action", flat=True))
    assert {"mentor.change_request_approve", "mentor.update", "user.update"} <= actions
    note = Notification.objects.get(user=user)
    assert note.message == "Your request to change your name was approved."
    assert note.link == reverse("mentors:my_profile")


def test_approving_an_email_change_updates_the_sign_in_address(client, signed_in):
    user, mentor = mentor_with_account()
    change = ask(user, mentor, field="email", value="amira.new@example.org")
    signed_in(coordinator())
    client.post(QUEUE, {"request_id": change.pk, "decision": "approve"})
    assert refreshed(mentor).email == "amira.new@example.org"
    assert User.objects.get(pk=user.pk).email == "amira.new@example.org"


def test_an_email_taken_by_another_account_is_refused_clearly(client, signed_in, make_user):
    make_user("referrer", email="taken@example.org")
    user, mentor = mentor_with_account()
    old_email = mentor.email
    change = ask(user, mentor, field="email", value="Taken@Example.org")
    signed_in(coordinator())
    response = client.post(QUEUE, {"request_id": change.pk, "decision": "approve"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Another Tandem account already uses this email address" in body
    assert refreshed(mentor).email == old_email
    assert User.objects.get(pk=user.pk).email == old_email
    assert refreshed_change(change).status == ChangeRequestStatus.PENDING


def test_rejecting_needs_a_reason_and_the_mentor_is_told(
    client, signed_in, django_capture_on_commit_callbacks
):
    user, mentor = mentor_with_account(full_name="Amira Hussain")
    change = ask(user, mentor)
    signed_in(coordinator())
    body = client.post(QUEUE, {"request_id": change.pk, "decision": "reject"}).content.decode()
    assert "Enter the reason for rejecting the request" in body
    assert refreshed_change(change).status == ChangeRequestStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            QUEUE,
            {"request_id": change.pk, "decision": "reject", "reason": "Send the certificate"},
        )
    change = refreshed_change(change)
    assert change.status == ChangeRequestStatus.REJECTED
    assert change.decision_reason == "Send the certificate"
    assert refreshed(mentor).full_name == "Amira Hussain"
    assert "was not approved" in Notification.objects.get(user=user).message
    assert AuditEvent.objects.filter(action="mentor.change_request_reject").exists()
    client.logout()
    signed_in(user)
    assert "Send the certificate" in client.get(reverse("mentors:my_profile")).content.decode()


def test_a_decided_request_cannot_be_decided_again():
    user, mentor = mentor_with_account()
    change = ask(user, mentor)
    boss = coordinator()
    services.change_request_decide(actor=boss, change=change, approve=True)
    with pytest.raises(services.ProfileError, match="already been decided"):
        services.change_request_decide(actor=boss, change=change, approve=False, reason="x")


def test_after_a_decision_the_mentor_may_ask_again():
    user, mentor = mentor_with_account()
    change = ask(user, mentor)
    services.change_request_decide(actor=coordinator(), change=change, approve=False, reason="x")
    assert ask(user, mentor, value="Third Name").status == ChangeRequestStatus.PENDING


def test_a_mentor_without_an_account_is_updated_alone():
    mentor = make_mentor(full_name="Old Name")
    boss = coordinator()
    change = ProfileChangeRequest.objects.create(
        mentor=mentor, field="full_name", new_value="New Name"
    )
    services.change_request_decide(actor=boss, change=change, approve=True)
    assert refreshed(mentor).full_name == "New Name"


def test_unknown_or_malformed_decisions_are_404(client, signed_in):
    signed_in(coordinator())
    assert client.post(QUEUE, {"request_id": 999999, "decision": "approve"}).status_code == 404
    assert client.post(QUEUE, {"request_id": "x", "decision": "approve"}).status_code == 404
    user, mentor = mentor_with_account()
    change = ask(user, mentor)
    assert client.post(QUEUE, {"request_id": change.pk, "decision": "maybe"}).status_code == 404


@pytest.mark.parametrize("role", ["mentor", "supervisor", "referrer", "administrator"])
def test_only_coordinators_see_the_queue_or_decide(client, signed_in, make_user, role):
    user, mentor = mentor_with_account()
    change = ask(user, mentor)
    signed_in(make_user(role))
    assert client.get(QUEUE).status_code == 403
    assert client.post(QUEUE, {"request_id": change.pk, "decision": "approve"}).status_code == 403
    assert refreshed_change(change).status == ChangeRequestStatus.PENDING
