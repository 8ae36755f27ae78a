"""Information sharing end to end: a coordinator composes a progress report about a
person in support and releases it, and the referrer reads it on their referral's page;
a police request is logged by a coordinator and released in part by the
data-protection officer with its lawful basis and exemption, then answered and found in
the sharing log; the officer compiles a subject access package and erases a case past
retention; and holds a mentor, erases a mentor past retention and anonymises old claims.
axe runs on every page visited; most journeys are checked at 1280 px and 390 px wide."""

from __future__ import annotations

import pytest

from tandem.accounts.models import User
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session, working_match
from tandem.privacy.models import Disclosure, InformationRequest, ProgressReport
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def visitor(browser, live_server, axe, role, viewport=DESKTOP):
    from tests.e2e.conftest import Visit

    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    visit = Visit(page, live_server.url, axe)
    who = spec(role)
    visit.sign_in(who.email, DEMO_PASSWORD, who.key_bytes)
    return visit


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_a_released_report_reaches_the_referrer(
    browser, live_server, axe, transactional_db, viewport
):
    ensure_demo_users()
    referrer_user = User.objects.get(email=spec("referrer").email)
    match = working_match(case=make_case(referred_by=referrer_user, status=CaseStatus.ACTIVE))
    make_session(
        match,
        status=SessionStatus.HELD,
        days_ago=7,
        summary="Talked about a college course.",
        private_notes="Never shared with partners.",
    )
    case = match.case

    coordinator = visitor(browser, live_server, axe, "coordinator", viewport)
    page = coordinator.goto(f"/privacy/cases/{case.pk}/")
    page.get_by_role("link", name="Compose a progress report").click()
    coordinator.check()
    page.get_by_label("Overall progress").fill("Attending well.")
    page.get_by_role("button", name="Compose the report").click()
    coordinator.check()
    assert "Talked about a college course." in page.content()
    assert "Never shared" not in page.content()
    page.get_by_role("link", name="Approve and release").click()
    coordinator.check()
    page.locator('select[name="lawful_basis"]').select_option(
        label=page.locator(
            'select[name="lawful_basis"] option', has_text="consent"
        ).first.inner_text()
    )
    page.get_by_role("button", name="Release the report").click()
    coordinator.check()
    report = ProgressReport.objects.get(case=case)
    assert report.status == "released"
    assert Disclosure.objects.filter(report=report).exists()

    referrer = visitor(browser, live_server, axe, "referrer", viewport)
    page = referrer.goto(f"/cases/referrals/{case.pk}/")
    page.get_by_role("link", name="Progress report,").click()
    referrer.check()
    assert "Attending well." in page.content()
    assert "Never shared" not in page.content()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_a_police_request_is_logged_and_released_in_part_with_its_basis(
    browser, live_server, axe, transactional_db, viewport
):
    ensure_demo_users()
    case = make_case(status=CaseStatus.ACTIVE)

    coordinator = visitor(browser, live_server, axe, "coordinator", viewport)
    page = coordinator.goto(f"/privacy/cases/{case.pk}/")
    page.get_by_role("link", name="Log a request for information").click()
    coordinator.check()
    page.get_by_label("Request from the police").check()
    page.get_by_label("Agency making the request").fill("West Midlands Police")
    page.get_by_label("What is asked for").fill("Dates of sessions in March.")
    page.get_by_role("button", name="Log the request").click()
    coordinator.check()
    info = InformationRequest.objects.get(case=case)

    officer = visitor(browser, live_server, axe, "data_protection_officer", viewport)
    page = officer.goto("/privacy/requests/")
    page.get_by_role("link", name=f"request about {case.reference}").click()
    officer.check()
    page.get_by_role("link", name="Decide the request").click()
    officer.check()
    page.get_by_label("Release in part").check()
    page.locator('select[name="lawful_basis"]').select_option(
        label=page.locator(
            'select[name="lawful_basis"] option', has_text="Preventing or detecting crime"
        ).first.inner_text()
    )
    page.get_by_label("Crime and taxation").check()
    page.get_by_label("What will be released").fill("The dates of sessions in March.")
    page.get_by_label("What will be withheld, and why").fill("What was said: not needed.")
    page.get_by_label("Reasons for the decision").fill("Necessary and proportionate.")
    page.get_by_role("button", name="Save the decision").click()
    officer.check()
    page.get_by_role("link", name="Record the answer").click()
    officer.check()
    page.get_by_role("button", name="Record the answer").click()
    officer.check()
    info.refresh_from_db()
    assert info.status == "answered" and info.decision == "part_release"
    assert info.lawful_basis.code == "crime-prevention"
    page = officer.goto("/privacy/sharing/")
    assert case.reference in page.content()
    assert "Preventing or detecting crime" in page.content()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_officer_compiles_a_subject_access_package_and_erases_a_case_past_retention(
    browser, live_server, axe, transactional_db, viewport
):
    import datetime as dt

    from django.utils import timezone

    from tandem.cases.models import Case
    from tandem.privacy.models import Erasure

    ensure_demo_users()
    person = make_case(status=CaseStatus.ACTIVE)
    old = make_case(status=CaseStatus.CLOSED)
    Case.objects.filter(pk=old.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=365 * 7)
    )

    officer = visitor(browser, live_server, axe, "data_protection_officer", viewport)
    page = officer.goto("/privacy/find/")
    page.get_by_label("Case reference").fill(person.reference)
    page.get_by_role("button", name="Find").click()
    officer.check()
    page.get_by_role("link", name="Subject access").click()
    officer.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the package as a ZIP").click()
    assert download.value.suggested_filename == f"subject-access-{person.reference}.zip"

    page = officer.goto("/privacy/retention/")
    page.get_by_role("link", name=f"Erase {old.reference}").click()
    officer.check()
    page.get_by_role("button", name="Approve and erase").click()
    officer.check()
    assert "Confirm that nothing requires this record to be kept" in page.content()
    page.get_by_label("I have checked that nothing requires this record to be kept").check()
    page.get_by_role("button", name="Approve and erase").click()
    officer.check()
    assert Erasure.objects.filter(case=old).exists()
    assert Case.objects.get(pk=old.pk).subject_erased


def test_the_officer_holds_a_mentor_erases_one_past_retention_and_anonymises_old_claims(
    browser, live_server, axe, transactional_db
):
    import datetime as dt

    from django.utils import timezone

    from tandem.meetings.models import Claim
    from tandem.meetings.tests.factories import held_session, make_claim
    from tandem.mentors.models import Mentor, MentorStatus
    from tandem.mentors.tests.factories import make_mentor
    from tandem.privacy.models import LegalHold, MentorErasure

    ensure_demo_users()
    to_hold = make_mentor(status=MentorStatus.ACTIVE, email="held.mentor@example.org")
    gone = make_mentor(status=MentorStatus.LEFT)
    Mentor.objects.filter(pk=gone.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=400)
    )
    claim = make_claim(held_session(), expenses_note="Taxi from Gullsway Point")
    Claim.objects.filter(pk=claim.pk).update(month=dt.date(2018, 5, 1))

    officer = visitor(browser, live_server, axe, "data_protection_officer")
    page = officer.goto("/privacy/retention/")
    page.get_by_label("The mentor's email address").fill("held.mentor@example.org")
    page.get_by_role("button", name="Find the mentor").click()
    officer.check()
    page.get_by_label("Reason for the hold").fill("An allegation under inquiry")
    page.get_by_role("button", name="Place a legal hold").click()
    officer.check()
    assert LegalHold.objects.filter(mentor=to_hold, lifted_at__isnull=True).exists()
    assert f"Mentor {to_hold.pk}: An allegation under inquiry" in page.content()

    page.get_by_role("link", name=f"Erase mentor {gone.pk}").click()
    officer.check()
    page.get_by_label("I have checked that nothing requires this record to be kept").check()
    page.get_by_role("button", name="Approve and erase").click()
    officer.check()
    assert MentorErasure.objects.filter(mentor=gone).exists()

    page.get_by_role("link", name="Anonymise the claims past the finance period").click()
    officer.check()
    page.get_by_label("I have checked that nothing requires this record to be kept").check()
    page.get_by_role("button", name="Approve and anonymise").click()
    officer.check()
    assert "Claims anonymised: 1." in page.content()
    assert Claim.objects.get(pk=claim.pk).expenses_note == ""
