"""The coordinators' list of supervision due and overdue across the scheme: who is in it
and in what order, the window chosen, nothing of what was said, and a fixed number of
queries."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user, sign_in
from tandem.mentors.models import MentorStatus
from tandem.mentors.tests.factories import make_matchable_mentor

from .factories import assign, make_record, make_supervisor

pytestmark = pytest.mark.django_db

URL = reverse("supervision:due")
TODAY = timezone.localdate()


def ago(**kwargs) -> dt.date:
    return TODAY - dt.timedelta(**kwargs)


def supervised(name, *, held_on, status=MentorStatus.ACTIVE):
    """An accredited mentor (supervised every 6 weeks) last supervised on ``held_on``."""
    mentor = make_matchable_mentor(full_name=name)
    mentor.status = status
    mentor.save(update_fields=["status"])
    make_record(mentor, held_on=held_on, notes="Talked about the theology of hijra.")
    return mentor


@pytest.fixture
def coordinator(client):
    user = create_user("coordinator")
    sign_in(client, user)
    return user


def body(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_overdue_first_then_soonest_due_within_the_window(client, coordinator):
    supervised("Olive Overdue", held_on=ago(weeks=6, days=10))
    supervised("Owen Overdue", held_on=ago(weeks=6, days=3))
    supervised("Sara Soon", held_on=ago(weeks=5))  # due in 7 days
    supervised("Lena Later", held_on=ago(weeks=1))  # due in 5 weeks
    supervised("Paul Paused", held_on=ago(weeks=10), status=MentorStatus.PAUSED)
    make_matchable_mentor(full_name="Nina New")  # no clock yet
    page = body(client.get(URL))
    names = ["Olive Overdue", "Owen Overdue", "Sara Soon"]
    assert [page.index(n) for n in names] == sorted(page.index(n) for n in names)
    assert "Lena Later" not in page and "Paul Paused" not in page
    due = ago(weeks=6, days=10) + dt.timedelta(weeks=6)
    assert f"since {due.day} {due:%B %Y} (10 days)" in page
    assert "Due by" in page and "(in 7 days)" in page
    assert "1 mentor: assign their supervisor" in page  # Nina has no clock yet
    assert "theology" not in page  # coordinators never see what was said

    only_overdue = body(client.get(URL, {"within": "0"}))
    assert "Owen Overdue" in only_overdue and "Sara Soon" not in only_overdue
    eight_weeks = body(client.get(URL, {"within": "56"}))
    assert "Lena Later" in eight_weeks


def test_a_mentor_without_a_supervisor_is_offered_one(client, coordinator):
    mentor = make_matchable_mentor(full_name="Ada Alone")
    assign(mentor, make_supervisor(), started_on=ago(weeks=7))
    assign(mentor, None)
    page = body(client.get(URL))
    assert "Ada Alone" in page and "last none in Tandem yet" in page and "No supervisor" in page
    assert reverse("supervision:assign", args=[mentor.pk]) in page


def test_nothing_due_and_nonsense_choices_are_explained_without_a_server_error(client, coordinator):
    assert "No mentor's supervision is overdue or due in the next 14 days." in body(client.get(URL))
    page = body(client.get(URL, {"within": "9999", "page": "x"}))
    assert "Choose which mentors to show from the list" in page
    assert "due in the next 14 days" in page  # the default applies


def test_only_coordinators_see_it_and_their_home_page_links_to_it(client, coordinator):
    assert URL in body(client.get(reverse("site:home")))
    for role in ("supervisor", "mentor", "safeguarding_lead"):
        client.logout()
        sign_in(client, create_user(role))
        assert client.get(URL).status_code in (403, 404)
        assert URL not in client.get(reverse("site:home")).content.decode()


def test_the_page_costs_the_same_queries_for_2_and_12_mentors(client, coordinator):
    def count():
        with CaptureQueriesContext(connection) as queries:
            page = body(client.get(URL))
        return len(queries), page

    supervisor = make_supervisor()
    for i in range(2):
        assign(supervised(f"Mentor {i}", held_on=ago(weeks=7)), supervisor)
    few, _ = count()
    for i in range(2, 12):
        assign(supervised(f"Mentor {i}", held_on=ago(weeks=7)), supervisor)
    many, page = count()
    assert page.count(supervisor.full_name) == 12
    assert many == few


def test_the_list_sorts_by_due_date_either_way_keeping_the_window(client, coordinator):
    supervised("Olive Overdue", held_on=ago(weeks=6, days=10))
    supervised("Sara Soon", held_on=ago(weeks=5))

    def names(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return [row.mentor.full_name for row in response.context["rows"]]

    assert names() == ["Olive Overdue", "Sara Soon"]
    assert names(sort="due_desc") == ["Sara Soon", "Olive Overdue"]
    assert names(sort="full_name") == ["Olive Overdue", "Sara Soon"]  # not offered: default
    assert names(within="0", sort="due_desc") == ["Olive Overdue"]
    page = body(client.get(URL, {"within": "14", "sort": "due_desc"}))
    assert 'data-module="moj-sortable-table"' in page
    assert 'aria-sort="descending"><a class="govuk-link" href="?within=14&sort=due">' in page
