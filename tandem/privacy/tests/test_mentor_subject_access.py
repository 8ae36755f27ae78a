"""Mentors' requests for their own records: logged by the mentor or by the officer on
their behalf, with the same deadline rules; the package holds the mentor's own data and
none of their mentees' private information; the officer's list shows what is overdue."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.tests.factories import make_case
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_claim, make_session, working_match

from .. import subject_access_requests as sar
from ..models import SubjectAccessRequest

pytestmark = pytest.mark.django_db


def test_a_mentor_asks_for_their_records_once_and_the_deadline_is_a_month(client, signed_in):
    match = working_match()
    mentor = match.mentor
    signed_in(mentor.user)
    page = client.get("/privacy/my-records/")
    assert page.status_code == 200
    assert "Ask for a copy of your records" in page.content.decode()
    assert client.post("/privacy/my-records/").status_code == 302
    made = SubjectAccessRequest.objects.get(mentor=mentor)
    today = timezone.localdate()
    assert made.case is None and made.received_on == today
    assert made.due_on > today and (made.due_on - today).days in range(28, 32)
    assert AuditEvent.objects.filter(actor=mentor.user, action="subject_access.log").exists()
    again = client.post("/privacy/my-records/")
    assert "You have already asked" in again.content.decode()
    assert SubjectAccessRequest.objects.filter(mentor=mentor).count() == 1


def test_the_mentors_package_holds_their_data_and_not_their_mentees(client, signed_in):
    match = working_match(phone="07700 900 777")
    mentor = match.mentor
    make_session(
        match,
        status=SessionStatus.HELD,
        days_ago=4,
        private_notes="MENTEE-PRIVATE talked about his brother",
        summary="MENTEE-SUMMARY football",
    )
    make_claim(session=make_session(match, status=SessionStatus.HELD, days_ago=9))
    officer = create_user("data_protection_officer")
    signed_in(officer)
    response = client.get(f"/privacy/mentors/{mentor.pk}/subject-access/?format=zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = archive.read(f"mentor-{mentor.pk}/everything.json").decode()
    package = json.loads(text)
    assert package["mentor"][0]["full_name"] == mentor.full_name
    assert package["mentor"][0]["phone"] == "07700 900 777"  # the mentor's own, decrypted
    assert len(package["meetings.session"]) == 2
    assert package["meetings.session"][0]["case"] == match.case.reference
    assert "meetings.claim" in package
    assert "MENTEE-PRIVATE" not in text and "MENTEE-SUMMARY" not in text
    assert "private_notes" not in package["meetings.session"][0]
    assert match.case.first_name not in text
    assert AuditEvent.objects.filter(
        actor=officer, action="subject_access.compile", object_type="mentors.mentor"
    ).exists()
    assert client.get(f"/privacy/mentors/{mentor.pk}/subject-access/?format=pdf").status_code == 200


def test_the_officer_logs_for_a_mentor_and_sees_overdue_requests_first(client, signed_in):
    mentor = working_match().mentor
    late = make_case()
    officer = create_user("data_protection_officer")
    sar.sar_log(actor=officer, case=late, received_on=timezone.localdate() - dt.timedelta(days=45))
    signed_in(officer)
    missing = client.post("/privacy/subject-access/", {"email": "nobody@example.org"})
    assert "Enter the email address of a mentor on Tandem" in missing.content.decode()
    found = client.post("/privacy/subject-access/", {"email": mentor.email.upper()})
    assert found.status_code == 302
    url = f"/privacy/mentors/{mentor.pk}/subject-access/"
    assert client.post(url, {"step": "log", "received_on": "31/01/2026"}).status_code == 302
    made = SubjectAccessRequest.objects.get(mentor=mentor)
    assert made.due_on == dt.date(2026, 2, 28)  # the same rule as for people supported
    client.post(url, {"step": "extend", "months": "2", "reason": "Many records to check"})
    made.refresh_from_db()
    assert made.extended_to == dt.date(2026, 4, 28)
    listing = client.get("/privacy/subject-access/").content.decode()
    # The earliest deadline first: the mentor's (April) before the case's (last month).
    assert listing.index(mentor.full_name) < listing.index(late.reference)
    assert listing.count("Overdue") == 2  # both deadlines are past
    client.post(url, {"step": "complete"})
    assert mentor.full_name not in client.get("/privacy/subject-access/").content.decode()
    assert client.get("/privacy/mentors/999999/subject-access/").status_code == 404


def test_others_cannot_reach_a_mentors_package(client, signed_in):
    mentor = working_match().mentor
    signed_in(create_user("coordinator"))
    assert client.get(f"/privacy/mentors/{mentor.pk}/subject-access/").status_code in (403, 404)
    signed_in(mentor.user)
    assert client.get(f"/privacy/mentors/{mentor.pk}/subject-access/").status_code in (403, 404)
    assert client.get("/privacy/subject-access/").status_code in (403, 404)
