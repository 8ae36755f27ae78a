import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseStatus, MentorGenderPreference, Urgency
from tandem.catalogues.models import Area, Language

from .factories_lists import days_ago, listed_case

pytestmark = pytest.mark.django_db

URL = reverse("cases:awaiting_match")


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


def test_only_cases_waiting_for_a_match_are_listed(client, staff):
    waiting = listed_case(status=CaseStatus.AWAITING_MATCH)
    for status in (
        CaseStatus.ASSESSMENT,
        CaseStatus.MATCHED,
        CaseStatus.ACTIVE,
        CaseStatus.ON_HOLD,
        CaseStatus.CLOSED,
    ):
        listed_case(status=status)
    assert refs(get(client)) == [waiting.reference]


def test_urgent_first_then_priority_then_routine_each_longest_waiting_first(client, staff):
    routine_old = listed_case(
        status=CaseStatus.AWAITING_MATCH, urgency=Urgency.ROUTINE, waiting_days=80
    )
    urgent_new = listed_case(
        status=CaseStatus.AWAITING_MATCH, urgency=Urgency.URGENT, waiting_days=3
    )
    priority = listed_case(
        status=CaseStatus.AWAITING_MATCH, urgency=Urgency.PRIORITY, waiting_days=40
    )
    urgent_old = listed_case(
        status=CaseStatus.AWAITING_MATCH, urgency=Urgency.URGENT, waiting_days=30
    )
    routine_new = listed_case(
        status=CaseStatus.AWAITING_MATCH, urgency=Urgency.ROUTINE, waiting_days=1
    )
    assert refs(get(client)) == [
        urgent_old.reference,
        urgent_new.reference,
        priority.reference,
        routine_old.reference,
        routine_new.reference,
    ]


def test_waiting_counts_from_when_the_case_began_waiting_for_a_match(client, staff):
    # Referred long ago, but back waiting for a match (a broken match) only recently.
    rematch = listed_case(
        status=CaseStatus.AWAITING_MATCH, received_at=days_ago(300), status_changed_at=days_ago(7)
    )
    # Referred recently, waiting for a match for longer.
    longer = listed_case(
        status=CaseStatus.AWAITING_MATCH, received_at=days_ago(60), status_changed_at=days_ago(35)
    )
    response = get(client)
    assert refs(response) == [longer.reference, rematch.reference]
    html = response.content.decode()
    assert "5 weeks" in html
    assert "7 days" in html


def test_needs_that_matter_for_matching_are_shown_coarsely(client, staff):
    listed_case(
        status=CaseStatus.AWAITING_MATCH,
        area=Area.objects.get(name="Sandwell"),
        preferred_language=Language.objects.get(name="Urdu"),
        interpreter_needed=True,
        mentor_gender_preference=MentorGenderPreference.FEMALE,
        accepts_online=True,
        age_at_referral=22,
        faith_preference="Would like a mentor of the same faith",
        accessibility_needs="Uses a wheelchair",
    )
    html = get(client).content.decode()
    assert "Sandwell" in html
    assert "Prefers Urdu; speaks English, Urdu" in html
    assert "Interpreter needed" in html
    assert "A female mentor" in html
    assert "18 to 24" in html
    assert ">Yes<" in html
    # Narrative needs stay on the case record.
    assert "same faith" not in html
    assert "wheelchair" not in html


def test_nobody_waiting_says_so(client, staff):
    listed_case(status=CaseStatus.ACTIVE)
    assert "No one is waiting for a match" in get(client).content.decode()


def test_pages_of_25(client, staff):
    referrer = create_user("referrer")
    for i in range(27):
        listed_case(referred_by=referrer, status=CaseStatus.AWAITING_MATCH, waiting_days=i)
    response = get(client)
    assert len(response.context["rows"]) == 25
    assert "27 cases waiting for a match" in response.content.decode()
    assert len(refs(get(client, page="2"))) == 2
    assert len(refs(get(client, page="nonsense"))) == 25


def test_viewing_the_list_is_audited(client, staff):
    get(client)
    assert AuditEvent.objects.filter(action="case.list", actor=staff).exists()


def test_query_count_does_not_grow_with_the_number_of_cases(client, staff):
    referrer = create_user("referrer")
    for i in range(5):
        listed_case(referred_by=referrer, status=CaseStatus.AWAITING_MATCH, waiting_days=i)
    with CaptureQueriesContext(connection) as few:
        get(client)
    for i in range(55):
        listed_case(referred_by=referrer, status=CaseStatus.AWAITING_MATCH, waiting_days=i)
    with CaptureQueriesContext(connection) as many:
        response = get(client)
    assert len(response.context["rows"]) == 25
    assert len(many) == len(few)


def test_the_waiting_list_sorts_by_column_on_the_server_keeping_its_query_count(client, staff):
    urgent_new = listed_case(
        status=CaseStatus.AWAITING_MATCH, urgency=Urgency.URGENT, waiting_days=3
    )
    routine_old = listed_case(
        status=CaseStatus.AWAITING_MATCH, urgency=Urgency.ROUTINE, waiting_days=90
    )
    assert refs(get(client)) == [urgent_new.reference, routine_old.reference]
    assert refs(get(client, sort="waiting")) == [routine_old.reference, urgent_new.reference]
    assert refs(get(client, sort="reference")) == sorted(
        [urgent_new.reference, routine_old.reference]
    )
    assert refs(get(client, sort="age; drop")) == [urgent_new.reference, routine_old.reference]
    html = get(client, sort="waiting").content.decode()
    assert 'data-module="moj-sortable-table"' in html
    assert 'aria-sort="ascending"><a class="govuk-link" href="?sort=waiting">Waiting' in html
    with CaptureQueriesContext(connection) as few:
        get(client, sort="waiting")
    for days in (5, 15, 25, 35):
        listed_case(status=CaseStatus.AWAITING_MATCH, waiting_days=days)
    with CaptureQueriesContext(connection) as more:
        get(client, sort="waiting")
    assert len(more) == len(few)
