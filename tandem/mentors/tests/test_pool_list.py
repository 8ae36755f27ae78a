import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.catalogues.models import Area, Language, Specialism
from tandem.mentors import matchability
from tandem.mentors.models import (
    Accreditation,
    AgeBand,
    Gender,
    MentorStatus,
    Proficiency,
    VettingCheck,
)

from .factories import accredit, coordinator, make_matchable_mentor, make_mentor
from .factories_pool import add_profile, make_full_mentor

pytestmark = pytest.mark.django_db

URL = reverse("mentors:pool")


@pytest.fixture
def staff(make_user, signed_in):
    user = make_user("coordinator")
    signed_in(user)
    return user


def names(response) -> list[str]:
    return [row.mentor.full_name for row in response.context["rows"]]


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


# Who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        "mentor",
        "supervisor",
        "safeguarding_lead",
        "referrer",
        "board_member",
        "evaluator",
        "administrator",
    ],
)
def test_only_coordinators_see_the_pool(client, make_user, signed_in, role):
    signed_in(make_user(role))
    for name in ("mentors:pool", "mentors:expiries", "mentors:composition"):
        assert client.get(reverse(name)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# What a row shows ----------------------------------------------------------------------


def test_a_row_shows_name_link_status_profile_and_matchability(client, staff):
    mentor = make_full_mentor(full_name="Aisha Rahman")
    response = get(client)
    body = response.content.decode()
    assert f'href="{reverse("mentors:detail", args=[mentor.pk])}">Aisha Rahman</a>' in body
    assert "Accredited (active)" in body
    assert "Birmingham, Sandwell" in body
    assert "English (first language), Urdu (fluent)" in body
    assert "Islamic theology, Youth work" in body
    (row,) = response.context["rows"]
    assert row.matchable and row.first_reason == "" and row.other_reasons == 0


def test_a_mentor_who_cannot_take_a_case_shows_the_first_reason_and_how_many_more(client, staff):
    make_mentor(full_name="New Applicant")
    response = get(client)
    (row,) = response.context["rows"]
    assert not row.matchable
    assert row.first_reason == "Status is applicant"
    assert row.other_reasons >= 5  # five required checks, accreditation, code of conduct
    assert f"Status is applicant, and {row.other_reasons} more reasons" in (
        response.content.decode()
    )


def test_an_expired_check_is_the_reason_shown(client, staff):
    mentor = make_matchable_mentor(full_name="Expired Check")
    dbs = VettingCheck.objects.get(mentor=mentor, check_type__code="enhanced-dbs")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    VettingCheck.objects.filter(pk=dbs.pk).update(
        checked_on=yesterday - dt.timedelta(days=1095), expires_on=yesterday
    )
    (row,) = get(client).context["rows"]
    assert row.first_reason.startswith("Enhanced criminal-records check with barred list expired")
    assert row.other_reasons == 0


# Filters -------------------------------------------------------------------------------


def test_status_filter_takes_several_statuses(client, staff):
    make_mentor(full_name="A Applicant")
    make_mentor(full_name="B Vetting", status=MentorStatus.VETTING)
    make_mentor(full_name="C Left", status=MentorStatus.LEFT)
    response = get(client, status=["applicant", "vetting"])
    assert names(response) == ["A Applicant", "B Vetting"]


def test_can_take_a_case_today_filter(client, staff):
    make_matchable_mentor(full_name="Ready")
    make_mentor(full_name="Not ready", status=MentorStatus.ACTIVE)
    assert names(get(client, matchable="yes")) == ["Ready"]
    assert names(get(client, matchable="no")) == ["Not ready"]
    assert names(get(client, matchable="")) == ["Not ready", "Ready"]


def test_language_filter_with_minimum_proficiency(client, staff):
    urdu = Language.objects.get(name="Urdu")
    add_profile(make_mentor(full_name="Basic"), languages=[("Urdu", Proficiency.BASIC)])
    add_profile(make_mentor(full_name="Fluent"), languages=[("Urdu", Proficiency.FLUENT)])
    add_profile(make_mentor(full_name="First"), languages=[("Urdu", Proficiency.FIRST)])
    add_profile(make_mentor(full_name="Polish"), languages=[("Polish", Proficiency.FIRST)])
    assert names(get(client, language=urdu.pk)) == ["Basic", "First", "Fluent"]
    assert names(get(client, language=urdu.pk, proficiency="fluent")) == ["First", "Fluent"]


def test_proficiency_without_a_language_is_explained(client, staff):
    make_mentor(full_name="Someone")
    response = get(client, proficiency="fluent")
    assert "Select a language to filter by minimum proficiency" in response.content.decode()
    assert names(response) == ["Someone"]


def test_profile_attribute_filters(client, staff):
    area = Area.objects.get(name="Walsall")
    theology = Specialism.objects.get(code="islamic-theology")
    match = add_profile(
        make_mentor(
            full_name="Match",
            gender=Gender.FEMALE,
            age_band=AgeBand.A35_44,
            offers_online=True,
            has_lived_experience=True,
        ),
        areas=["Walsall"],
        specialisms=["islamic-theology"],
    )
    add_profile(make_mentor(full_name="Other", gender=Gender.MALE, age_band=AgeBand.A25_34))
    make_mentor(full_name="Unrecorded")
    assert names(get(client, gender="female")) == ["Match"]
    assert names(get(client, gender="none")) == ["Unrecorded"]
    assert names(get(client, age_band="35-44")) == ["Match"]
    assert names(get(client, age_band="none")) == ["Unrecorded"]
    assert names(get(client, specialism=theology.pk)) == ["Match"]
    assert names(get(client, area=area.pk)) == ["Match"]
    assert names(get(client, online="yes")) == ["Match"]
    assert names(get(client, online="no")) == ["Other", "Unrecorded"]
    assert names(get(client, lived_experience="yes")) == ["Match"]
    assert names(get(client, q="matc")) == ["Match"]
    assert names(get(client, q=match.email.upper())) == ["Match"]
    combined = get(client, gender="female", area=area.pk, online="yes", lived_experience="no")
    assert names(combined) == []


def test_accreditation_filter_counts_only_current_accreditations(client, staff):
    by = coordinator()
    senior = make_mentor(full_name="Senior", status=MentorStatus.ACTIVE)
    accredit(senior, level_code="senior", by=by)
    trainee = make_mentor(full_name="Trainee", status=MentorStatus.ACTIVE)
    accredit(trainee, level_code="trainee", by=by)
    lapsed = make_mentor(full_name="Lapsed", status=MentorStatus.ACTIVE)
    old = accredit(lapsed, level_code="senior", by=by)
    Accreditation.objects.filter(pk=old.pk).update(
        awarded_on=timezone.localdate() - dt.timedelta(days=800),
        expires_on=timezone.localdate() - dt.timedelta(days=70),
    )
    assert names(get(client, accreditation="senior")) == ["Senior"]
    assert names(get(client, accreditation="trainee")) == ["Trainee"]
    assert names(get(client, accreditation="none")) == ["Lapsed"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"area": "abc"}, "Select an area from the list"),
        ({"area": "99999999999999999999999"}, "Select an area from the list"),
        ({"language": "-1"}, "Select a language from the list"),
        ({"specialism": "1e9"}, "Select a specialism from the list"),
        ({"status": ["applicant", "bogus"]}, "Select statuses from the list"),
        ({"matchable": "maybe"}, "Select whether the mentor can take a case today"),
        ({"gender": "<script>"}, "Select a gender from the list"),
        ({"accreditation": "platinum"}, "Select an accreditation level from the list"),
        ({"sort": "password"}, "Select a sort order from the list"),
        ({"q": "x" * 101}, "Name or email address must be 100 characters or fewer"),
    ],
)
def test_bad_filter_values_are_explained_never_a_server_error(client, staff, params, message):
    make_mentor(full_name="Still Listed")
    response = get(client, **params)
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert "<script>" not in body
    assert names(response) == ["Still Listed"]


def test_a_bad_value_in_one_filter_keeps_the_others(client, staff):
    make_mentor(full_name="Applicant")
    make_mentor(full_name="Vetting", status=MentorStatus.VETTING)
    response = get(client, status="vetting", area="abc")
    assert names(response) == ["Vetting"]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1.5", ""])
def test_odd_page_numbers_show_a_page(client, staff, page):
    make_mentor()
    assert get(client, page=page).context["rows"]


def test_selected_filters_can_be_removed_one_by_one(client, staff):
    urdu = Language.objects.get(name="Urdu")
    response = get(client, status=["applicant", "vetting"], language=urdu.pk, proficiency="fluent")
    selected = {c["heading"]: c["items"] for c in response.context["form"].active_filters}
    assert [i["text"] for i in selected["Status"]] == ["Applicant", "Vetting"]
    remove_applicant = selected["Status"][0]["href"]
    assert "status=vetting" in remove_applicant and "status=applicant" not in remove_applicant
    # Removing the language removes its proficiency too.
    remove_language = selected["Language"][0]["href"]
    assert "language=" not in remove_language.replace("language=&", "")
    assert "proficiency" not in remove_language


# Sorting and pagination ----------------------------------------------------------------


def test_sort_by_status_follows_the_pipeline_then_name(client, staff):
    make_mentor(full_name="Zed", status=MentorStatus.APPLICANT)
    make_mentor(full_name="Amy", status=MentorStatus.LEFT)
    make_mentor(full_name="Bob", status=MentorStatus.ACTIVE)
    make_mentor(full_name="Abe", status=MentorStatus.APPLICANT)
    assert names(get(client, sort="status")) == ["Abe", "Zed", "Bob", "Amy"]
    assert names(get(client)) == ["Abe", "Amy", "Bob", "Zed"]


def test_sort_by_date_applied(client, staff):
    today = timezone.localdate()
    make_mentor(full_name="Old", applied_on=today - dt.timedelta(days=100))
    make_mentor(full_name="New", applied_on=today)
    make_mentor(full_name="Mid", applied_on=today - dt.timedelta(days=10))
    assert names(get(client, sort="applied_desc")) == ["New", "Mid", "Old"]
    assert names(get(client, sort="applied_asc")) == ["Old", "Mid", "New"]


def test_pages_of_25_keep_every_filter(client, staff):
    for n in range(30):
        make_mentor(
            full_name=f"Mentor {n:02}", status=MentorStatus.VETTING if n % 2 else "applicant"
        )
    first = get(client, status=["applicant", "vetting"])
    assert len(first.context["rows"]) == 25
    body = first.content.decode()
    next_link = re.search(r'href="([^"]*)" rel="next"', body).group(1).replace("&amp;", "&")
    assert "status=applicant" in next_link and "status=vetting" in next_link
    second = client.get(URL + next_link)
    assert len(second.context["rows"]) == 5


# Empty states --------------------------------------------------------------------------


def test_an_empty_pool_says_so(client, staff):
    body = get(client).content.decode()
    assert "There are no mentors yet" in body


def test_filters_that_match_nobody_say_so_and_offer_to_clear(client, staff):
    make_mentor()
    body = get(client, status="left").content.decode()
    assert "No mentors match these filters" in body
    assert "clear all the filters" in body


# Cost ----------------------------------------------------------------------------------


def _queries(client, **params) -> int:
    # "Can take a case" reads the active pool kept between requests (matching's
    # poolcache): the first request after a change reads it (about ten queries more, the
    # same at every size), the next ones do not. Counted warm.
    get(client, **params)
    with CaptureQueriesContext(connection) as captured:
        get(client, **params)
    return len(captured)


def test_query_count_does_not_grow_with_the_number_of_mentors(client, staff):
    by = coordinator()
    urdu = Language.objects.get(name="Urdu")
    views = [
        {},
        {"matchable": "yes", "language": urdu.pk},
        {"sort": "status", "accreditation": "accredited"},
    ]
    for _ in range(5):
        make_full_mentor(by=by)
    small = [_queries(client, **params) for params in views]
    for _ in range(55):
        make_full_mentor(by=by)
    make_mentor(status=MentorStatus.VETTING)  # and one with nothing related
    large = [_queries(client, **params) for params in views]
    assert large == small
    assert all(n <= 25 for n in large), large


def test_the_rules_are_loaded_once_per_request(client, staff, monkeypatch):
    for _ in range(3):
        make_full_mentor()
    calls = []
    real = matchability.Rules.load.__func__

    def counting(cls, today=None):
        calls.append(today)
        return real(cls, today)

    monkeypatch.setattr(matchability.Rules, "load", classmethod(counting))
    get(client, matchable="no")
    assert len(calls) == 1
