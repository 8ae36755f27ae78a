"""Conflict-of-interest declarations and the code of conduct, from the mentor's side."""

import pytest
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.core.tests.encryption.rawsql import raw_column
from tandem.mentors.matchability import matchable_mentors
from tandem.mentors.models import CodeAcceptance, CodeOfConduct, ConflictDeclaration
from tandem.mentors.services import profile as services

from .factories import make_matchable_mentor
from .factories_profile import mentor_with_account

pytestmark = pytest.mark.django_db

DECLARATIONS = reverse("mentors:my_declarations")
WITHDRAW = reverse("mentors:my_declaration_withdraw")
CODE = reverse("mentors:my_code")


# Declarations ---------------------------------------------------------------------------


def test_a_mentor_adds_a_declaration_and_sees_it_listed(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    response = client.post(
        DECLARATIONS,
        {"kind": "school", "name": "Park Hall Academy", "connection": "I am a governor"},
    )
    assert response.status_code == 302
    declaration = ConflictDeclaration.objects.get(mentor=mentor)
    assert declaration.kind == "school" and declaration.name == "Park Hall Academy"
    body = client.get(DECLARATIONS).content.decode()
    assert "Park Hall Academy" in body and "I am a governor" in body
    assert "Your active declarations" in body
    event = AuditEvent.objects.get(action="mentor.conflict_declare")
    assert event.actor == user
    assert event.changed_fields == ["connection", "kind", "name"]
    assert "Park Hall" not in str(event.__dict__)


def test_declaration_names_and_connections_are_encrypted_and_blind_indexed(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    client.post(
        DECLARATIONS, {"kind": "person", "name": "Tariq Mahmood", "connection": "My cousin"}
    )
    declaration = ConflictDeclaration.objects.get(mentor=mentor)
    for field, plain in [("name", "Tariq"), ("connection", "cousin")]:
        stored = raw_column(ConflictDeclaration, field, declaration.pk)
        assert stored.startswith("e1:") and plain not in stored
    assert raw_column(ConflictDeclaration, "name_index", declaration.pk)


def test_an_incomplete_declaration_is_refused_and_what_was_typed_is_kept(client, signed_in):
    user, _ = mentor_with_account()
    signed_in(user)
    response = client.post(DECLARATIONS, {"kind": "", "name": "", "connection": "My neighbour"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select who or what you are connected to" in body
    assert "Enter the name of the person, family, school or organisation" in body
    assert "My neighbour" in body
    assert not ConflictDeclaration.objects.exists()


def test_a_mentor_withdraws_their_declaration_and_it_is_kept_as_withdrawn(client, signed_in):
    user, mentor = mentor_with_account()
    declaration = services.conflict_declare(
        actor=user, mentor=mentor, kind="family", name="The Okafor family"
    )
    signed_in(user)
    response = client.post(WITHDRAW, {"declaration": declaration.pk})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.withdrawn_on is not None
    body = client.get(DECLARATIONS).content.decode()
    assert "Withdrawn declarations" in body and "You have no active declarations." in body
    assert AuditEvent.objects.filter(action="mentor.conflict_withdraw").count() == 1
    client.post(WITHDRAW, {"declaration": declaration.pk})  # again: nothing new
    assert AuditEvent.objects.filter(action="mentor.conflict_withdraw").count() == 1


def test_a_mentor_cannot_withdraw_another_mentors_declaration(client, signed_in):
    user, _ = mentor_with_account()
    other_user, other = mentor_with_account()
    theirs = services.conflict_declare(actor=other_user, mentor=other, kind="person", name="X")
    signed_in(user)
    assert client.post(WITHDRAW, {"declaration": theirs.pk}).status_code == 404
    assert client.post(WITHDRAW, {"declaration": "not-a-number"}).status_code == 404
    assert client.post(WITHDRAW, {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_on is None


def test_a_mentor_never_sees_another_mentors_declarations(client, signed_in):
    user, _ = mentor_with_account()
    other_user, other = mentor_with_account()
    services.conflict_declare(actor=other_user, mentor=other, kind="person", name="Secret Name")
    signed_in(user)
    assert "Secret Name" not in client.get(DECLARATIONS).content.decode()


def test_withdrawing_is_post_only(client, signed_in):
    user, _ = mentor_with_account()
    signed_in(user)
    assert client.get(WITHDRAW).status_code == 405


@pytest.mark.parametrize("role", ["coordinator", "supervisor", "safeguarding_lead"])
def test_other_roles_cannot_declare_or_withdraw(client, signed_in, make_user, role):
    signed_in(make_user(role))
    assert client.post(DECLARATIONS, {"kind": "person", "name": "X"}).status_code == 403
    assert client.post(WITHDRAW, {"declaration": 1}).status_code == 403


# Code of conduct ------------------------------------------------------------------------


def test_the_code_page_shows_the_current_text_and_version(client, signed_in):
    user, _ = mentor_with_account()
    signed_in(user)
    body = client.get(CODE).content.decode()
    assert "Version 2026.1" in body
    assert "Put the safety and wellbeing of the people I mentor first" in body
    assert "I have read and accept the code of conduct" in body
    assert "Accept the code of conduct" in body


def test_accepting_needs_the_checkbox(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    body = client.post(CODE, {}).content.decode()
    assert "Confirm that you have read and accept the code of conduct" in body
    assert not CodeAcceptance.objects.filter(mentor=mentor).exists()


def test_accepting_records_when_and_is_idempotent(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    assert client.post(CODE, {"accept": "on"}).status_code == 302
    body = client.get(CODE).content.decode()
    assert "You accepted this version on" in body
    assert "Accept the code of conduct</button>" not in body
    first = CodeAcceptance.objects.get(mentor=mentor)
    client.post(CODE, {"accept": "on"})
    again = services.code_accept(actor=user, mentor=mentor)
    assert CodeAcceptance.objects.filter(mentor=mentor).count() == 1
    assert again.pk == first.pk
    assert AuditEvent.objects.filter(action="mentor.code_accept").count() == 1


def test_a_new_version_must_be_accepted_again_and_that_restores_matchability(
    client, signed_in, make_user
):
    user = make_user("mentor")
    mentor = make_matchable_mentor(user=user)
    CodeOfConduct.objects.create(version="2027.1", text="Be kind.")
    assert not matchable_mentors().filter(pk=mentor.pk).exists()
    signed_in(user)
    body = client.get(CODE).content.decode()
    assert "Version 2027.1" in body and "Be kind." in body
    client.post(CODE, {"accept": "on"})
    assert matchable_mentors().filter(pk=mentor.pk).exists()
    assert "Version 2026.1" in client.get(CODE).content.decode()  # earlier acceptance listed


def test_without_a_code_there_is_nothing_to_accept(client, signed_in):
    CodeOfConduct.objects.all().delete()
    user, mentor = mentor_with_account()
    signed_in(user)
    assert "There is nothing to accept" in client.get(CODE).content.decode()
    assert client.post(CODE, {"accept": "on"}).status_code == 200
    with pytest.raises(services.ProfileError):
        services.code_accept(actor=user, mentor=mentor)
