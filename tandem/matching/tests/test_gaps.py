import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseStatus, MentorGenderPreference, Urgency
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import ConcernType, Specialism
from tandem.core.encryption import datakeys
from tandem.matching import poolcache
from tandem.matching.gaps import Need, pool_gaps
from tandem.matching.models import MatchingPolicy, MatchStatus
from tandem.mentors.models import AccreditationLevel, Proficiency
from tandem.mentors.tests.factories import accredit

from .factories import live_match, matching_mentor, waiting_case

pytestmark = pytest.mark.django_db

URL = reverse("matching:gaps")
FEMALE = MentorGenderPreference.FEMALE
MALE = MentorGenderPreference.MALE
FIRST, FLUENT = Proficiency.FIRST, Proficiency.FLUENT


def concern(code: str) -> ConcernType:
    return ConcernType.objects.get(code=code)


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def urdu_theology_case(**fields):
    """Needs a female mentor who speaks Urdu; an Islamist concern calls for theology."""
    fields.setdefault("status_changed_at", days_ago(10))
    return waiting_case(
        languages=("Urdu",),
        mentor_gender_preference=FEMALE,
        concern_type=concern("islamist"),
        **fields,
    )


def english_case(**fields):
    fields.setdefault("concern_type", concern("hate-crime"))
    return waiting_case(languages=("English", "Urdu"), **fields)


def by_label(report):
    return {profile.label: profile for profile in report.profiles}


# Grouping and ranking ------------------------------------------------------------------


def test_cases_with_the_same_unmet_needs_form_one_profile_with_no_feasible_mentor():
    # Urdu speakers exist, but none is female; female mentors exist, but speak English.
    matching_mentor(gender="male", languages=(("Urdu", FLUENT),), specialisms=("islamic-theology",))
    matching_mentor(gender="female")
    cases = [urdu_theology_case(status_changed_at=days_ago(d)) for d in (3, 20, 9)]

    report = pool_gaps()

    assert report.waiting == 3 and report.gaps == 3 and report.mentors == 2
    (profile,) = report.profiles
    assert profile.label == "female · Urdu · Islamic theology · Birmingham"
    assert profile.need == Need(
        gender="female", languages=("Urdu",), specialisms=("Islamic theology",), area="Birmingham"
    )
    assert profile.waiting == 3
    assert (profile.feasible, profile.feasible_if_free) == (0, 0)
    # Longest waiting first.
    assert [c.reference for c in profile.cases] == [
        cases[1].reference,
        cases[2].reference,
        cases[0].reference,
    ]
    assert profile.waiting_since == cases[1].status_changed_at
    # The male Urdu speaker and the English speaker are excluded for different reasons.
    assert profile.top_excluded == 1
    assert profile.top_exclusion in {"no Urdu", "not female"}
    assert profile.exclusions == "2 excluded: 1 no Urdu, 1 not female"


def test_a_case_whose_mentors_are_all_full_says_how_many_would_fit_with_places_free():
    for _ in range(2):
        mentor = matching_mentor(
            gender="male", languages=(("Punjabi", FIRST),), areas=("Coventry",), caseload_cap=1
        )
        live_match(make_case(status=CaseStatus.MATCHED), mentor, status=MatchStatus.ACCEPTED)
    case = waiting_case(
        languages=("Punjabi",),
        area="Coventry",
        mentor_gender_preference=MALE,
        concern_type=concern("hate-crime"),
    )

    (profile,) = pool_gaps().profiles

    assert profile.label == "male · Punjabi · Coventry"
    assert (profile.feasible, profile.feasible_if_free) == (0, 2)
    assert profile.cases[0].reference == case.reference
    assert profile.top_exclusion == "at capacity" and profile.top_excluded == 2


def test_cases_with_enough_feasible_mentors_are_not_gaps():
    for _ in range(3):
        matching_mentor()
    english_case()
    policy = MatchingPolicy.load()
    assert policy.few_feasible == 2

    report = pool_gaps()

    assert report.waiting == 1 and report.gaps == 0 and report.profiles == []


def test_the_threshold_is_the_policys():
    for _ in range(3):
        matching_mentor()
    english_case()
    MatchingPolicy.objects.filter(pk=1).update(few_feasible=3)

    (profile,) = pool_gaps().profiles

    assert profile.feasible == 3
    # English will do, and hate crime calls for no theology: only the area is left.
    assert profile.label == "Birmingham"


def test_cases_with_a_live_proposal_are_not_counted():
    mentor = matching_mentor(caseload_cap=1)
    case = urdu_theology_case()
    live_match(case, mentor)

    assert pool_gaps().waiting == 0


def test_a_required_specialism_and_an_interpreter_shape_the_profile():
    matching_mentor()
    case = waiting_case(
        languages=("Arabic",),
        interpreter_needed=True,
        concern_type=concern("islamist"),
        required_specialism=Specialism.objects.get(code="mental-health"),
        area="Walsall",
    )

    (profile,) = pool_gaps().profiles

    # With an interpreter any mentor's language will do; the required specialism
    # replaces the concern's theology.
    assert profile.label == "Mental health awareness · Walsall"
    assert profile.cases[0].reference == case.reference


def test_experience_is_part_of_the_need_only_where_it_keeps_mentors_out():
    senior = AccreditationLevel.objects.get(code="senior")
    MatchingPolicy.objects.filter(pk=1).update(urgent_min_level=senior)
    matching_mentor(areas=("Dudley",))  # accredited, below senior
    urgent = english_case(area="Dudley", urgency=Urgency.URGENT)
    routine = english_case(area="Dudley")

    report = pool_gaps()

    labels = by_label(report)
    # The routine case has one feasible mentor (a gap, but experience is not its need);
    # the urgent one has none, because the only mentor is below senior.
    assert set(labels) == {"Dudley", "Dudley · urgent: needs Senior or above"}
    profile = labels["Dudley · urgent: needs Senior or above"]
    assert [c.reference for c in profile.cases] == [urgent.reference]
    assert (profile.feasible, profile.feasible_if_free) == (0, 0)
    assert profile.top_exclusion == "below the accreditation level required"
    assert [c.reference for c in labels["Dudley"].cases] == [routine.reference]
    assert labels["Dudley"].feasible == 1


def test_an_urgent_case_with_experienced_mentors_to_spare_has_no_experience_need():
    MatchingPolicy.objects.filter(pk=1).update(few_feasible=1)
    mentor = matching_mentor(areas=("Dudley",))
    accredit(mentor, level_code="senior")  # as urgent cases require by default
    english_case(area="Dudley", urgency=Urgency.URGENT)

    assert [p.label for p in pool_gaps().profiles] == ["Dudley"]


def test_profiles_rank_by_waiting_count_then_longest_wait_then_fewest_feasible():
    matching_mentor(areas=("Solihull",))
    # Two people in Walsall, waiting a short time.
    for _ in range(2):
        english_case(area="Walsall", status_changed_at=days_ago(2))
    # One person in each of three areas: Sandwell waits longest; Solihull and Dudley wait
    # equally long, and Dudley has fewer feasible mentors (the Solihull mentor is
    # within travel distance of Solihull only).
    english_case(area="Sandwell", status_changed_at=days_ago(50))
    same = days_ago(20)
    english_case(area="Solihull", status_changed_at=same)
    english_case(area="Wolverhampton", status_changed_at=same)

    report = pool_gaps()

    assert [p.label for p in report.profiles] == [
        "Walsall",
        "Sandwell",
        "Wolverhampton",
        "Solihull",
    ]
    assert [p.waiting for p in report.profiles] == [2, 1, 1, 1]
    assert by_label(report)["Solihull"].feasible == 1
    assert by_label(report)["Wolverhampton"].feasible == 0


# The page ------------------------------------------------------------------------------


@pytest.fixture
def hard_to_place():
    matching_mentor(gender="male", languages=(("Urdu", FLUENT),))
    return [urdu_theology_case(status_changed_at=days_ago(d)) for d in (40, 5)]


def test_coordinators_see_profiles_with_the_cases_to_match(client, signed_in, hard_to_place):
    signed_in(create_user("coordinator"))

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "female · Urdu · Islamic theology · Birmingham" in html
    assert "2 waiting</strong>, 0 feasible mentors" in html
    assert "5 weeks" in html  # the longest wait
    for case in hard_to_place:
        assert case.reference in html
        assert case.first_name not in html
    assert f'href="/cases/{hard_to_place[0].pk}/' in html
    assert AuditEvent.objects.filter(action="case.list", reason="Pool gaps").count() == 1


def test_board_members_see_no_small_group_described_nor_references(
    client, signed_in, hard_to_place
):
    signed_in(create_user("board_member"))

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    # Two people share the profile: it is neither described nor counted exactly.
    assert "female · Urdu · Islamic theology · Birmingham" not in html
    assert "Other needs, each shared by fewer than 8 people" in html
    other = response.context["protected"]["profiles"][-1]["profile"]
    assert other.waiting == "withheld"
    assert response.context["protected"]["gaps"] == "withheld"
    assert "2 waiting" not in html
    for case in hard_to_place:
        assert case.reference not in html
        assert f"/cases/{case.pk}/" not in html
    assert response.context["profiles"] == []
    assert not AuditEvent.objects.filter(action="case.list").exists()


@pytest.mark.parametrize("role", ["referrer", "mentor", "evaluator"])
def test_other_roles_are_refused(client, signed_in, role):
    signed_in(create_user(role))
    assert client.get(URL).status_code == 403


def test_empty_state_when_nothing_is_a_gap(client, signed_in):
    signed_in(create_user("coordinator"))
    for _ in range(3):
        matching_mentor()
    english_case()

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["profiles"] == []
    assert "No gaps" in response.content.decode()
    assert "more than 2 mentors able to take them" in response.content.decode()


def test_query_count_does_not_grow_with_the_waiting_list(
    client, signed_in, django_capture_on_commit_callbacks
):
    signed_in(create_user("coordinator"))
    matching_mentor(gender="male", languages=(("Urdu", FLUENT),))
    areas = ["Birmingham", "Coventry", "Dudley", "Sandwell", "Walsall"]

    def add(n: int) -> None:
        # As if committed: the people's data keys are then read as they are in use.
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(n):
                urdu_theology_case(
                    area=areas[i % len(areas)],
                    urgency=[Urgency.ROUTINE, Urgency.URGENT, Urgency.PRIORITY][i % 3],
                    required_specialism=(
                        Specialism.objects.get(code="youth-work") if i % 2 else None
                    ),
                )
        datakeys.cache.clear()

    def count() -> tuple[int, int]:
        poolcache.forget()  # both counts read the pool afresh
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        return len(queries), len(response.context["profiles"])

    add(2)
    few, few_profiles = count()
    add(8)
    many, many_profiles = count()
    assert many_profiles > few_profiles
    assert many == few


def test_board_members_see_the_gaps_by_one_need_at_a_time_protected(
    client, signed_in, hard_to_place
):
    signed_in(create_user("board_member"))
    response = client.get(URL)
    needs = {table.caption: table for table in response.context["protected"]["needs"]}
    gender = dict(needs["By the mentor gender needed"].rows)
    assert gender["Female"] == "withheld"  # two people need a female mentor
    assert gender["Male"] == "0"
    area = dict(needs["By area"].rows)
    assert "Dudley" in area and "Birmingham" in area  # every area listed, gaps or not
    assert area["Birmingham"] == "withheld"
    assert needs["By area"].total == "withheld"
    assert "Gaps by area" in response.content.decode()
