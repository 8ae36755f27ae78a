import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseStatus, Urgency
from tandem.cases.selectors import age_band
from tandem.catalogues.models import Area, ConcernType

from .factories_lists import days_ago, listed_case

pytestmark = pytest.mark.django_db

URL = reverse("cases:list")


@pytest.fixture
def staff(make_user, signed_in):
    user = make_user("coordinator")
    signed_in(user)
    return user


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def refs(response) -> list[str]:
    return [row.case.reference for row in response.context["rows"]]


# Who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["supervisor", "safeguarding_lead", "referrer", "board_member", "evaluator", "administrator"],
)
def test_only_coordinators_and_mentors_may_list_cases(client, make_user, signed_in, role):
    listed_case()
    signed_in(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("cases:awaiting_match")).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_mentor_with_nobody_matched_sees_an_honest_empty_list(client, make_user, signed_in):
    case = listed_case(status=CaseStatus.AWAITING_MATCH)
    signed_in(make_user("mentor"))
    response = get(client)
    html = response.content.decode()
    assert "You are not matched with anyone yet" in html
    assert case.reference not in html
    assert "Apply filters" not in html
    # Filters cannot reach other people's cases either.
    response = get(client, reference=case.reference, status=CaseStatus.AWAITING_MATCH)
    assert case.reference not in response.content.decode()
    awaiting = client.get(reverse("cases:awaiting_match"))
    assert awaiting.status_code == 200
    assert case.reference not in awaiting.content.decode()


def test_coordinators_see_every_case(client, staff):
    a = listed_case(referred_by=create_user("referrer"))
    b = listed_case(referred_by=create_user("coordinator"))
    assert set(refs(get(client))) == {a.reference, b.reference}


# What a row shows ----------------------------------------------------------------------


def test_a_row_shows_reference_link_status_and_coarse_facts(client, staff):
    area = Area.objects.get(name="Dudley")
    concern = ConcernType.objects.get(code="incel")
    case = listed_case(
        status=CaseStatus.ACTIVE,
        area=area,
        concern_type=concern,
        urgency=Urgency.PRIORITY,
        age_at_referral=16,
        next_review_due=timezone.localdate() + dt.timedelta(days=9),
    )
    html = get(client).content.decode()
    assert f'href="{reverse("cases:detail", args=[case.pk])}">{case.reference}</a>' in html
    assert "In support" in html
    assert "Incel" in html
    assert "Priority" in html
    assert "Dudley" in html
    assert "Under 18" in html
    assert "Not waiting" in html
    due = case.next_review_due
    assert f"{due.day} {due:%b} {due.year}" in html
    assert "Overdue" not in html


def test_lists_show_references_never_names_or_dates_of_birth(client, staff):
    listed_case(
        first_name="Zebediah",
        last_name="Quarrington",
        date_of_birth="2010-02-03",
        status=CaseStatus.AWAITING_MATCH,
    )
    for url in (URL, reverse("cases:awaiting_match")):
        html = client.get(url).content.decode()
        assert "Zebediah" not in html
        assert "Quarrington" not in html
        assert "2010" not in html
        assert "3 Feb" not in html


@pytest.mark.parametrize(
    ("age", "band"),
    [(12, "Under 18"), (17, "Under 18"), (18, "18 to 24"), (24, "18 to 24"), (25, "25 and over")],
)
def test_age_is_shown_only_as_a_coarse_band(age, band):
    assert age_band(age) == band


def test_waiting_time_in_days_then_weeks(client, staff):
    listed_case(status=CaseStatus.REFERRED, waiting_days=3)
    listed_case(status=CaseStatus.AWAITING_MATCH, waiting_days=45)
    html = get(client).content.decode()
    assert "3 days" in html
    assert "6 weeks" in html


def test_an_overdue_review_is_marked_and_an_ended_case_has_none_due(client, staff):
    overdue = listed_case(
        status=CaseStatus.ACTIVE, next_review_due=timezone.localdate() - dt.timedelta(2)
    )
    closed = listed_case(
        status=CaseStatus.CLOSED, next_review_due=timezone.localdate() - dt.timedelta(2)
    )
    rows = {row.case.pk: row for row in get(client).context["rows"]}
    assert rows[overdue.pk].review_overdue
    assert rows[closed.pk].next_review_due is None
    assert not rows[closed.pk].review_overdue
    assert "Overdue" in get(client).content.decode()


# Filters -------------------------------------------------------------------------------


def test_status_filter_takes_several_statuses(client, staff):
    referred = listed_case(status=CaseStatus.REFERRED)
    active = listed_case(status=CaseStatus.ACTIVE)
    listed_case(status=CaseStatus.CLOSED)
    response = get(client, status=[CaseStatus.REFERRED, CaseStatus.ACTIVE])
    assert set(refs(response)) == {referred.reference, active.reference}


def test_concern_type_area_and_urgency_filters(client, staff):
    islamist = ConcernType.objects.get(code="islamist")
    right = ConcernType.objects.get(code="extreme-right-wing")
    walsall = Area.objects.get(name="Walsall")
    coventry = Area.objects.get(name="Coventry")
    wanted = listed_case(concern_type=islamist, area=walsall, urgency=Urgency.URGENT)
    listed_case(concern_type=right, area=walsall, urgency=Urgency.URGENT)
    listed_case(concern_type=islamist, area=coventry, urgency=Urgency.URGENT)
    listed_case(concern_type=islamist, area=walsall, urgency=Urgency.ROUTINE)
    response = get(client, concern_type=islamist.pk, area=walsall.pk, urgency=Urgency.URGENT)
    assert refs(response) == [wanted.reference]
    assert len(refs(get(client, concern_type=islamist.pk))) == 3
    assert len(refs(get(client, area=walsall.pk))) == 3
    assert len(refs(get(client, urgency=Urgency.URGENT))) == 3


def test_waiting_filter_counts_from_referral_or_from_the_start_of_the_wait_for_a_match(
    client, staff
):
    # Referred 5 weeks ago, still being screened: waiting 5 weeks.
    screening = listed_case(status=CaseStatus.SCREENING, waiting_days=35)
    # Referred long ago but waiting for a match for only 3 weeks.
    recent_wait = listed_case(
        status=CaseStatus.AWAITING_MATCH, received_at=days_ago(200), status_changed_at=days_ago(21)
    )
    # Waiting for a match for 9 weeks.
    long_wait = listed_case(
        status=CaseStatus.AWAITING_MATCH, received_at=days_ago(100), status_changed_at=days_ago(63)
    )
    # In support: not waiting, however old the referral.
    listed_case(
        status=CaseStatus.ACTIVE, received_at=days_ago(300), status_changed_at=days_ago(200)
    )
    assert set(refs(get(client, waiting="2"))) == {
        screening.reference,
        recent_wait.reference,
        long_wait.reference,
    }
    assert set(refs(get(client, waiting="4"))) == {screening.reference, long_wait.reference}
    assert refs(get(client, waiting="8")) == [long_wait.reference]


def test_reference_search_is_exact_and_forgives_case_and_spaces(client, staff):
    case = listed_case()
    listed_case()
    assert refs(get(client, reference=case.reference)) == [case.reference]
    assert refs(get(client, reference=f" {case.reference.lower()} ")) == [case.reference]
    year, number = case.reference.split("-")[1:]
    assert refs(get(client, reference=f"T-{year}-{int(number) + 1000:04d}")) == []


def test_a_reference_in_the_wrong_format_is_explained(client, staff):
    listed_case()
    response = get(client, reference="Quillon")
    html = response.content.decode()
    assert "Enter a case reference in the format T-2026-0042" in html
    assert "There is a problem" in html
    assert 'value="Quillon"' in html  # what was typed is kept


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "nope"}, "Select statuses from the list"),
        ({"concern_type": "abc"}, "Select a concern type from the list"),
        ({"concern_type": "999999"}, "Select a concern type from the list"),
        ({"concern_type": "\uff19"}, "Select a concern type from the list"),
        ({"area": "1e9"}, "Select an area from the list"),
        ({"area": "99999999999999999999999"}, "Select an area from the list"),
        ({"urgency": "whenever"}, "Select an urgency from the list"),
        ({"waiting": "3"}, "Select a waiting time from the list"),
        ({"sort": "name"}, "Select a sort order from the list"),
        ({"reference": "T-2026-" + "9" * 30}, "Enter a case reference in the format T-2026-0042"),
        ({"reference": "<script>"}, "Enter a case reference in the format T-2026-0042"),
    ],
)
def test_bad_filter_values_are_explained_never_a_server_error(client, staff, params, message):
    listed_case()
    response = get(client, **params)
    assert message in response.content.decode()


def test_a_bad_value_in_one_filter_keeps_the_others(client, staff):
    active = listed_case(status=CaseStatus.ACTIVE)
    listed_case(status=CaseStatus.REFERRED)
    response = get(client, status=CaseStatus.ACTIVE, area="abc")
    assert refs(response) == [active.reference]


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "\uff11"])
def test_odd_page_numbers_show_a_page(client, staff, page):
    listed_case()
    assert len(refs(get(client, page=page))) == 1


def test_selected_filters_can_be_removed_one_by_one(client, staff):
    listed_case(status=CaseStatus.ACTIVE)
    html = get(
        client, status=[CaseStatus.ACTIVE, CaseStatus.CLOSED], urgency="urgent"
    ).content.decode()
    assert "Selected filters" in html
    assert "Clear filters" in html
    # Removing "Closed" keeps "In support" and the urgency.
    assert 'href="?status=active&amp;urgency=urgent"' in html


# Sorting -------------------------------------------------------------------------------


def test_default_sort_is_newest_referral_first_and_can_be_reversed(client, staff):
    old = listed_case(received_at=days_ago(30))
    new = listed_case(received_at=days_ago(1))
    middle = listed_case(received_at=days_ago(10))
    assert refs(get(client)) == [new.reference, middle.reference, old.reference]
    assert refs(get(client, sort="received_asc")) == [
        old.reference,
        middle.reference,
        new.reference,
    ]


def test_sort_by_urgency_then_longest_waiting(client, staff):
    routine_long = listed_case(
        urgency=Urgency.ROUTINE, status=CaseStatus.AWAITING_MATCH, waiting_days=90
    )
    urgent_short = listed_case(
        urgency=Urgency.URGENT, status=CaseStatus.AWAITING_MATCH, waiting_days=2
    )
    urgent_long = listed_case(urgency=Urgency.URGENT, status=CaseStatus.REFERRED, waiting_days=20)
    priority = listed_case(urgency=Urgency.PRIORITY, status=CaseStatus.SCREENING, waiting_days=5)
    # Urgent but not waiting (in support): after the urgent cases that are waiting.
    urgent_active = listed_case(urgency=Urgency.URGENT, status=CaseStatus.ACTIVE, waiting_days=400)
    assert refs(get(client, sort="urgency")) == [
        urgent_long.reference,
        urgent_short.reference,
        urgent_active.reference,
        priority.reference,
        routine_long.reference,
    ]


def test_sort_by_status_follows_the_lifecycle(client, staff):
    closed = listed_case(status=CaseStatus.CLOSED)
    referred = listed_case(status=CaseStatus.REFERRED)
    active = listed_case(status=CaseStatus.ACTIVE)
    assert refs(get(client, sort="status")) == [
        referred.reference,
        active.reference,
        closed.reference,
    ]


# Pages and empty states ----------------------------------------------------------------


def test_pages_of_25_keep_every_filter(client, staff):
    referrer = create_user("referrer")
    for _ in range(27):
        listed_case(referred_by=referrer, status=CaseStatus.ACTIVE, urgency=Urgency.PRIORITY)
    listed_case(referred_by=referrer, status=CaseStatus.CLOSED)
    response = get(client, status=CaseStatus.ACTIVE, urgency="priority", sort="received_asc")
    assert len(response.context["rows"]) == 25
    html = response.content.decode()
    assert "27 cases match the filters" in html
    next_link = re.search(r'href="([^"]*page=2[^"]*)" rel="next"', html).group(1)
    assert "status=active" in next_link
    assert "urgency=priority" in next_link
    assert "sort=received_asc" in next_link
    second = client.get(URL + next_link.replace("&amp;", "&"))
    assert len(second.context["rows"]) == 2


def test_no_cases_yet_says_so(client, staff):
    assert "There are no cases yet" in get(client).content.decode()


def test_filters_that_match_nothing_say_so_and_offer_to_clear(client, staff):
    listed_case(status=CaseStatus.ACTIVE)
    html = get(client, status=CaseStatus.CLOSED).content.decode()
    assert "No cases match these filters" in html
    assert "clear all the filters" in html


def test_the_page_has_labelled_filters_and_an_apply_button(client, staff):
    html = get(client).content.decode()
    assert html.count("<h1") == 1
    assert "Apply filters" in html
    for label in ("Case reference", "Status", "Concern type", "Urgency", "Area", "Waiting time"):
        assert label in html
    assert '<caption class="govuk-table__caption' not in html  # no table when empty
    listed_case()
    html = get(client).content.decode()
    assert '<caption class="govuk-table__caption' in html
    assert 'scope="col"' in html
    assert 'scope="row"' in html


# Audit and cost ------------------------------------------------------------------------


def test_listing_cases_is_audited_with_filter_names_never_values(client, staff):
    case = listed_case()
    get(client, reference=case.reference, urgency="routine")
    event = AuditEvent.objects.filter(action="case.list").latest("sequence")
    assert event.actor == staff
    assert event.object_type == "cases.case"
    assert sorted(event.changed_fields) == ["reference", "urgency"]
    assert case.reference not in str(event.changed_fields)
    assert case.reference not in event.object_id


def test_query_count_does_not_grow_with_the_number_of_cases(client, staff):
    referrer = create_user("referrer")
    for i in range(5):
        listed_case(
            referred_by=referrer,
            status=CaseStatus.AWAITING_MATCH,
            waiting_days=i,
            next_review_due=timezone.localdate(),
        )
    with CaptureQueriesContext(connection) as few:
        get(client, sort="urgency")
    for i in range(55):
        listed_case(
            referred_by=referrer,
            status=CaseStatus.AWAITING_MATCH,
            waiting_days=i,
            next_review_due=timezone.localdate(),
        )
    with CaptureQueriesContext(connection) as many:
        response = get(client, sort="urgency")
    assert len(response.context["rows"]) == 25
    assert len(many) == len(few)
