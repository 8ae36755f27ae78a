"""The profile form: the mentor's own (/mentors/me/edit/) and the coordinator's
(/mentors/<pk>/edit/), and the profile_update service behind both."""

import pytest
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.catalogues.models import Area, Language, Specialism
from tandem.core.tests.encryption.rawsql import raw_column
from tandem.mentors.models import AvailabilitySlot, Mentor, MentorLanguage, MentorSpecialism
from tandem.mentors.services import profile as services

from .factories import coordinator, make_mentor
from .factories_profile import mentor_with_account, profile_post, refreshed

pytestmark = pytest.mark.django_db

EDIT = reverse("mentors:my_profile_edit")


def lang(name):
    return f"language_{Language.objects.get(name=name).pk}"


def spec(code):
    return f"specialism_{Specialism.objects.get(code=code).pk}"


def area(name):
    return Area.objects.get(name=name).pk


def test_the_edit_page_has_labelled_inputs_and_a_fieldset_per_day(client, signed_in):
    user, _ = mentor_with_account()
    signed_in(user)
    body = client.get(EDIT).content.decode()
    assert "Save profile" in body
    assert f'<label class="govuk-label" for="id_{lang("Urdu")}">Urdu</label>' in body
    for day in ["Monday", "Sunday"]:
        assert f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{day}' in body
    assert "only used for matching, only coordinators see it" in body
    assert "id_caseload_cap" not in body  # mentors see the cap, read-only
    assert "A coordinator sets this" in body


def test_a_mentor_saves_their_whole_profile(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    data = profile_post(
        gender="self_described",
        gender_self_description="Genderfluid",
        faith_background="Sunni Muslim",
        cultural_background="British Pakistani",
        has_lived_experience="yes",
        lived_experience="Left a far-right group in 2012",
        areas=[area("Walsall"), area("Dudley")],
        travel_radius_km="25",
        offers_online="on",
        availability_0=["morning", "evening"],
        availability_5=["afternoon"],
    )
    data[lang("Urdu")] = "first"
    data[lang("English")] = "fluent"
    data[spec("youth-work")] = "on"
    data[spec("youth-work") + "_evidence"] = "Ten years as a youth worker"
    data[spec("islamic-theology")] = "on"
    data[spec("islamic-theology") + "_qualification"] = "Alimiyyah, 2010"
    response = client.post(EDIT, data)
    assert response.status_code == 302 and response.url == reverse("mentors:my_profile")

    mentor = refreshed(mentor)
    assert mentor.gender == "self_described"
    assert mentor.gender_self_description == "Genderfluid"
    assert mentor.faith_background == "Sunni Muslim"
    assert mentor.has_lived_experience and mentor.lived_experience.startswith("Left")
    assert mentor.travel_radius_km == 25 and mentor.offers_online
    assert {a.name for a in mentor.areas.all()} == {"Walsall", "Dudley"}
    assert {(r.language.name, r.proficiency) for r in mentor.languages.all()} == {
        ("Urdu", "first"),
        ("English", "fluent"),
    }
    youth = mentor.specialisms.get(specialism__code="youth-work")
    assert youth.evidence == "Ten years as a youth worker"
    theology = mentor.specialisms.get(specialism__code="islamic-theology")
    assert theology.qualification == "Alimiyyah, 2010"
    assert set(mentor.availability.values_list("weekday", "part")) == {
        (0, "morning"),
        (0, "evening"),
        (5, "afternoon"),
    }
    page = client.get(reverse("mentors:my_profile")).content.decode()
    assert "Urdu (first language)" in page and "Monday: morning, evening" in page


def test_saving_again_replaces_the_related_rows(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    first = profile_post(areas=[area("Coventry")], availability_1=["morning"])
    first[lang("Polish")] = "basic"
    first[spec("family-support")] = "on"
    client.post(EDIT, first)
    second = profile_post(areas=[area("Solihull")], availability_2=["evening"])
    second[lang("Somali")] = "conversational"
    client.post(EDIT, second)
    mentor = refreshed(mentor)
    assert [a.name for a in mentor.areas.all()] == ["Solihull"]
    assert [r.language.name for r in mentor.languages.all()] == ["Somali"]
    assert not mentor.specialisms.exists()
    assert list(mentor.availability.values_list("weekday", "part")) == [(2, "evening")]
    assert MentorLanguage.objects.count() == 1 and AvailabilitySlot.objects.count() == 1


def test_theology_without_a_qualification_is_refused_and_everything_typed_is_kept(
    client, signed_in
):
    user, mentor = mentor_with_account()
    signed_in(user)
    data = profile_post(
        faith_background="Shia Muslim", travel_radius_km="150", areas=[area("Sandwell")]
    )
    data[spec("islamic-theology")] = "on"
    data[spec("islamic-theology") + "_evidence"] = "Taught at a madrasa"
    data[lang("Arabic")] = "fluent"
    response = client.post(EDIT, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter the qualification in Islamic theology" in body
    assert "Enter a travel radius from 0 to 100 kilometres" in body
    assert "Shia Muslim" in body and "Taught at a madrasa" in body and "150" in body
    assert 'value="fluent" selected' in body
    assert f'id="id_{spec("islamic-theology")}" name="{spec("islamic-theology")}"' in body
    assert not MentorSpecialism.objects.exists()
    assert refreshed(mentor).faith_background == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("travel_radius_km", "", "Enter the travel radius in kilometres"),
        ("travel_radius_km", "ten", "Enter the travel radius as a whole number, like 15"),
        ("travel_radius_km", "-1", "Enter a travel radius from 0 to 100 kilometres"),
        ("gender", "robot", "Select a valid choice"),
        ("age_band", "12-17", "Select a valid choice"),
        ("availability_0", "midnight", "Select times of day for Monday"),
    ],
)
def test_bad_input_gives_a_specific_error(client, signed_in, field, value, message):
    user, _ = mentor_with_account()
    signed_in(user)
    body = client.post(EDIT, profile_post(**{field: value})).content.decode()
    assert message in body


def test_a_bogus_proficiency_is_refused(client, signed_in):
    user, _ = mentor_with_account()
    signed_in(user)
    data = profile_post()
    data[lang("Farsi")] = "native-ish"
    assert "Select how well Farsi is spoken" in client.post(EDIT, data).content.decode()


def test_describing_lived_experience_needs_yes(client, signed_in):
    user, _ = mentor_with_account()
    signed_in(user)
    body = client.post(
        EDIT, profile_post(has_lived_experience="no", lived_experience="Something")
    ).content.decode()
    assert "Select yes if you want to describe lived experience" in body
    assert "Something" in body


def test_a_gender_description_is_dropped_unless_in_another_way(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    client.post(EDIT, profile_post(gender="male", gender_self_description="stale"))
    assert refreshed(mentor).gender_self_description == ""


def test_a_mentor_cannot_set_their_own_caseload_cap(client, signed_in):
    user, mentor = mentor_with_account(caseload_cap=2)
    signed_in(user)
    client.post(EDIT, profile_post(caseload_cap="6"))
    assert refreshed(mentor).caseload_cap == 2
    with pytest.raises(services.ProfileError, match="Only a coordinator"):
        services.profile_update(actor=user, mentor=mentor, data={"caseload_cap": 5})


def test_the_profile_is_audited_with_field_names_only(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    data = profile_post(faith_background="Sikh", areas=[area("Birmingham")])
    data[lang("Punjabi")] = "first"
    client.post(EDIT, data)
    event = AuditEvent.objects.get(action="mentor.profile_update")
    assert event.actor == user and event.object_id == str(mentor.pk)
    assert event.changed_fields == sorted(
        ["age_band", "areas", "faith_background", "gender", "languages", "travel_radius_km"]
    )
    assert "Sikh" not in str(event.__dict__) and "Punjabi" not in str(event.__dict__)


def test_saving_an_unchanged_profile_records_nothing(client, signed_in):
    user, _mentor = mentor_with_account()
    signed_in(user)
    client.post(EDIT, profile_post())
    client.post(EDIT, profile_post())
    assert AuditEvent.objects.filter(action="mentor.profile_update").count() == 1


def test_faith_culture_and_lived_experience_are_encrypted_at_rest(client, signed_in):
    user, mentor = mentor_with_account()
    signed_in(user)
    client.post(
        EDIT,
        profile_post(
            faith_background="Ahmadiyya",
            cultural_background="Ghanaian",
            has_lived_experience="yes",
            lived_experience="Served a sentence for a hate crime",
        ),
    )
    for field, plain in [
        ("faith_background", "Ahmadiyya"),
        ("cultural_background", "Ghanaian"),
        ("lived_experience", "hate crime"),
    ]:
        stored = raw_column(Mentor, field, mentor.pk)
        assert stored.startswith("e1:") and plain not in stored


def test_the_edit_page_keeps_a_mentors_saved_profile(client, signed_in):
    user, mentor = mentor_with_account()
    services.profile_update(
        actor=user,
        mentor=mentor,
        data={
            "languages": {Language.objects.get(name="Turkish").pk: "conversational"},
            "specialisms": {Specialism.objects.get(code="ete").pk: ("Careers adviser", "")},
            "availability": {(3, "afternoon")},
            "faith_background": "Alevi",
        },
    )
    signed_in(user)
    body = client.get(EDIT).content.decode()
    assert 'value="conversational" selected' in body
    assert "Careers adviser" in body and "Alevi" in body
    assert 'id="id_availability_3_1" checked' in body


# Coordinators ---------------------------------------------------------------------------


def test_a_coordinator_edits_any_mentor_and_sets_the_caseload_cap(client, signed_in):
    boss = coordinator()
    mentor = make_mentor(full_name="Ben Cole")
    signed_in(boss)
    url = reverse("mentors:edit", args=[mentor.pk])
    body = client.get(url).content.decode()
    assert "id_caseload_cap" in body and "Ben Cole" in body
    response = client.post(url, profile_post(caseload_cap="4", offers_online="on"))
    assert response.status_code == 302
    mentor = refreshed(mentor)
    assert mentor.caseload_cap == 4 and mentor.offers_online
    event = AuditEvent.objects.get(action="mentor.profile_update")
    assert event.actor == boss and "caseload_cap" in event.changed_fields


@pytest.mark.parametrize("cap", ["7", "-1", "", "two"])
def test_the_caseload_cap_must_be_0_to_6(client, signed_in, cap):
    mentor = make_mentor(caseload_cap=2)
    signed_in(coordinator())
    response = client.post(
        reverse("mentors:edit", args=[mentor.pk]), profile_post(caseload_cap=cap)
    )
    assert response.status_code == 200
    assert "caseload cap" in response.content.decode()
    assert refreshed(mentor).caseload_cap == 2


def test_the_service_refuses_a_cap_above_6_even_for_a_coordinator():
    mentor = make_mentor()
    with pytest.raises(services.ProfileError):
        services.profile_update(actor=coordinator(), mentor=mentor, data={"caseload_cap": 7})


@pytest.mark.parametrize("role", ["mentor", "supervisor", "referrer", "board_member"])
def test_only_coordinators_reach_the_coordinator_edit_page(client, signed_in, make_user, role):
    mentor = make_mentor()
    signed_in(make_user(role))
    assert client.get(reverse("mentors:edit", args=[mentor.pk])).status_code == 403


def test_an_unknown_mentor_is_404(client, signed_in):
    signed_in(coordinator())
    assert client.get(reverse("mentors:edit", args=[999999])).status_code == 404


def test_viewing_the_coordinator_edit_page_is_audited(client, signed_in):
    boss = coordinator()
    mentor = make_mentor()
    signed_in(boss)
    client.get(reverse("mentors:edit", args=[mentor.pk]))
    assert AuditEvent.objects.filter(
        action="mentors.mentor.view", actor=boss, object_id=str(mentor.pk)
    ).exists()


def test_the_edit_page_query_count_does_not_grow_with_the_profile(
    client, signed_in, django_assert_max_num_queries
):
    user, mentor = mentor_with_account()
    signed_in(user)
    client.get(EDIT)
    with django_assert_max_num_queries(60) as before:
        client.get(EDIT)
    services.profile_update(
        actor=user,
        mentor=mentor,
        data={
            "languages": {pk: "fluent" for pk in Language.objects.values_list("pk", flat=True)},
            "areas": list(Area.objects.all()),
            "availability": {(d, p) for d in range(7) for p in ("morning", "evening")},
        },
    )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(EDIT)
