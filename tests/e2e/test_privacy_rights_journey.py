"""The data subject's rights end to end, with one sign-in each: a mentor asks for a copy
of their own records from their home page and the data-protection officer compiles it;
the officer corrects a person's surname at their request with the reason; and before
releasing a person's subject access package the officer withholds another person's
name from a session note, approves the release, and the package shows the name
withheld. axe runs on every page visited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session, mentor_with_account, working_match
from tandem.privacy import subject_access_requests as sar
from tandem.privacy.models import Rectification, Redaction, SubjectAccessRequest
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

THIRD_PARTY = "Farouk Delacroix-Benn"
NOTE = f"Talked about his uncle {THIRD_PARTY}, who drives him to the mosque."


def _spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def _signed_in(browser, live_server, axe, role):
    from tests.e2e.conftest import Visit

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    visit = Visit(page, live_server.url, axe)
    who = _spec(role)
    visit.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
    return visit


def _zip_json(download, folder: str) -> dict:
    with zipfile.ZipFile(io.BytesIO(download.path().read_bytes())) as archive:
        return json.loads(archive.read(f"{folder}/everything.json").decode())


def test_a_mentors_request_a_correction_and_a_package_checked_before_release(
    browser, live_server, axe, transactional_db
):
    ensure_demo_users()
    mentor = mentor_with_account(
        user=User.objects.get(email=_spec("mentor").email), full_name="Imran Qureshi"
    )
    match = working_match(
        case=make_case(status=CaseStatus.ACTIVE, first_name="Zayn", last_name="Smiht")
    )
    session = make_session(
        match, status=SessionStatus.HELD, days_ago=3, private_notes=NOTE, summary="Football."
    )
    case = match.case
    officer_user = User.objects.get(email=_spec("data_protection_officer").email)
    sar.sar_log(actor=officer_user, case=case, received_on=timezone.localdate())

    # (c) The mentor asks for a copy of their records from their home page.
    mentor_visit = _signed_in(browser, live_server, axe, "mentor")
    page = mentor_visit.goto("/")
    page.get_by_role("link", name="A copy of your records").click()
    mentor_visit.check()
    page.get_by_role("button", name="Ask for a copy of your records").click()
    mentor_visit.check()
    assert "You asked on" in page.content()
    assert SubjectAccessRequest.objects.filter(mentor=mentor, completed_on__isnull=True).exists()

    # The officer finds the request at the top of the list and compiles the package.
    officer = _signed_in(browser, live_server, axe, "data_protection_officer")
    page = officer.goto("/privacy/subject-access/")
    page.get_by_role("link", name="Mentor: Imran Qureshi").click()
    officer.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the package as a ZIP").click()
    package = _zip_json(download.value, f"mentor-{mentor.pk}")
    assert package["mentor"][0]["full_name"] == "Imran Qureshi"
    page.get_by_role("button", name="Mark the request as answered").click()
    officer.check()
    assert SubjectAccessRequest.objects.get(mentor=mentor).completed_on is not None

    # (a) Rectification: the person's surname was misspelt at referral.
    page = officer.goto(f"/privacy/cases/{case.pk}/rectification/")
    page.get_by_role("link", name="Last name").click()
    officer.check()
    page.get_by_label("Corrected last name").fill("Smith")
    page.get_by_label("Reason for the correction").fill("The person showed their passport.")
    page.get_by_role("button", name="Save the correction").click()
    officer.check()
    made = Rectification.objects.get(case=case)
    assert made.field == "last_name" and made.reason == "The person showed their passport."
    assert "Last name" in page.content() and "Overwritten" in page.content()
    case.refresh_from_db()
    assert case.last_name == "Smith"

    # (b) Redaction: the uncle named in a session note is withheld before release.
    page = officer.goto(f"/privacy/cases/{case.pk}/subject-access/")
    page.get_by_role("link", name="Check the package and withhold other people's").click()
    officer.check()
    assert THIRD_PARTY in page.content()  # the officer reads what would be released
    page.get_by_label("Item").select_option(f"meetings.session:{session.pk}:private_notes")
    page.get_by_label("Words to withhold (optional)").fill(THIRD_PARTY)
    page.get_by_label("Another person's information").check()
    page.get_by_role("button", name="Withhold it").click()
    officer.check()
    assert Redaction.objects.filter(case=case, reason="third_party").exists()
    page.get_by_role("button", name="Approve the release").click()
    officer.check()
    assert SubjectAccessRequest.objects.get(case=case).released_by == officer_user
    page = officer.goto(f"/privacy/cases/{case.pk}/subject-access/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the package as a ZIP").click()
    text = json.dumps(_zip_json(download.value, case.reference))
    assert THIRD_PARTY not in text
    assert "[withheld: Another person's information" in text
