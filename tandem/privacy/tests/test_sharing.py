"""The sharing log, requests for information and progress reports: what is logged,
who may see and decide, what a report may contain, and that nothing typed about the
person is stored in clear."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Goal, GoalScore, Review
from tandem.cases.tests.factories import make_case
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session, working_match
from tandem.safeguarding.models import Agency, ConcernCategory
from tandem.safeguarding.services import concern_acknowledge, concern_escalate, concern_raise

from .. import lifecycle, services
from ..models import Disclosure, DisclosureKind, LawfulBasis, ReportStatus, RequestStatus
from .factories import basis, draft_report, part_release, police_request, released_report

pytestmark = pytest.mark.django_db


def _raw(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return repr(cursor.fetchall())


# The catalogue and the lifecycle -----------------------------------------------------


def test_the_default_lawful_bases_name_article_6_with_their_conditions():
    safeguarding = LawfulBasis.objects.get(code="safeguarding")
    assert safeguarding.article_6.startswith("Article 6(1)(e)")
    assert "Article 9(2)(g)" in safeguarding.special_condition
    assert "paragraph 18" in safeguarding.schedule_1
    assert LawfulBasis.objects.count() >= 6


def test_the_request_lifecycle_goes_logged_decided_answered_only():
    assert {
        ("logged", "decided"),
        ("decided", "decided"),
        ("decided", "answered"),
    } == lifecycle.ALLOWED_MOVES
    assert [a.name for a in lifecycle.available_actions("answered")] == []


# Disclosures -------------------------------------------------------------------------------


def test_a_safeguarding_escalation_is_logged_as_a_disclosure():
    lead = create_user("safeguarding_lead")
    case = make_case()
    concern = concern_raise(
        actor=create_user("coordinator"),
        category=ConcernCategory.objects.get(code="harm-to-others"),
        urgency="urgent",
        details="Talked about a plan.",
        case=case,
    )
    concern = concern_acknowledge(actor=lead, concern=concern)
    escalation = concern_escalate(
        actor=lead,
        concern=concern,
        agency=Agency.objects.get(code="police-prevent"),
        method="phone",
    )
    disclosure = Disclosure.objects.get(escalation=escalation)
    assert disclosure.case == case
    assert disclosure.kind == DisclosureKind.SAFEGUARDING
    assert disclosure.lawful_basis.code == "safeguarding"
    assert disclosure.authorised_by == lead
    assert AuditEvent.objects.filter(action="disclosure.record", object_id=str(disclosure.pk))


def test_a_disclosure_logged_by_hand_is_encrypted_and_shown_on_the_persons_page(client, signed_in):
    coordinator = create_user("coordinator")
    case = make_case()
    signed_in(coordinator)
    response = client.post(
        f"/privacy/cases/{case.pk}/disclosures/add/",
        {
            "kind": "court_order",
            "recipient_agency": "Birmingham Crown Court",
            "recipient_person": "Court clerk Hollis",
            "shared_on": timezone.localdate().strftime("%d/%m/%Y"),
            "what_shared": "Attendance dates, Zanzibar-unique-phrase",
            "purpose": "Order of the court dated today",
            "lawful_basis": basis("legal-proceedings").pk,
        },
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get(case=case)
    assert disclosure.authorised_by == coordinator
    raw = _raw("privacy_disclosure")
    assert "Zanzibar" not in raw and "Hollis" not in raw
    page = client.get(f"/privacy/cases/{case.pk}/").content.decode()
    assert "Zanzibar-unique-phrase" in page and "Birmingham Crown Court" in page
    assert AuditEvent.objects.filter(
        actor=coordinator, action="cases.case.view", reason="sharing"
    ).exists()


def test_a_disclosure_without_a_basis_is_refused_and_keeps_what_was_typed(client, signed_in):
    case = make_case()
    signed_in(create_user("coordinator"))
    response = client.post(
        f"/privacy/cases/{case.pk}/disclosures/add/",
        {
            "kind": "other",
            "recipient_agency": "Council",
            "shared_on": "31/02/2026",
            "what_shared": "Something kept",
            "purpose": "",
            "lawful_basis": "999999999999999999999",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Something kept" in body
    assert "Select the lawful basis" in body
    assert not Disclosure.objects.exists()


# Requests for information -------------------------------------------------------------------


def test_a_police_request_is_part_released_with_its_basis_then_logged_when_answered():
    info = police_request()
    officer = create_user("data_protection_officer")
    decided = part_release(info, by=officer)
    assert decided.status == RequestStatus.DECIDED
    assert not Disclosure.objects.exists()  # nothing has left the scheme yet
    answered = services.request_answer(
        actor=create_user("coordinator"), info_request=decided, answered_on=timezone.localdate()
    )
    assert answered.status == RequestStatus.ANSWERED
    disclosure = Disclosure.objects.get(request=answered)
    assert disclosure.authorised_by == officer
    assert disclosure.lawful_basis.code == "crime-prevention"
    assert disclosure.what_shared == "Dates of the sessions held in March."
    with pytest.raises(services.SharingRefused, match="answered"):
        part_release(answered)


def test_a_refusal_needs_reasons_and_shares_nothing():
    info = police_request()
    with pytest.raises(services.SharingRefused, match="reasons"):
        services.request_decide(
            actor=create_user("data_protection_officer"),
            info_request=info,
            decision=services.Decision(decision="refuse", reasons="  "),
        )
    refused = services.request_decide(
        actor=create_user("data_protection_officer"),
        info_request=info,
        decision=services.Decision(decision="refuse", reasons="No lawful basis shown."),
    )
    services.request_answer(
        actor=create_user("coordinator"), info_request=refused, answered_on=timezone.localdate()
    )
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lawful_basis": None}, "lawful basis"),
        ({"exemption": ""}, "exemption"),
        ({"withheld": ""}, "withheld"),
        ({"to_release": ""}, "released"),
    ],
)
def test_a_part_release_needs_its_basis_exemption_and_both_parts(change, message):
    info = police_request()
    fields = {
        "decision": "part_release",
        "reasons": "Needed for an investigation.",
        "exemption": "crime",
        "lawful_basis": basis(),
        "to_release": "Dates.",
        "withheld": "Content.",
    } | change
    with pytest.raises(services.SharingRefused, match=message):
        services.request_decide(
            actor=create_user("data_protection_officer"),
            info_request=info,
            decision=services.Decision(**fields),
        )


def test_only_the_officer_decides_a_request(client, signed_in):
    info = police_request()
    signed_in(create_user("coordinator"))
    assert client.get(f"/privacy/requests/{info.pk}/decide/").status_code == 403
    officer = create_user("data_protection_officer")
    signed_in(officer)
    response = client.post(
        f"/privacy/requests/{info.pk}/decide/",
        {
            "version": info.version,
            "decision": "part_release",
            "lawful_basis": basis().pk,
            "exemption": "crime",
            "to_release": "Dates only",
            "withheld": "Content",
            "reasons": "Proportionate.",
        },
    )
    assert response.status_code == 302
    info.refresh_from_db()
    assert info.decided_by == officer


def test_a_decision_from_a_stale_page_is_refused_and_keeps_what_was_typed(client, signed_in):
    info = police_request()
    part_release(info)
    signed_in(create_user("data_protection_officer"))
    response = client.post(
        f"/privacy/requests/{info.pk}/decide/",
        {"version": 1, "decision": "refuse", "reasons": "Typed text kept"},
    )
    assert response.status_code == 200
    assert "Typed text kept" in response.content.decode()
    assert "Someone else changed this request" in response.content.decode()


def test_the_request_list_takes_a_fixed_number_of_queries(
    client, signed_in, django_assert_max_num_queries
):
    officer = create_user("data_protection_officer")
    for _ in range(3):
        police_request()
    signed_in(officer)
    client.get("/privacy/requests/")  # warm up the session
    with django_assert_max_num_queries(12) as few:
        client.get("/privacy/requests/")
    for _ in range(5):
        police_request()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/privacy/requests/").status_code == 200


# Progress reports ---------------------------------------------------------------------------


def _case_with_history():
    match = working_match()
    case = match.case
    make_session(
        match,
        status=SessionStatus.HELD,
        days_ago=10,
        summary="Talked about college applications.",
        private_notes="PRIVATE-NOTE-NEVER-SHARED",
    )
    make_session(match, status=SessionStatus.DID_NOT_ATTEND, days_ago=3)
    goal = Goal.objects.create(
        case=case,
        title="Back into education",
        owner="person",
        level_minus_2="a",
        level_minus_1="b",
        level_0="c",
        level_plus_1="d",
        level_plus_2="e",
    )
    review = Review.objects.create(
        case=case,
        reviewed_on=timezone.localdate() - dt.timedelta(days=1),
        reviewer=create_user("coordinator"),
        summary="Going well.",
        t_score="55.0",
    )
    GoalScore.objects.create(review=review, goal=goal, score=1)
    return case


def test_a_report_holds_summaries_attendance_and_goals_never_private_notes():
    case = _case_with_history()
    report = draft_report(case)
    contents = services.report_contents(report)
    assert contents["attendance"] == {"held": 1, "did_not_attend": 1, "cancelled": 0, "rate": 50}
    assert contents["sessions"][0]["summary"] == "Talked about college applications."
    assert contents["goals"] == [
        {"title": "Back into education", "owner": "The person", "score": 1}
    ]
    assert "PRIVATE-NOTE" not in report.contents
    assert "college" not in _raw("privacy_progressreport")


def test_releasing_a_report_records_who_approved_it_and_logs_the_disclosure():
    case = _case_with_history()
    coordinator = create_user("coordinator")
    report = released_report(case, by=coordinator)
    assert report.status == ReportStatus.RELEASED
    assert report.released_by == coordinator
    disclosure = Disclosure.objects.get(report=report)
    assert disclosure.kind == DisclosureKind.PROGRESS_REPORT
    assert disclosure.authorised_by == coordinator
    with pytest.raises(services.SharingRefused, match="already"):
        services.report_release(
            actor=coordinator, report=report, recipient_agency="x", lawful_basis=basis()
        )


def test_the_referrer_reads_released_reports_only_on_their_referrals_page(client, signed_in):
    case = _case_with_history()
    referrer = case.referred_by
    draft = draft_report(case, overall="DRAFT-TEXT")
    panel = released_report(case, audience="panel")
    released = released_report(case)
    signed_in(referrer)
    status = client.get(f"/cases/referrals/{case.pk}/").content.decode()
    assert "Progress reports" in status
    assert f"/privacy/reports/{released.pk}/" in status
    assert f"/privacy/reports/{draft.pk}/" not in status
    assert f"/privacy/reports/{panel.pk}/" not in status
    page = client.get(f"/privacy/reports/{released.pk}/")
    assert page.status_code == 200
    assert "Talked about college applications." in page.content.decode()
    assert client.get(f"/privacy/reports/{draft.pk}/").status_code == 404
    assert client.get(f"/privacy/reports/{panel.pk}/").status_code == 404
    pdf = client.get(f"/privacy/reports/{released.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(actor=referrer, action="progress_report.download").exists()
    # Another referrer's report stays hidden.
    other = released_report(make_case())
    assert client.get(f"/privacy/reports/{other.pk}/").status_code == 404


def test_a_report_period_in_the_wrong_order_is_a_clear_error(client, signed_in):
    case = make_case()
    signed_in(create_user("coordinator"))
    response = client.post(
        f"/privacy/cases/{case.pk}/reports/add/",
        {"audience": "referrer", "period_start": "10/03/2026", "period_end": "01/03/2026"},
    )
    assert response.status_code == 200
    assert "The last day must be on or after the first day" in response.content.decode()


def test_the_sharing_log_takes_a_fixed_number_of_queries_and_is_audited(
    client, signed_in, django_assert_max_num_queries
):
    officer = create_user("data_protection_officer")
    released_report(make_case())
    signed_in(officer)
    client.get("/privacy/sharing/")
    with django_assert_max_num_queries(14) as few:
        client.get("/privacy/sharing/")
    for _ in range(4):
        released_report(make_case())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/privacy/sharing/").status_code == 200
    assert AuditEvent.objects.filter(actor=officer, action="sharing_log.view").exists()


def test_the_officer_finds_a_persons_records_by_reference(client, signed_in):
    case = make_case()
    signed_in(create_user("data_protection_officer"))
    found = client.get("/privacy/find/", {"reference": case.reference.lower()})
    assert found.status_code == 302 and found["Location"] == f"/privacy/cases/{case.pk}/"
    for typed, message in (
        ("", "Enter the case reference"),
        ("T-1999-0001", "No case has"),
        ("x" * 500, "20 characters"),
    ):
        page = client.get("/privacy/find/", {"reference": typed})
        assert page.status_code == 200 and message in page.content.decode()
