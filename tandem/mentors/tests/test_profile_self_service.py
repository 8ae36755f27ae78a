"""The mentor's own profile page: what they see, and that they see only their own."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.mentors.models import (
    Accreditation,
    CodeOfConduct,
    TrainingCompletion,
    TrainingModule,
    VettingCheck,
)

from .factories import coordinator, pass_all_checks
from .factories_profile import mentor_with_account

pytestmark = pytest.mark.django_db

SELF_SERVICE_URLS = [
    "mentors:my_profile",
    "mentors:my_profile_edit",
    "mentors:my_declarations",
    "mentors:my_code",
    "mentors:my_change_request",
]


def test_a_matchable_mentor_sees_status_checks_training_accreditation_and_code(client, signed_in):
    user, mentor = mentor_with_account(matchable=True)
    module = TrainingModule.objects.get(code="safeguarding")
    TrainingCompletion.objects.create(
        mentor=mentor,
        module=module,
        completed_on=timezone.localdate(),
        cpd_hours=6,
        recorded_by=coordinator(),
    )
    TrainingCompletion.objects.create(
        mentor=mentor,
        module=TrainingModule.objects.get(code="ethics-boundaries"),
        completed_on=timezone.localdate(),
        cpd_hours="2.5",
        recorded_by=coordinator(),
    )
    signed_in(user)
    response = client.get(reverse("mentors:my_profile"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "You can be matched with a new client." in body
    assert "Accredited (active)" in body
    assert "Enhanced criminal-records check with barred list" in body
    dbs = VettingCheck.objects.get(mentor=mentor, check_type__code="enhanced-dbs")
    assert f"{dbs.expires_on:%-d %B %Y}" in body
    assert "Safeguarding children and adults" in body
    assert "8.5 CPD hours in total" in body
    accreditation = Accreditation.objects.get(mentor=mentor)
    assert f"It expires on {accreditation.expires_on:%-d %B %Y}" in body
    assert "You accepted the code of conduct (version 2026.1)" in body


def test_the_profile_page_never_shows_vetting_reference_numbers(client, signed_in):
    user, mentor = mentor_with_account(matchable=True)
    signed_in(user)
    body = client.get(reverse("mentors:my_profile")).content.decode()
    for check in VettingCheck.objects.filter(mentor=mentor):
        assert check.reference_number
        assert check.reference_number not in body


def test_a_mentor_who_is_not_matchable_sees_the_reasons(client, signed_in):
    user, _mentor = mentor_with_account()
    signed_in(user)
    body = client.get(reverse("mentors:my_profile")).content.decode()
    assert "You cannot be matched with a new client yet" in body
    assert "Status is training" in body
    assert "Not accredited" in body
    assert "Has not accepted the code of conduct (version 2026.1)" in body
    assert "You are not accredited yet" in body
    assert "Not recorded" in body


def test_an_expired_check_is_shown_as_expired_with_its_date(client, signed_in):
    user, mentor = mentor_with_account()
    pass_all_checks(mentor, on=timezone.localdate() - dt.timedelta(days=4 * 365))
    signed_in(user)
    body = client.get(reverse("mentors:my_profile")).content.decode()
    dbs = VettingCheck.objects.get(mentor=mentor, check_type__code="enhanced-dbs")
    assert f"expired on {dbs.expires_on:%-d %B %Y}" in body
    assert "govuk-tag--red" in body


def test_viewing_the_own_profile_is_audited(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    client.get(reverse("mentors:my_profile"))
    event = AuditEvent.objects.get(action="mentors.mentor.view")
    assert event.actor == user and event.object_id == str(mentor.pk)


@pytest.mark.parametrize("url_name", SELF_SERVICE_URLS)
@pytest.mark.parametrize("role", ["coordinator", "supervisor", "referrer", "administrator"])
def test_other_roles_are_refused_the_self_service_pages(
    client, signed_in, make_user, role, url_name
):
    signed_in(make_user(role))
    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("url_name", SELF_SERVICE_URLS)
def test_a_mentor_user_without_a_mentor_record_gets_404(client, signed_in, make_user, url_name):
    signed_in(make_user("mentor"))
    assert client.get(reverse(url_name)).status_code == 404


def test_a_mentor_sees_only_their_own_record_never_another(client, signed_in):
    user, mine = mentor_with_account(full_name="Mine Mentor")
    _, theirs = mentor_with_account(full_name="Other Mentor", faith_background="Quaker")
    signed_in(user)
    body = client.get(reverse("mentors:my_profile")).content.decode()
    assert "Mine Mentor" in body
    assert "Other Mentor" not in body and "Quaker" not in body
    # The coordinators' edit page of any mentor, their own included, is closed to them.
    for pk in (mine.pk, theirs.pk):
        assert client.get(reverse("mentors:edit", args=[pk])).status_code == 403
        assert client.post(reverse("mentors:edit", args=[pk]), {}).status_code == 403
    assert client.get(reverse("mentors:change_requests")).status_code == 403


def test_the_profile_page_query_count_does_not_grow_with_records(
    client, signed_in, django_assert_max_num_queries
):
    user, mentor = mentor_with_account(matchable=True)
    signed_in(user)
    client.get(reverse("mentors:my_profile"))  # warm caches (session, data keys)
    with django_assert_max_num_queries(40) as small:
        client.get(reverse("mentors:my_profile"))
    count_small = len(small.captured_queries)
    pass_all_checks(mentor, on=timezone.localdate() - dt.timedelta(days=3))
    for code in ["ideologies", "mentoring-skills", "data-protection", "prevention-duty"]:
        TrainingCompletion.objects.create(
            mentor=mentor,
            module=TrainingModule.objects.get(code=code),
            completed_on=timezone.localdate(),
            cpd_hours=1,
            recorded_by=coordinator(),
        )
    with django_assert_max_num_queries(count_small) as large:
        client.get(reverse("mentors:my_profile"))
    assert len(large.captured_queries) == count_small


def test_a_left_mentor_can_still_see_their_record(client, signed_in):
    user, _mentor = mentor_with_account(status="left")
    signed_in(user)
    assert client.get(reverse("mentors:my_profile")).status_code == 200


def test_without_a_code_of_conduct_the_page_says_so(client, signed_in):
    CodeOfConduct.objects.all().delete()
    user, _ = mentor_with_account()
    signed_in(user)
    body = client.get(reverse("mentors:my_profile")).content.decode()
    assert "The scheme has not published a code of conduct yet." in body
