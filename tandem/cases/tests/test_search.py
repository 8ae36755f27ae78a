"""Finding a person by name, or name and date of birth, through the blind indexes."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.audit.models import AuditEvent
from tandem.cases.models import Case
from tandem.cases.search import find_people, name_splits

from .factories import make_case

pytestmark = pytest.mark.django_db

SEARCH = reverse("cases:search")


@pytest.fixture
def coordinator(client):
    user = create_user("coordinator")
    sign_in(client, user)
    return user


def _references(response) -> list[str]:
    return [row.case.reference for row in response.context["rows"]]


def test_a_name_finds_every_referral_of_that_person_exactly(client, coordinator):
    amina = make_case(first_name="Amina", last_name="Rahman", date_of_birth="2009-05-17")
    again = make_case(first_name="amina", last_name="RAHMAN", date_of_birth="2009-05-17")
    make_case(first_name="Amina", last_name="Rahmen")  # one letter differs
    make_case(first_name="Aminah", last_name="Rahman")
    response = client.post(SEARCH, {"name": "  Amina   Rahman "})
    assert response.status_code == 200
    assert sorted(_references(response)) == sorted([amina.reference, again.reference])
    body = response.content.decode()
    assert "2 people found" in body
    assert reverse("cases:detail", args=[amina.pk]) in body


def test_name_and_date_of_birth_tell_two_people_of_the_same_name_apart(client, coordinator):
    older = make_case(first_name="Sam", last_name="Jones", date_of_birth="2001-01-02")
    younger = make_case(first_name="Sam", last_name="Jones", date_of_birth="2010-03-04")
    response = client.post(SEARCH, {"name": "Sam Jones", "date_of_birth": "4/3/2010"})
    assert _references(response) == [younger.reference]
    response = client.post(SEARCH, {"name": "Sam Jones"})
    assert sorted(_references(response)) == sorted([older.reference, younger.reference])


def test_a_name_of_several_words_is_found_however_it_was_split(client, coordinator):
    split_late = make_case(first_name="Mary Ann", last_name="Smith")
    split_early = make_case(first_name="Mary", last_name="Ann Smith")
    response = client.post(SEARCH, {"name": "mary ann smith"})
    assert sorted(_references(response)) == sorted([split_late.reference, split_early.reference])
    assert name_splits("Mary Ann Smith") == [("mary", "ann smith"), ("mary ann", "smith")]


def test_accents_matter_because_the_match_is_exact(client, coordinator):
    make_case(first_name="Zoë", last_name="Martin")
    response = client.post(SEARCH, {"name": "Zoe Martin"})
    assert _references(response) == []
    assert "Nobody found" in response.content.decode()


def test_the_audit_log_records_the_search_and_never_what_was_typed(client, coordinator):
    make_case(first_name="Amina", last_name="Rahman")
    client.post(SEARCH, {"name": "Amina Rahman", "date_of_birth": "17/5/2009"})
    [event] = AuditEvent.objects.filter(action="case.search")
    assert event.actor == coordinator
    assert event.changed_fields == ["date_of_birth", "name"]
    recorded = " ".join(
        str(v) for v in AuditEvent.objects.values_list("reason", "object_id", "changed_fields")
    )
    for typed in ("Amina", "amina", "Rahman", "2009"):
        assert typed not in recorded


def test_an_empty_page_and_bad_input_record_no_search_and_keep_what_was_typed(client, coordinator):
    assert client.get(SEARCH).status_code == 200
    response = client.post(SEARCH, {"name": "Amina", "date_of_birth": "31/2/2009"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter the person&#x27;s first name and last name, for example Amina Rahman" in body
    assert "Date of birth must be a real date" in body
    assert 'value="Amina"' in body
    assert response.context["rows"] is None
    response = client.post(SEARCH, {"name": ""})
    assert "Enter the person&#x27;s first name and last name" in response.content.decode()
    assert not AuditEvent.objects.filter(action="case.search").exists()


def test_only_coordinators_may_search(client):
    make_case(first_name="Amina", last_name="Rahman")
    for role in ("mentor", "supervisor", "referrer", "board_member", "safeguarding_lead"):
        sign_in(client, create_user(role))
        assert client.post(SEARCH, {"name": "Amina Rahman"}).status_code == 403
    assert not AuditEvent.objects.filter(action="case.search").exists()


def test_the_header_offers_the_search_to_coordinators_only(client, coordinator):
    body = client.get(reverse("site:home")).content.decode()
    assert 'id="header-person-search"' in body
    assert f'action="{SEARCH}"' in body
    sign_in(client, create_user("mentor"))
    body = client.get(reverse("site:home")).content.decode()
    assert "header-person-search" not in body


def test_the_results_page_costs_the_same_queries_for_one_or_many(
    client, coordinator, django_assert_max_num_queries
):
    make_case(first_name="Kim", last_name="Lee")
    with django_assert_max_num_queries(20) as one:
        client.post(SEARCH, {"name": "Kim Lee"})
    for _ in range(6):
        make_case(first_name="Kim", last_name="Lee")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.post(SEARCH, {"name": "Kim Lee"})
    assert len(_references(response)) == 7


def test_find_people_is_one_query_and_scoped_to_the_user(django_assert_num_queries):
    coordinator, mentor = create_user("coordinator"), create_user("mentor")
    make_case(first_name="Kim", last_name="Lee")
    assert coordinator.roles == {"coordinator"}  # read once per request, before the search
    with django_assert_num_queries(1):
        assert len(list(find_people(actor=coordinator, name="Kim Lee"))) == 1
    assert not find_people(actor=mentor, name="Kim Lee").exists()


def test_the_migration_fills_the_name_index_of_people_already_referred():
    cases = [
        make_case(first_name="Lee", last_name="Kim"),
        make_case(first_name="Ola", last_name="Ade"),
    ]
    expected = {case.pk: case.name_index for case in cases}
    assert all(expected.values())
    Case.objects.update(name_index="")
    migration = importlib.import_module("tandem.cases.migrations.0003_name_index")
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(("cases", "0003_name_index"))
    migration.fill_name_indexes(state.apps, SimpleNamespace(connection=connection))
    assert dict(Case.objects.values_list("pk", "name_index")) == expected
