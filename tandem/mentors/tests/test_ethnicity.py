"""A mentor's ethnic group: voluntary, encrypted, given in the application or the profile,
seen by the mentor themself and by coordinators, not by their supervisor."""

import pytest
from django.db import connection
from django.urls import reverse

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.mentors.models import Mentor
from tandem.mentors.services.profile import ProfileError, profile_update

from .factories_applications import application_answers
from .factories_profile import mentor_with_account, profile_post, refreshed

pytestmark = pytest.mark.django_db

EDIT = reverse("mentors:my_profile_edit")


def raw(mentor):
    with connection.cursor() as cursor:
        cursor.execute("SELECT ethnicity FROM mentors_mentor WHERE id = %s", [mentor.pk])
        return cursor.fetchone()[0]


def test_a_mentor_gives_their_ethnic_group_in_their_profile_and_sees_it(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    assert "Ethnic group (optional)" in client.get(EDIT).content.decode()
    response = client.post(
        EDIT,
        profile_post(ethnicity="mixed_other", ethnicity_description="Turkish Cypriot and Irish"),
    )
    assert response.status_code == 302
    mentor = refreshed(mentor)
    assert mentor.ethnicity == "mixed_other"
    assert mentor.ethnicity_description == "Turkish Cypriot and Irish"
    assert "mixed_other" not in raw(mentor)
    event = AuditEvent.objects.filter(action="mentor.profile_update").latest("pk")
    assert {"ethnicity", "ethnicity_description"} <= set(event.changed_fields)
    page = client.get(reverse("mentors:my_profile")).content.decode()
    assert "Mixed or multiple ethnic groups: Any other Mixed or multiple ethnic background" in page
    assert "Turkish Cypriot and Irish" in page


def test_a_made_up_group_is_refused_with_a_clear_error(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    body = client.post(EDIT, profile_post(ethnicity="zz")).content.decode()
    assert "Select an ethnic group from the list" in body
    assert refreshed(mentor).ethnicity is None
    with pytest.raises(ProfileError):
        profile_update(actor=user, mentor=mentor, data={"ethnicity": "zz"})


def test_coordinators_see_it_on_the_record_and_supervisors_do_not(client, signed_in):
    supervisor = create_user("supervisor")
    _, mentor = mentor_with_account(ethnicity="asian_bangladeshi", supervisor=supervisor)
    url = reverse("mentors:detail", args=[mentor.pk])
    signed_in(create_user("coordinator"))
    assert "Asian, Asian British or Asian Welsh: Bangladeshi" in client.get(url).content.decode()
    client.logout()
    signed_in(supervisor)
    response = client.get(url)
    assert response.status_code == 200
    assert "Bangladeshi" not in response.content.decode()
    assert "Ethnic group" not in response.content.decode()


def test_the_public_application_asks_for_it_voluntarily(client):
    apply = reverse("mentors:apply")
    assert "What is your ethnic group? (optional)" in client.get(apply).content.decode()
    client.post(apply, application_answers(ethnicity="other_arab"), REMOTE_ADDR="192.0.2.77")
    mentor = Mentor.objects.get()
    assert mentor.ethnicity == "other_arab"
    assert mentor.ethnicity_description is None
