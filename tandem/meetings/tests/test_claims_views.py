"""Claim pages: a mentor writes, changes and submits claims, and reaches only their own
(404 otherwise); errors keep what was typed; a coordinator decides, exports and sets
rates; lists answer in a fixed number of queries however many claims there are."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.audit.models import AuditEvent
from tandem.mentors.models import AccreditationLevel

from ..models import Claim, ClaimRate, ClaimStatus, Receipt
from .factories import (
    PDF,
    PNG,
    add_receipt,
    held_session,
    make_claim,
    mentor_with_account,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor():
    return mentor_with_account(level="accredited")


@pytest.fixture
def mentor_client(client, mentor):
    sign_in(client, mentor.user)
    return client


@pytest.fixture
def coordinator_client(client):
    sign_in(client, create_user("coordinator"))
    return client


def post_claim(client, session, **overrides):
    data = {
        "session_hours": "1.5",
        "travel_hours": "0.75",
        "miles": "12",
        "expenses": "3.40",
        "expenses_note": "Bus fare",
    }
    data.update(overrides)
    return client.post(reverse("meetings:claim_create", args=[session.pk]), data)


def test_the_claim_form_defaults_hours_from_the_session(mentor_client, mentor):
    session = held_session(mentor, duration_minutes=50, travel_minutes=30)
    page = mentor_client.get(reverse("meetings:claim_create", args=[session.pk]))
    assert page.status_code == 200
    assert 'value="0.83"' in page.text and 'value="0.50"' in page.text


def test_a_mentor_claims_with_a_receipt_stored_encrypted(mentor_client, mentor):
    session = held_session(mentor)
    response = post_claim(mentor_client, session, receipts=upload("bus.pdf", PDF))
    claim = Claim.objects.get(session=session)
    assert response.status_code == 302
    assert claim.expenses == Decimal("3.40") and claim.status == ClaimStatus.DRAFT
    receipt = claim.receipts.get()
    assert (receipt.filename, receipt.content_type, receipt.size) == (
        "bus.pdf",
        "application/pdf",
        len(PDF),
    )
    with connection.cursor() as cursor:
        cursor.execute("select content from meetings_receipt where id = %s", [receipt.pk])
        (stored,) = cursor.fetchone()
    assert "JVBER" not in stored  # base64 of "%PDF" is not in the database in the clear

    download = mentor_client.get(reverse("meetings:receipt_download", args=[claim.pk, receipt.pk]))
    assert download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="meetings.receipt.view").exists()


def test_a_refused_receipt_keeps_everything_typed(mentor_client, mentor):
    session = held_session(mentor)
    response = post_claim(
        mentor_client, session, miles="17.5", receipts=upload("taxi.pdf", PNG, "application/pdf")
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "is named as a PDF but the file is a PNG image" in response.text
    assert 'value="17.5"' in response.text and "Bus fare" in response.text
    assert not Claim.objects.exists()


def test_expenses_need_a_receipt_and_bad_numbers_are_explained(mentor_client, mentor):
    session = held_session(mentor)
    response = post_claim(mentor_client, session, miles="lots", session_hours="99")
    assert "Add a receipt for the expenses" in response.text
    assert "The miles must be a number, like 12.5" in response.text
    assert "The session hours must be 12 or less" in response.text
    assert 'value="lots"' in response.text


def test_a_second_claim_for_the_session_is_refused_clearly(mentor_client, mentor):
    session = held_session(mentor)
    make_claim(session)
    response = post_claim(mentor_client, session, expenses="0")
    assert "already a claim for this session" in response.text
    assert Claim.objects.count() == 1


def test_other_mentors_claims_and_sessions_answer_404(mentor_client):
    other = make_claim(held_session())
    receipt = add_receipt(other)
    for url in (
        reverse("meetings:claim_detail", args=[other.pk]),
        reverse("meetings:claim_edit", args=[other.pk]),
        reverse("meetings:receipt_download", args=[other.pk, receipt.pk]),
        reverse("meetings:claim_create", args=[held_session().pk]),
        reverse("meetings:claim_detail", args=[2**62]),
        "/meetings/claims/99999999999999999999999/",
    ):
        assert mentor_client.get(url).status_code == 404, url


def test_a_receipt_of_another_claim_answers_404_through_an_own_claim(mentor_client, mentor):
    own = make_claim(held_session(mentor))
    foreign = add_receipt(make_claim(held_session()))
    url = reverse("meetings:receipt_download", args=[own.pk, foreign.pk])
    assert mentor_client.get(url).status_code == 404


def test_the_mentor_submits_the_month_and_sees_the_status(mentor_client, mentor):
    claim = make_claim(held_session(mentor))
    page = mentor_client.get(reverse("meetings:my_claims"))
    assert "Submit 1 claim for" in page.text
    mentor_client.post(reverse("meetings:claims_submit"), {"month": claim.month.isoformat()})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    page = mentor_client.get(reverse("meetings:my_claims"))
    assert "Submitted" in page.text and "Submit 1 claim" not in page.text
    # A tampered month is not an error page.
    response = mentor_client.post(reverse("meetings:claims_submit"), {"month": "9999-99-99"})
    assert response.status_code == 302


def test_a_coordinator_queries_with_a_reason_kept_when_missing(coordinator_client):
    claim = make_claim(status=ClaimStatus.SUBMITTED)
    url = reverse("meetings:claim_detail", args=[claim.pk])
    response = coordinator_client.post(
        url, {"decision": "query", "reason": "", "version": claim.version}
    )
    assert "Give the reason" in response.text
    assert re.search(r'value="query"[^>]*checked', response.text)
    response = coordinator_client.post(
        url, {"decision": "query", "reason": "Which route?", "version": claim.version}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.QUERIED and claim.decision_reason == "Which route?"
    # A tampered decision is a form error, not a 500.
    response = coordinator_client.post(url, {"decision": "pay-double", "version": "x"})
    assert response.status_code in (200, 302)


def test_the_export_is_audited_and_bad_months_do_not_fail(coordinator_client):
    claim = make_claim(status=ClaimStatus.APPROVED)
    url = reverse("meetings:claim_export")
    response = coordinator_client.get(url, {"month": f"{claim.month:%Y-%m}", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2] == claim.session.case.reference
    assert AuditEvent.objects.filter(action="claim.export_csv").exists()
    xlsx = coordinator_client.get(url, {"month": f"{claim.month:%Y-%m}", "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    for bad in ({"month": "2026-13"}, {"month": "x", "format": "csv"}, {"format": "exe"}):
        assert coordinator_client.get(url, bad).status_code == 302


def test_a_mentor_cannot_open_the_queue_export_or_rates(mentor_client):
    for name in ("meetings:claim_queue", "meetings:claim_export", "meetings:claim_rates_edit"):
        assert mentor_client.get(reverse(name)).status_code == 403


def test_the_rates_page_saves_and_explains_errors(coordinator_client):
    levels = list(AccreditationLevel.objects.order_by("rank"))
    data = {}
    for level in levels:
        data[f"hourly_{level.pk}"] = "20.00"
        data[f"mileage_{level.pk}"] = "0.45"
    data[f"hourly_{levels[0].pk}"] = "-1"
    response = coordinator_client.post(reverse("meetings:claim_rates_edit"), data)
    assert "must be 0 or more" in response.text and 'value="-1"' in response.text
    data[f"hourly_{levels[0].pk}"] = "0"
    response = coordinator_client.post(reverse("meetings:claim_rates_edit"), data)
    assert response.status_code == 302
    assert ClaimRate.objects.get(level=levels[-1]).hourly_rate == Decimal("20.00")


# Query counts --------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_mentor_list_answers_in_a_fixed_number_of_queries(mentor_client, mentor):
    url = reverse("meetings:my_claims")
    for _ in range(2):
        add_receipt(make_claim(held_session(mentor)))
        held_session(mentor)
    small = count_queries(mentor_client, url)
    for _ in range(8):
        add_receipt(make_claim(held_session(mentor), status=ClaimStatus.SUBMITTED))
        held_session(mentor)
    assert count_queries(mentor_client, url) == small


def test_the_queue_answers_in_a_fixed_number_of_queries(coordinator_client):
    first = make_claim(status=ClaimStatus.SUBMITTED, receipt=True)
    url = reverse("meetings:claim_queue") + f"?month={first.month:%Y-%m}"
    small = count_queries(coordinator_client, url)
    for _ in range(10):
        session = held_session(starts_at=first.session.starts_at)
        make_claim(session, status=ClaimStatus.SUBMITTED, receipt=True)
    assert count_queries(coordinator_client, url) == small
    assert Receipt.objects.count() == 11


def test_the_queue_sorts_by_column_on_the_server_keeping_the_month_and_query_count(
    coordinator_client,
):
    first = make_claim(status=ClaimStatus.SUBMITTED, receipt=True)
    second = make_claim(
        held_session(starts_at=first.session.starts_at), status=ClaimStatus.APPROVED
    )
    url = reverse("meetings:claim_queue") + f"?month={first.month:%Y-%m}"

    def order(sort):
        response = coordinator_client.get(f"{url}&sort={sort}")
        assert response.status_code == 200
        return [claim.pk for claim in response.context["rows"]]

    default = order("")
    assert sorted(default) == sorted([first.pk, second.pk])
    assert order("receipts") == [first.pk, second.pk]  # most receipts first
    statuses = order("status")
    assert statuses == sorted(
        [first.pk, second.pk],
        key=lambda pk: ClaimStatus.values.index(Claim.objects.get(pk=pk).status),
    )
    assert order("drop table") == default
    assert count_queries(coordinator_client, f"{url}&sort=amount") == count_queries(
        coordinator_client, url
    )
    html = coordinator_client.get(f"{url}&sort=receipts").content.decode()
    assert 'data-module="moj-sortable-table"' in html
    assert f'href="?month={first.month:%Y-%m}&amp;sort=amount">Amount' in html


def test_a_long_month_is_shown_a_page_at_a_time_sorted_and_totalled_as_a_whole(
    coordinator_client, monkeypatch
):
    from ..views import claims as views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    first = make_claim(status=ClaimStatus.SUBMITTED, receipt=True)
    for _ in range(4):
        make_claim(held_session(starts_at=first.session.starts_at), status=ClaimStatus.SUBMITTED)
    url = reverse("meetings:claim_queue") + f"?month={first.month:%Y-%m}&sort=receipts"
    pages = [coordinator_client.get(f"{url}&page={n}") for n in (1, 2, 3)]
    rows = [claim.pk for page in pages for claim in page.context["rows"]]
    assert len(rows) == 5 and len(set(rows)) == 5
    assert rows[0] == first.pk  # the only claim with a receipt leads the whole month
    html = pages[0].content.decode()
    assert "5 claims, total" in html and "Showing 1 to 2" in html
    assert 'aria-label="Pagination"' in html
    assert "page=2" in html and "sort=receipts" in html  # the next page keeps the sort
    assert coordinator_client.get(f"{url}&page=99").context["rows"][0].pk in rows  # last page
