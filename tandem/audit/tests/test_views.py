import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from tandem.audit.models import AuditEvent
from tandem.audit.services import record_event

from .factories import create_user, record_events

pytestmark = pytest.mark.django_db

URL = reverse("audit:event_list")


def sign_in(client, user):
    """Signed in with a verified second factor, as the MFA middleware requires."""
    client.force_login(user)
    device = user.totpdevice_set.create(name="default", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def coordinator(client):
    user = create_user("coordinator", email="coordinator@example.org")
    sign_in(client, user)
    return user


def at(day: dt.date, hour: int = 12):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    return mock.patch("django.utils.timezone.now", return_value=moment)


def shown_object_ids(response) -> set[str]:
    return {e.object_id for e in response.context["page"].object_list if e.action != "audit.search"}


class TestAccess:
    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    def test_mentor_is_refused(self, client):
        sign_in(client, create_user("mentor"))
        assert client.get(URL).status_code == 403
        assert not AuditEvent.objects.filter(action="audit.search").exists()

    @pytest.mark.parametrize("role", ["coordinator", "administrator"])
    def test_coordinators_and_administrators_may_search(self, client, role):
        sign_in(client, create_user(role))
        assert client.get(URL).status_code == 200

    def test_post_is_not_allowed(self, client, coordinator):
        assert client.post(URL).status_code == 405


class TestSearch:
    def test_lists_newest_first_and_records_the_search(self, client, coordinator):
        record_events(3, actor=coordinator)
        response = client.get(URL)
        assert response.status_code == 200
        assert [e.sequence for e in response.context["page"].object_list] == [3, 2, 1]
        html = response.content.decode()
        assert "govuk-table" in html and "govuk-heading-l" in html
        search = AuditEvent.objects.get(action="audit.search")
        assert search.actor == coordinator
        assert search.role == "coordinator"

    def test_filters_by_user_email_case_insensitively(self, client, coordinator):
        alice = create_user("mentor", email="alice@example.org")
        bob = create_user("mentor", email="bob@example.org")
        record_event(actor=alice, action="case.view", object_type="cases.case", object_id="A")
        record_event(actor=bob, action="case.view", object_type="cases.case", object_id="B")
        response = client.get(URL, {"email": "ALICE@example.org"})
        assert shown_object_ids(response) == {"A"}

    def test_filters_by_object_type_and_id(self, client, coordinator):
        record_event(actor=None, action="case.view", object_type="cases.case", object_id="7")
        record_event(actor=None, action="case.view", object_type="cases.case", object_id="8")
        record_event(actor=None, action="user.view", object_type="accounts.user", object_id="7")
        response = client.get(URL, {"object_type": "cases.case", "object_id": "7"})
        assert [(e.object_type, e.object_id) for e in response.context["page"].object_list] == [
            ("cases.case", "7")
        ]

    def test_a_record_type_or_action_in_capitals_is_found_and_the_search_recorded(
        self, client, coordinator
    ):
        record_event(actor=None, action="case.view", object_type="cases.case", object_id="7")
        response = client.get(URL, {"object_type": "Cases.Case", "action": "Case."})
        assert shown_object_ids(response) == {"7"}
        assert AuditEvent.objects.get(action="audit.search").object_type == "cases.case"

    def test_filters_by_action_exactly_or_by_prefix(self, client, coordinator):
        record_event(actor=None, action="user.deactivate", object_id="1", object_type="x.y")
        record_event(actor=None, action="user.reactivate", object_id="2", object_type="x.y")
        record_event(actor=None, action="users.other", object_id="3", object_type="x.y")
        assert shown_object_ids(client.get(URL, {"action": "user.deactivate"})) == {"1"}
        assert shown_object_ids(client.get(URL, {"action": "user"})) == {"1", "2"}

    def test_filters_by_date_range_inclusive(self, client, coordinator):
        for day, object_id in [(1, "first"), (2, "second"), (3, "third")]:
            with at(dt.date(2026, 3, day), hour=23):  # late evening, still that local day
                record_event(actor=None, action="case.view", object_id=object_id)
        response = client.get(URL, {"date_from": "2/3/2026", "date_to": "3/3/2026"})
        assert shown_object_ids(response) == {"second", "third"}
        response = client.get(URL, {"date_to": "1/3/2026"})
        assert shown_object_ids(response) == {"first"}

    def test_search_event_names_the_filters_but_not_the_terms(self, client, coordinator):
        client.get(URL, {"email": "alice@example.org", "object_type": "cases.case"})
        search = AuditEvent.objects.get(action="audit.search")
        assert search.changed_fields == ["email", "object_type"]
        assert search.object_type == "cases.case"
        assert "alice" not in search.canonical().decode()

    def test_empty_state(self, client, coordinator):
        response = client.get(URL, {"object_id": "nothing-here"})
        assert "No events match your search." in response.content.decode()
        assert "govuk-table" not in response.content.decode()


class TestInvalidSearch:
    def test_invalid_date_shows_the_error_summary_and_keeps_the_typed_value(
        self, client, coordinator
    ):
        record_events(2)
        response = client.get(URL, {"date_from": "31/02/2026", "object_id": "5"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" in html
        assert "Date from must be a real date" in html
        assert 'value="31/02/2026"' in html
        assert 'value="5"' in html
        assert response.context["page"] is None
        assert not AuditEvent.objects.filter(action="audit.search").exists()

    def test_date_range_the_wrong_way_round_is_refused_clearly(self, client, coordinator):
        response = client.get(URL, {"date_from": "5/3/2026", "date_to": "4/3/2026"})
        html = response.content.decode()
        assert "govuk-error-summary" in html
        assert "Date to must be the same as or after date from" in html
        assert 'value="5/3/2026"' in html and 'value="4/3/2026"' in html
        assert response.context["page"] is None


class TestPagination:
    def test_fifty_a_page(self, client, coordinator):
        record_events(60)
        first = client.get(URL)
        assert len(first.context["page"].object_list) == 50
        assert "govuk-pagination" in first.content.decode()
        second = client.get(URL, {"page": 2})
        # 60 events plus the first page's own search event.
        assert len(second.context["page"].object_list) == 11

    def test_query_count_does_not_grow_with_the_number_of_events(self, client, coordinator):
        actors = [create_user("mentor") for _ in range(5)]

        def queries_for(count: int) -> int:
            for i in range(count):
                record_event(actor=actors[i % len(actors)], action="case.view", object_id=str(i))
            with CaptureQueriesContext(connection) as captured:
                assert client.get(URL).status_code == 200
            return len(captured)

        few = queries_for(5)
        many = queries_for(55)  # 60 events in all: a full page, and a second one
        assert few == many

    def test_the_whole_log_is_counted_from_the_chain_head_not_row_by_row(self, client, coordinator):
        record_events(60)
        total = AuditEvent.objects.count()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"page": 2})
        counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
        assert not [sql for sql in counts if AuditEvent._meta.db_table in sql]
        assert response.context["page"].paginator.count == total
        assert f"{total} events, newest first" in response.content.decode()
        assert len(response.context["page"].object_list) == total - 50

    def test_a_search_still_counts_what_it_found(self, client, coordinator):
        record_events(3)
        record_event(actor=None, action="case.view", object_id="found")
        response = client.get(URL, {"object_id": "found"})
        assert response.context["page"].paginator.count == 1


class TestSort:
    def test_sorts_by_column_keeping_the_filters_and_ignoring_unknown_orders(
        self, client, coordinator
    ):
        record_events(3, actor=coordinator)

        def sequences(**params):
            response = client.get(URL, params)
            assert response.status_code == 200
            return [e.sequence for e in response.context["page"].object_list]

        assert sequences(action="case", sort="oldest") == sorted(sequences(action="case"))
        assert sequences(action="case", sort="sequence") == sorted(
            sequences(action="case"), reverse=True
        )
        by_action = client.get(URL, {"sort": "action"}).context["page"].object_list
        assert [e.action for e in by_action] == sorted(e.action for e in by_action)
        html = client.get(URL, {"action": "case", "sort": "oldest"}).content.decode()
        assert 'data-module="moj-sortable-table"' in html
        assert (
            'aria-sort="ascending"><a class="govuk-link" href="?action=case&amp;sort=newest">Number'
            in html
        )
        assert "newest first" not in html

    def test_sorting_costs_no_more_queries(self, client, coordinator):
        record_events(5, actor=coordinator)
        with CaptureQueriesContext(connection) as newest:
            client.get(URL)
        with CaptureQueriesContext(connection) as by_record:
            client.get(URL, {"sort": "record"})
        assert len(by_record) == len(newest)
