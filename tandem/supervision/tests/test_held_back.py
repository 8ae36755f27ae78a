"""The suggestions and the batch review name the mentors held back today with the
register's reasons in words, overdue supervision and the level's cap among them, in a
fixed number of queries."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user, sign_in
from tandem.cases.tests.factories import make_case
from tandem.core.dates import long_date
from tandem.matching import poolcache
from tandem.matching.models import MatchStatus
from tandem.matching.selectors import held_back
from tandem.matching.services import batch_create
from tandem.matching.tests.factories import live_match, matching_mentor, waiting_case
from tandem.supervision.models import LevelRule

from .factories import make_record

pytestmark = pytest.mark.django_db


def overdue_mentor(name: str):
    mentor = matching_mentor(full_name=name)
    held = timezone.localdate() - dt.timedelta(weeks=6, days=2)  # accredited: every 6 weeks
    make_record(mentor, held_on=held)
    return mentor, f"Supervision overdue since {long_date(held + dt.timedelta(weeks=6))}"


def body(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def coordinator(client):
    user = create_user("coordinator")
    sign_in(client, user)
    return user


def test_the_suggestions_name_the_overdue_mentor_with_the_reason(client, coordinator):
    case = waiting_case()
    matching_mentor(full_name="Ruth Kept")
    sam, reason = overdue_mentor("Sam Taylor")
    page = body(client.get(reverse("matching:suggestions", args=[case.pk])))
    assert "Propose Ruth Kept" in page and "Propose Sam Taylor" not in page
    held = page[page.index("Mentors held back today") :]
    assert "1 active mentor is not suggested" in held
    assert "Sam Taylor" in held and reason in held
    assert reverse("mentors:detail", args=[sam.pk]) in held
    assert "?status=active&matchable=no" in held  # the coordinator may see the pool


def test_a_mentor_at_their_levels_cap_is_held_back_with_the_reason(client, coordinator):
    LevelRule.objects.filter(level__code="accredited").update(caseload_cap=1)
    case = waiting_case()
    full = matching_mentor(full_name="Lee Full", caseload_cap=3)
    live_match(make_case(), full, status=MatchStatus.ACTIVE)
    page = body(client.get(reverse("matching:suggestions", args=[case.pk])))
    assert "Propose Lee Full" not in page
    assert "No spare capacity at their accreditation level (1 of 1 cases)" in page


def test_nobody_held_back_shows_no_list(client, coordinator):
    case = waiting_case()
    matching_mentor(full_name="Ruth Kept")
    assert "Mentors held back today" not in body(
        client.get(reverse("matching:suggestions", args=[case.pk]))
    )


def test_the_batch_review_names_the_mentors_held_back(client, coordinator):
    waiting_case()
    matching_mentor(full_name="Ruth Kept")
    _, reason = overdue_mentor("Sam Taylor")
    batch = batch_create(actor=coordinator)
    assert [p.mentor.full_name for p in batch.pairs.all()] == ["Ruth Kept"]
    page = body(client.get(reverse("matching:batch_detail", args=[batch.pk])))
    held = page[page.index("Mentors held back today") :]
    assert "Sam Taylor" in held and reason in held


def test_the_list_is_cut_at_its_limit_with_the_rest_counted():
    for i in range(3):
        overdue_mentor(f"Mentor {i}")
    result = held_back(limit=2)
    assert result.count == 3 and result.more == 1
    assert [row.mentor.full_name for row in result.mentors] == ["Mentor 0", "Mentor 1"]


def test_the_held_back_list_costs_the_same_queries_for_1_and_6_mentors(client, coordinator):
    case = waiting_case()
    matching_mentor(full_name="Ruth Kept")
    overdue_mentor("Sam Taylor")
    url = reverse("matching:suggestions", args=[case.pk])

    def count() -> int:
        poolcache.forget()  # both counts read the pool afresh
        with CaptureQueriesContext(connection) as queries:
            page = body(client.get(url))
        return len(queries), page

    count()  # the first read fetches the person's data key into the cache
    few, _ = count()
    for i in range(5):
        overdue_mentor(f"Overdue {i}")
    many, page = count()
    assert "6 active mentors are not suggested" in page
    assert many == few
