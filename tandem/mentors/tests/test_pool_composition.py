import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.mentors.models import AgeBand, Gender, MentorStatus, Proficiency

from .factories import coordinator, make_matchable_mentor, make_mentor
from .factories_pool import add_profile, make_full_mentor

pytestmark = pytest.mark.django_db

URL = reverse("mentors:composition")


@pytest.fixture
def staff(make_user, signed_in):
    user = make_user("coordinator")
    signed_in(user)
    return user


def table(response, caption) -> dict[str, tuple[int, int]]:
    (found,) = [t for t in response.context["tables"] if t.caption == caption]
    return {label: (active, matchable) for label, active, matchable in found.rows}


def test_counts_by_status_and_by_attribute_for_active_and_matchable(client, staff):
    ready = make_matchable_mentor(gender=Gender.FEMALE, age_band=AgeBand.A35_44, offers_online=True)
    add_profile(
        ready,
        languages=[("Urdu", Proficiency.FIRST), ("English", Proficiency.FLUENT)],
        areas=["Birmingham", "Walsall"],
        specialisms=["islamic-theology"],
    )
    not_ready = make_mentor(
        status=MentorStatus.ACTIVE, gender=Gender.MALE, has_lived_experience=True
    )
    add_profile(not_ready, languages=[("Urdu", Proficiency.BASIC)], areas=["Walsall"])
    applicant = make_mentor(gender=Gender.FEMALE)
    add_profile(applicant, languages=[("Somali", Proficiency.FIRST)])
    make_mentor(status=MentorStatus.LEFT)

    response = client.get(URL)
    assert response.status_code == 200
    assert dict(response.context["by_status"]) == {
        "Applicant": 1,
        "Vetting": 0,
        "Training": 0,
        "Accredited (active)": 2,
        "Paused": 0,
        "Suspended": 0,
        "Left": 1,
    }
    assert response.context["total"] == 4
    assert response.context["total_active"] == 2
    assert response.context["total_matchable"] == 1

    languages = table(response, "Languages")
    assert languages["Urdu"] == (2, 1)
    assert languages["English"] == (1, 1)
    assert languages["Somali"] == (0, 0)  # applicants are not counted; gaps show as zero
    assert table(response, "Gender")["Female"] == (1, 1)
    assert table(response, "Gender")["Male"] == (1, 0)
    assert table(response, "Age band")["35 to 44"] == (1, 1)
    assert table(response, "Age band")["Not recorded"] == (1, 0)
    assert table(response, "Areas served")["Walsall"] == (2, 1)
    assert table(response, "Areas served")["Coventry"] == (0, 0)
    assert table(response, "Specialisms")["Islamic theology"] == (1, 1)
    assert table(response, "Lived experience") == {"Yes": (1, 0), "No": (1, 1)}
    assert table(response, "Online sessions") == {"Yes": (1, 1), "No": (1, 0)}

    body = response.content.decode()
    assert "<caption" in body and 'scope="col"' in body and 'scope="row"' in body


def test_no_active_mentors_says_so(client, staff):
    make_mentor()
    body = client.get(URL).content.decode()
    assert "There are no active mentors" in body


def test_query_count_does_not_grow(client, staff):
    by = coordinator()

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    for _ in range(3):
        make_full_mentor(by=by)
    small = count()
    for _ in range(30):
        make_full_mentor(by=by)
    make_mentor(status=MentorStatus.PAUSED)
    assert count() == small
    assert small <= 20
