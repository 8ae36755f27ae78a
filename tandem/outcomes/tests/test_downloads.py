"""List downloads: the same scope and filters as the page, CSV and XLSX, cells that a
spreadsheet would read as a formula neutralised, every download audited with its
filters, and bad input sent back to the list rather than an error."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.mentors.tests.factories import make_mentor

from ..downloads import safe_cell

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_case_list_downloads_with_its_filters_and_no_names(client, signed_in):
    coordinator = create_user("coordinator")
    active = make_case(status=CaseStatus.ACTIVE, first_name="Zebedee")
    make_case(status=CaseStatus.REFERRED)
    signed_in(coordinator)
    response = client.get("/outcomes/downloads/cases/?status=active&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    rows = _csv(response)
    assert rows[0][0] == "Reference"
    assert [r[0] for r in rows[1:]] == [active.reference]
    assert "Zebedee" not in response.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(action="outcomes.export")
    assert "cases as csv" in event.reason and "status" in event.reason and "1 rows" in event.reason
    xlsx = client.get("/outcomes/downloads/cases/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 3 and sheet["A1"].value == "Reference"


def test_mentors_and_referrers_cannot_download_the_case_list(client, signed_in):
    for role in ("mentor", "referrer", "board_member"):
        signed_in(create_user(role))
        assert client.get("/outcomes/downloads/cases/?format=csv").status_code == 403


def test_bad_filters_or_formats_go_back_to_the_list(client, signed_in):
    signed_in(create_user("coordinator"))
    for query in ("format=pdf", "format=csv&status=nonsense"):
        response = client.get(f"/outcomes/downloads/cases/?{query}")
        assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.get("/outcomes/downloads/claims/?month=2026-13").status_code == 302


def test_the_mentor_pool_downloads_with_formula_cells_neutralised(client, signed_in):
    make_mentor(full_name='=HYPERLINK("http://evil")')
    signed_in(create_user("coordinator"))
    rows = _csv(client.get("/outcomes/downloads/mentor-pool/?format=csv"))
    names = [r[0] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    xlsx = client.get("/outcomes/downloads/mentor-pool/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A2"].value.startswith("'=")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_prefixed(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell(5) == 5 and safe_cell("plain") == "plain"


def test_claims_download_for_the_month(client, signed_in):
    signed_in(create_user("coordinator"))
    response = client.get("/outcomes/downloads/claims/?month=2026-03&format=xlsx")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action="outcomes.export", reason__contains="claims-2026-03"
    ).exists()
