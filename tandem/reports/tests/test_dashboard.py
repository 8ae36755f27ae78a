"""The board's dashboard: the figures for a known dataset, the disclosure control on every
count (in the tables, the charts and the PDF), a fixed number of queries, the date range,
the cache and the audit."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user, sign_in
from tandem.audit.models import AuditEvent
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import ReferralSource
from tandem.matching.models import MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session, mentor_with_account
from tandem.privacy.models import Restriction
from tandem.reports import charts, dashboard, kept

pytestmark = pytest.mark.django_db
PAGE = reverse("reports:dashboard")
PDF = reverse("reports:dashboard_pdf")
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
RANGE = {"start": "1/1/2025", "end": "31/12/2025"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def at(month: int, day: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, month, day, 12))


def known_data():
    """Referrals: 18 from schools in Q1 (8 of them matched in Q2 after 14 weeks, with 8
    sessions held in Q3), 9 from schools in each later quarter, and 3 from the police in
    Q2 (a small count)."""
    police = ReferralSource.objects.get(code="police")
    mentor = mentor_with_account()
    for i in range(10):
        make_case(received_at=at(2, 1 + i))
    matched = [make_case(received_at=at(2, 1 + i)) for i in range(8)]
    for i in range(9):
        make_case(received_at=at(5, 1 + i))
        make_case(received_at=at(8, 1 + i))
        make_case(received_at=at(11, 1 + i))
    for i in range(3):
        make_case(received_at=at(5, 20 + i), referral_source=police)
    match = None
    for case in matched:
        started = case.received_at + dt.timedelta(weeks=14)
        match = live_match(
            case, mentor, status=MatchStatus.ACTIVE, started_at=started, first_meeting_at=started
        )
    for i in range(8):
        make_session(match, status=SessionStatus.HELD, starts_at=at(8, 1 + i))
    return matched


def _figure(board, title):
    return next(f for s in board.sections for f in s.figures if f.title == title)


def _row(figure, label):
    return dict(figure.table.rows)[label]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_figures_for_a_known_dataset_are_right_and_protected():
    known_data()
    board = dashboard.compute(START, END)
    assert [q.label for q in dashboard.quarters(START, END)] == [
        "Jan\u2013Mar 2025",
        "Apr\u2013Jun 2025",
        "Jul\u2013Sep 2025",
        "Oct\u2013Dec 2025",
    ]
    sources = _figure(board, "Referrals by source")
    police, schools = _row(sources, "Police"), _row(sources, "School or college")
    # The police's 3 in Q2 are withheld, and so is its total…
    assert police[1] == "withheld" and police[4] == "withheld"
    # … and the schools' 9 in the same quarter, which would give the 3 away from the total.
    assert schools[1] == "withheld"
    every_cell = [cell for _, cells in sources.table.rows for cell in cells]
    assert "3" not in every_cell and "9" not in every_cell and "12" not in every_cell
    assert all(c == "withheld" or int(c.replace(",", "")) % 5 == 0 for c in every_cell)

    waiting = _figure(board, "Waiting time from referral to match")
    assert _row(waiting, "Matches made") == ["0", "10", "0", "0", "10"]
    assert _row(waiting, "Median weeks waited")[1] == "14.0"
    assert "14.0 weeks" in waiting.summary
    matches = _figure(board, "Matches made")
    assert _row(matches, "Matches made") == ["0", "10", "0", "0", "10"]
    sessions = _figure(board, "Sessions held")
    assert _row(sessions, "Sessions held") == ["0", "0", "10", "0", "10"]
    approach = _figure(board, "Approach recorded for sessions held")
    assert _row(approach, "Befriending") == ["0", "0", "10", "0", "10"]
    assert "befriending" in approach.summary
    caseload = _figure(board, "Caseload: open cases at the end of each quarter")
    # Open at each quarter's end: 18, 30, 39, 48 (rounded to 5).
    assert caseload.table.footer == ("All open cases", ["20", "30", "40", "50"])
    outcomes = _figure(board, "Outcomes of the cases closed in the range")
    assert outcomes.table.rows[0][0] == "Support ended as planned"


def test_charts_draw_the_protected_figures_only_and_keep_the_policy():
    known_data()
    board = dashboard.compute(START, END)
    for section in board.sections:
        for figure in section.figures:
            if not figure.svg:
                continue
            svg = figure.svg
            assert svg.startswith("<svg") and 'role="img"' in svg
            assert "<script" not in svg and "<style" not in svg and "style=" not in svg
            if not figure.chart.whole:
                continue  # weeks, not counts
            texts = _texts(svg)
            for raw in ("3", "9", "12", "18"):
                assert raw not in texts, (figure.title, raw)
    # The chart of referrals by source draws the table's figures: schools' 18 reads 20.
    spec = _figure(board, "Referrals by source").chart
    drawn = dict(spec.series)
    assert drawn["School or college"][0] == 20 and drawn["Police"][1] is None
    # The same figures draw the same chart.
    again = dashboard.compute(START, END)
    assert _figure(again, "Referrals by source").svg == _figure(board, "Referrals by source").svg


def test_the_tick_steps_are_multiples_of_five():
    assert [charts.tick_step(top) for top in (10, 30, 31, 61, 200, 3000)] == [
        5,
        5,
        10,
        25,
        50,
        500,
    ]


def _queries(start=START, end=END) -> int:
    with CaptureQueriesContext(connection) as queries:
        dashboard.compute(start, end)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data():
    mentor = mentor_with_account()
    police = ReferralSource.objects.get(code="police")

    def add(n):
        for i in range(n):
            case = (
                make_case(
                    received_at=at(1 + i % 12, 1 + i % 20),
                    referral_source=police if i % 2 else None,
                )
                if i % 2
                else make_case(received_at=at(1 + i % 12, 1 + i % 20))
            )
            started = case.received_at + dt.timedelta(days=10)
            match = live_match(
                case,
                mentor,
                status=MatchStatus.ACTIVE,
                started_at=started,
                first_meeting_at=started,
            )
            make_session(match, status=SessionStatus.HELD, starts_at=started)

    add(5)
    few = _queries()
    add(25)
    assert _queries() == few


def test_cases_whose_processing_is_restricted_are_left_out_and_the_cache_forgets():
    matched = known_data()
    first = dashboard.dashboard(START, END)
    assert _row(_figure(first, "Matches made"), "Matches made")[1] == "10"
    Restriction.objects.create(
        case=matched[0], reason="The person asked", placed_by=create_user("data_protection_officer")
    )
    again = dashboard.dashboard(START, END)  # computed afresh: the restriction moved it on
    assert _row(_figure(again, "Matches made"), "Matches made")[1] == "withheld"


def _board_member(client):
    user = create_user("board_member")
    sign_in(client, user)
    return user


def test_the_page_shows_each_section_with_its_chart_and_table_and_is_audited(client):
    known_data()
    user = _board_member(client)
    response = client.get(PAGE, RANGE)
    body = response.content.decode()
    assert response.status_code == 200
    for title in (
        "Referrals by source",
        "Referrals by concern type",
        "Referrals by area",
        "Waiting time from referral to match",
        "Caseload: open cases at the end of each quarter",
        "Matches made",
        "Sessions held",
        "Approach recorded for sessions held",
        "Style recorded for sessions held",
        "Outcomes of the cases closed in the range",
        "Pool gaps",
    ):
        assert title in body, title
    assert body.count("<svg") >= 9 and "withheld" in body and "Figures computed" in body
    assert "1 January 2025 to 31 December 2025" in body
    event = AuditEvent.objects.get(action="board_dashboard.view", actor=user)
    assert event.reason == "1 January 2025 to 31 December 2025"


def test_evaluators_see_the_dashboard_without_the_pool_gaps(client):
    sign_in(client, create_user("evaluator"))
    body = client.get(PAGE).content.decode()
    assert "Referrals by source" in body and "Pool gaps" not in body


def test_the_default_range_is_the_last_four_complete_quarters():
    assert dashboard.default_range(dt.date(2026, 5, 20)) == (
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
    )
    assert dashboard.default_range(dt.date(2026, 1, 1)) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "1/6/2025", "end": "1/1/2025"}, "must be on or after the first"),
        ({"start": "31/2/2025", "end": "1/3/2025"}, "must be a real date"),
        ({"start": "1/1/2015", "end": "1/1/2025"}, "5 years or shorter"),
        ({"start": "", "end": "1/1/2025"}, "Enter the first day of the range"),
        ({"start": "1/1/2025", "end": "1/1/9999"}, "must be today or in the past"),
    ],
)
def test_a_bad_range_is_explained_never_a_failure(client, data, message):
    _board_member(client)
    response = client.get(PAGE, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and message in body
    assert "<svg" not in body
    pdf = client.get(PDF, data)
    assert pdf.status_code == 302 and pdf.url.startswith(PAGE)


def test_the_dashboard_is_kept_for_a_while_and_the_page_says_when_computed(client):
    _board_member(client)
    client.get(PAGE, RANGE)
    with mock.patch.object(dashboard, "compute", wraps=dashboard.compute) as computed:
        second = client.get(PAGE, RANGE)
        assert computed.call_count == 0  # from the cache
        client.get(PAGE, {"start": "1/1/2024", "end": "31/12/2024"})
        assert computed.call_count == 1  # another range: another key
    assert "Figures computed" in second.content.decode()


def test_precompute_fills_the_cache_for_the_default_range():
    from django.core.management import call_command

    call_command("precompute_dashboard")
    assert cache.get(kept.cache_key(dashboard.kept_as(*dashboard.default_range()))) is not None


def _pdf_text(data: bytes) -> str:
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            text.append(stream.decode("latin-1"))
    return "".join(text)


def test_the_board_report_is_a_pdf_with_every_section_and_no_small_count(client):
    known_data()
    user = _board_member(client)
    response = client.get(PDF, RANGE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    for title in ("Board report", "Referrals by source", "Waiting times", "Caseload", "Outcomes"):
        assert title in text, title
    shown_cells = re.findall(r"\((\d[\d,]*)\) ?Tj", text)
    assert shown_cells and all(int(c.replace(",", "")) % 5 == 0 for c in shown_cells if c != "0")
    assert "withheld" in text
    assert AuditEvent.objects.filter(action="board_dashboard.download", actor=user).exists()


def test_people_without_the_dashboard_are_refused(client):
    sign_in(client, create_user("mentor"))
    assert client.get(PAGE).status_code in (403, 404)
    assert client.get(PDF).status_code in (403, 404)


@pytest.mark.parametrize("role", ["board_member", "evaluator", "coordinator"])
def test_the_home_page_links_the_dashboard(client, role):
    sign_in(client, create_user(role))
    assert f'href="{PAGE}"' in client.get(reverse("site:home")).content.decode()


def test_a_five_year_report_prints_its_wide_tables_in_parts(client):
    _board_member(client)
    response = client.get(PDF, {"start": "1/1/2021", "end": "31/12/2025"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Jan-Mar 2021" in text and "Oct-Dec 2025" in text


def test_an_erasure_makes_every_kept_dashboard_stale():
    from django.db.models.signals import post_save

    from tandem.privacy.models import Erasure

    key = kept.cache_key(dashboard.kept_as(START, END))
    post_save.send(sender=Erasure, instance=None, created=True)
    assert kept.cache_key(dashboard.kept_as(START, END)) != key


def test_a_mentor_s_erasure_makes_every_kept_dashboard_stale_too():
    from django.db.models.signals import post_save

    from tandem.privacy.models import MentorErasure

    key = kept.cache_key(dashboard.kept_as(START, END))
    post_save.send(sender=MentorErasure, instance=None, created=True)
    assert kept.cache_key(dashboard.kept_as(START, END)) != key
