"""Subject access: the package holds each kind of record about the person, nothing about
anyone else, staff by role only; the command and the officer's page; audited."""

from __future__ import annotations

import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.audit.services import record_view
from tandem.cases.tests.factories import consented, make_case
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session, working_match
from tandem.safeguarding.models import ConcernCategory
from tandem.safeguarding.services import concern_raise

from .factories import police_request, released_report

pytestmark = pytest.mark.django_db


def _person():
    match = working_match(case=make_case(first_name="Oriel", last_name="Vantongeren"))
    case = match.case
    consented(case)
    make_session(
        match, status=SessionStatus.HELD, days_ago=5, summary="SUMMARY-A", private_notes="NOTE-A"
    )
    concern_raise(
        actor=create_user("coordinator"),
        category=ConcernCategory.objects.get(code="risk-to-self"),
        urgency="urgent",
        details="CONCERN-A",
        case=case,
    )
    police_request(case)
    released_report(case)
    record_view(actor=create_user("coordinator"), obj=case, reason="looked")
    # Someone else, who must not appear.
    other = working_match(case=make_case(first_name="Zebedee", last_name="Otherperson"))
    make_session(other, status=SessionStatus.HELD, days_ago=5, summary="SUMMARY-B")
    return case


def test_the_package_holds_each_kind_of_record_and_nobody_else(tmp_path):
    case = _person()
    call_command("subject_access", case.reference, "--out", str(tmp_path), stdout=StringIO())
    archive = zipfile.ZipFile(tmp_path / f"{case.reference}.zip")
    everything = json.loads(archive.read(f"{case.reference}/everything.json"))
    for section in (
        "case",
        "cases.consent",
        "meetings.session",
        "safeguarding.concern",
        "privacy.disclosure",
        "privacy.informationrequest",
        "privacy.progressreport",
        "access",
    ):
        assert everything.get(section), section
    text = json.dumps(everything)
    assert "Oriel" in text and "SUMMARY-A" in text and "NOTE-A" in text and "CONCERN-A" in text
    assert "Zebedee" not in text and "SUMMARY-B" not in text
    assert "@example.org" not in text  # staff by role only
    assert f"{case.reference}/meetings.session.csv" in archive.namelist()
    assert (tmp_path / f"{case.reference}.pdf").read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action="subject_access.compile", object_id=str(case.pk)
    ).exists()


def test_an_unknown_reference_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No case"):
        call_command("subject_access", "T-0000-9999", "--out", str(tmp_path))


def test_the_officer_downloads_the_package_and_a_coordinator_cannot(client, signed_in):
    case = _person()
    signed_in(create_user("coordinator"))
    assert client.get(f"/privacy/cases/{case.pk}/subject-access/").status_code == 403
    officer = create_user("data_protection_officer")
    signed_in(officer)
    assert client.get(f"/privacy/cases/{case.pk}/subject-access/").status_code == 200
    response = client.get(f"/privacy/cases/{case.pk}/subject-access/?format=zip")
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert f"{case.reference}/everything.json" in names
    assert AuditEvent.objects.filter(actor=officer, action="subject_access.compile").exists()


def test_a_request_is_due_in_a_month_extended_with_a_reason_then_answered(client, signed_in):
    case = make_case()
    officer = create_user("data_protection_officer")
    signed_in(officer)
    url = f"/privacy/cases/{case.pk}/subject-access/"
    assert client.post(url, {"step": "log", "received_on": "31/01/2026"}).status_code == 302
    page = client.get(url).content.decode()
    assert "28 February 2026" in page  # one calendar month, clamped to the month's end
    again = client.post(url, {"step": "log", "received_on": "01/02/2026"})
    assert "already has an open request" in again.content.decode()
    no_reason = client.post(url, {"step": "extend", "months": "2", "reason": ""})
    assert "Enter the reason for the extension" in no_reason.content.decode()
    client.post(url, {"step": "extend", "months": "2", "reason": "Many records to check"})
    assert "28 April 2026" in client.get(url).content.decode()
    assert client.post(url, {"step": "complete"}).status_code == 302
    assert "No request is open" in client.get(url).content.decode()
    assert client.post(url, {"step": "nonsense"}).status_code == 200
    actions = set(
        AuditEvent.objects.filter(actor=officer, object_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"subject_access.log", "subject_access.extend", "subject_access.complete"} <= actions


def test_a_restriction_holds_the_case_out_of_matching_until_lifted(client, signed_in):
    from tandem.cases.models import Case, CaseStatus
    from tandem.matching.guards import case_hold, held_cases

    case = make_case(status=CaseStatus.AWAITING_MATCH)
    officer = create_user("data_protection_officer")
    signed_in(officer)
    url = f"/privacy/cases/{case.pk}/restriction/"
    empty = client.post(url, {"reason": " "})
    assert "Enter the reason for the restriction" in empty.content.decode()
    assert client.post(url, {"reason": "Contests the assessment"}).status_code == 302
    assert "Article 18" in case_hold(case)
    assert Case.objects.filter(held_cases(), pk=case.pk).exists()
    assert "Processing is restricted" in client.get(f"/privacy/cases/{case.pk}/").content.decode()
    assert client.post(url, {}).status_code == 302  # lifts it
    assert case_hold(case) is None
    assert not Case.objects.filter(held_cases(), pk=case.pk).exists()
    signed_in(create_user("coordinator"))
    assert client.get(url).status_code == 403
