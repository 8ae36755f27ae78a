"""Rehabilitation pages: who sees the licence details (never a mentor not matched to the
person), every read audited, fixed query counts, clear errors that keep what was typed,
the visit booking of a session in custody, the panel, the overview and the policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Case, CaseEvent, Pathway
from tandem.cases.tests.factories import make_case
from tandem.meetings.tests.factories import make_session, mentor_with_account

from ..models import CustodyStatus, CustodyVisit, PanelMeeting, RehabilitationRecord
from .factories import exclusion, make_record, non_association, rehab_match

pytestmark = pytest.mark.django_db

SECRET_NAME = "Daniel Whitfield"


def licensed_case():
    match = rehab_match()
    make_record(match.case, status=CustodyStatus.ON_LICENCE, release=timezone.localdate())
    non_association(match.case, names=SECRET_NAME)
    exclusion(match.case, "Coventry")
    return match


def test_coordinators_the_matched_mentor_and_their_supervisor_read_the_licence(client, signed_in):
    match = licensed_case()
    url = f"/rehabilitation/cases/{match.case_id}/"
    for user in (create_user("coordinator"), match.mentor.user, match.mentor.supervisor):
        signed_in(user)
        page = client.get(url)
        assert page.status_code == 200
        assert SECRET_NAME in page.content.decode()
        assert AuditEvent.objects.filter(
            actor=user, action="cases.case.view", reason="rehabilitation"
        ).exists()


def test_a_mentor_not_matched_to_the_person_never_sees_the_licence_details(client, signed_in):
    match = licensed_case()
    stranger = mentor_with_account()
    rehab_match(mentor=stranger)  # works with someone else
    signed_in(stranger.user)
    for url in (
        f"/rehabilitation/cases/{match.case_id}/",
        f"/rehabilitation/cases/{match.case_id}/details/",
        f"/cases/{match.case_id}/",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404)
        assert SECRET_NAME not in response.content.decode()
    session = make_session(match, place_code="prison")
    assert client.get(f"/rehabilitation/sessions/{session.pk}/visit/").status_code == 404


def test_a_referrer_and_a_board_member_do_not_reach_the_rehabilitation_tab(client, signed_in):
    match = licensed_case()
    for role in ("referrer", "board_member", "evaluator"):
        signed_in(create_user(role))
        assert client.get(f"/rehabilitation/cases/{match.case_id}/").status_code in (403, 404)


def test_the_mentor_cannot_change_the_details(client, signed_in):
    match = licensed_case()
    signed_in(match.mentor.user)
    page = client.get(f"/rehabilitation/cases/{match.case_id}/").content.decode()
    assert "Change the rehabilitation details" not in page
    assert client.get(f"/rehabilitation/cases/{match.case_id}/details/").status_code in (403, 404)


def _queries(client, url) -> int:
    """Queries a GET of ``url`` makes, leaving out data-key reads: keys made in the test's
    own transaction are kept out of the key cache until it commits, which in real use
    happened long before the page is read."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum("core_datakey" not in q["sql"] for q in captured.captured_queries)


def test_the_case_page_takes_the_same_number_of_queries_however_much_is_recorded(client, signed_in):
    small = licensed_case()
    big = licensed_case()
    for _ in range(5):
        non_association(big.case, names="Someone Else")
        PanelMeeting.objects.create(
            case=big.case,
            kind="review",
            met_on=timezone.localdate(),
            recorded_by=create_user("coordinator"),
        )
        make_session(big, place_code="prison")
    signed_in(create_user("coordinator"))
    _queries(client, f"/rehabilitation/cases/{small.case_id}/")
    assert _queries(client, f"/rehabilitation/cases/{small.case_id}/") == _queries(
        client, f"/rehabilitation/cases/{big.case_id}/"
    )


def test_the_overview_takes_the_same_number_of_queries_however_many_releases(client, signed_in):
    signed_in(create_user("coordinator"))
    soon = timezone.localdate() + dt.timedelta(days=5)
    make_record(rehab_match().case, status=CustodyStatus.SENTENCED, release=soon)
    _queries(client, "/rehabilitation/")
    few = _queries(client, "/rehabilitation/")
    for _ in range(4):
        match = rehab_match()
        make_record(match.case, status=CustodyStatus.SENTENCED, release=soon)
        make_session(match, starts_at=timezone.now() + dt.timedelta(days=6))
    assert _queries(client, "/rehabilitation/") == few


def test_a_prevention_case_shows_an_empty_state_and_the_way_to_change_the_pathway(
    client, signed_in
):
    case = make_case()
    signed_in(create_user("coordinator"))
    page = client.get(f"/rehabilitation/cases/{case.pk}/").content.decode()
    assert "on the prevention pathway" in page
    assert f"/cases/{case.pk}/pathway/" in page


def test_the_details_form_explains_bad_answers_and_keeps_what_was_typed(client, signed_in):
    match = rehab_match()
    signed_in(create_user("coordinator"))
    response = client.post(
        f"/rehabilitation/cases/{match.case_id}/details/",
        {
            "custody_status": "sentenced",
            "establishment": "HMP Example",
            "expected_release_date": "31/2/2027",
            "licence_end_date": "",
            "protection_level": "level_2",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "must be a real date" in page
    assert 'value="HMP Example"' in page
    assert not RehabilitationRecord.objects.exists()
    day = timezone.localdate() + dt.timedelta(days=14)
    response = client.post(
        f"/rehabilitation/cases/{match.case_id}/details/",
        {
            "custody_status": "sentenced",
            "establishment": "HMP Example",
            "expected_release_date": day.strftime("%d/%m/%Y"),
            "licence_end_date": "",
            "offender_manager_name": "",
            "offender_manager_contact": "",
            "protection_level": "level_2",
        },
    )
    assert response.status_code == 302
    assert RehabilitationRecord.objects.get().expected_release_date == day


def test_nonsense_posted_to_every_form_answers_without_a_server_error(client, signed_in):
    match = licensed_case()
    signed_in(create_user("coordinator"))
    meeting = PanelMeeting.objects.create(
        case=match.case,
        kind="presentation",
        met_on=timezone.localdate(),
        recorded_by=create_user("coordinator"),
    )
    condition = match.case.licence_conditions.first()
    junk = {
        "kind": "x" * 500,
        "decision": "\x00",
        "met_on": "99/99/99999",
        "area": "abc",
        "custody_status": "nope",
        "version": "-1",
        "first_meeting_days": "1e9",
        "ended_on": "tomorrow",
    }
    for url in (
        f"/rehabilitation/cases/{match.case_id}/details/",
        f"/rehabilitation/cases/{match.case_id}/conditions/add/",
        f"/rehabilitation/cases/{match.case_id}/conditions/{condition.pk}/end/",
        f"/rehabilitation/cases/{match.case_id}/panel/add/",
        f"/rehabilitation/cases/{match.case_id}/panel/{meeting.pk}/decision/",
        "/rehabilitation/policy/",
    ):
        assert client.post(url, junk).status_code == 200, url
    assert (
        client.get(f"/rehabilitation/cases/{match.case_id}/panel/999999/decision/").status_code
        == 404
    )


def test_a_signposting_decision_needs_the_destination(client, signed_in):
    match = rehab_match()
    signed_in(create_user("coordinator"))
    response = client.post(
        f"/rehabilitation/cases/{match.case_id}/panel/add/",
        {
            "kind": "presentation",
            "met_on": timezone.localdate().strftime("%d/%m/%Y"),
            "decision": "signpost",
            "agencies_present": "Probation",
        },
    )
    assert "Enter where the panel signposted the person" in response.content.decode()
    assert not PanelMeeting.objects.exists()


def test_the_mentor_records_the_visit_booking_of_a_session_in_custody(client, signed_in):
    match = rehab_match()
    make_record(match.case, status=CustodyStatus.SENTENCED, establishment="HMP Hewell")
    session = make_session(match, place_code="prison")
    elsewhere = make_session(match)
    signed_in(match.mentor.user)
    page = client.get(f"/meetings/sessions/{session.pk}/").content.decode()
    assert "Record the visit booking" in page
    assert (
        "Record the visit booking"
        not in client.get(f"/meetings/sessions/{elsewhere.pk}/").content.decode()
    )
    form = client.get(f"/rehabilitation/sessions/{session.pk}/visit/").content.decode()
    assert 'value="HMP Hewell"' in form
    response = client.post(
        f"/rehabilitation/sessions/{session.pk}/visit/",
        {
            "establishment": "HMP Hewell",
            "booking_reference": "VB-123",
            "booked_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    visit = CustodyVisit.objects.get()
    assert visit.booking_reference == "VB-123"
    assert CaseEvent.objects.filter(case=match.case, kind="rehabilitation.visit").exists()
    assert (
        "Change the visit booking"
        in client.get(f"/meetings/sessions/{session.pk}/").content.decode()
    )
    assert client.get(f"/rehabilitation/sessions/{elsewhere.pk}/visit/").status_code == 200
    refused = client.post(
        f"/rehabilitation/sessions/{elsewhere.pk}/visit/",
        {"establishment": "X", "booking_reference": "Y", "booked_on": "1/1/2026"},
    )
    assert "Only a session in custody has a visit booking" in refused.content.decode()


def test_the_pathway_is_changed_with_a_reason_on_the_timeline(client, signed_in):
    case = make_case()
    user = create_user("coordinator")
    signed_in(user)
    missing = client.post(
        f"/cases/{case.pk}/pathway/",
        {"pathway": "rehabilitation", "reason": "  ", "version": str(case.version)},
    )
    assert "Enter the reason for changing the pathway" in missing.content.decode()
    response = client.post(
        f"/cases/{case.pk}/pathway/",
        {
            "pathway": "rehabilitation",
            "reason": "Convicted last month",
            "version": str(case.version),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.pathway == Pathway.REHABILITATION
    event = CaseEvent.objects.get(case=case, kind="case.pathway_changed")
    assert event.summary == "Pathway changed from prevention to rehabilitation"
    assert event.reason == "Convicted last month"
    assert AuditEvent.objects.filter(action="case.pathway_change", object_id=str(case.pk)).exists()
    stale = client.post(
        f"/cases/{case.pk}/pathway/",
        {"pathway": "prevention", "reason": "Mistake", "version": "1"},
    )
    assert "changed by someone else" in stale.content.decode() or stale.status_code == 200
    case.refresh_from_db()
    assert case.pathway == Pathway.REHABILITATION


def test_the_overview_lists_releases_alerts_reviews_and_the_panels_waiting_cases(client, signed_in):
    match = rehab_match()
    make_record(
        match.case,
        status=CustodyStatus.SENTENCED,
        release=timezone.localdate() + dt.timedelta(days=5),
    )
    signed_in(create_user("coordinator"))
    page = client.get("/rehabilitation/").content.decode()
    assert match.case.reference in page
    assert "Not planned" in page
    make_session(match, starts_at=timezone.now() + dt.timedelta(days=7))
    assert "On time" in client.get("/rehabilitation/").content.decode()
    Case.objects.filter(pk=match.case_id).update(pathway=Pathway.PREVENTION)
    assert match.case.reference not in client.get("/rehabilitation/").content.decode()


def test_the_policy_refuses_numbers_out_of_range(client, signed_in):
    signed_in(create_user("coordinator"))
    response = client.post(
        "/rehabilitation/policy/",
        {"first_meeting_days": "0", "release_prompt_days": "28", "panel_review_weeks": "12"},
    )
    assert "Enter at least 1 day" in response.content.decode()
    ok = client.post(
        "/rehabilitation/policy/",
        {"first_meeting_days": "3", "release_prompt_days": "28", "panel_review_weeks": "12"},
    )
    assert ok.status_code == 302


def test_the_pathway_is_chosen_at_referral_and_prevention_when_not_given(client, signed_in):
    from tandem.cases.tests.factories_referrals import form_data, post_referral

    signed_in(create_user("coordinator"))
    assert post_referral(client, form_data(pathway="rehabilitation")).status_code == 302
    assert post_referral(client, form_data()).status_code == 302
    bad = client.post("/cases/refer/", form_data(pathway="elsewhere"))
    assert "Select the pathway from the list" in bad.content.decode()
    assert list(Case.objects.order_by("pk").values_list("pathway", flat=True)) == [
        Pathway.REHABILITATION,
        Pathway.PREVENTION,
    ]


def test_the_new_referral_sources_are_offered():
    from tandem.catalogues.models import ReferralSource

    names = set(ReferralSource.objects.offered().values_list("name", flat=True))
    assert {
        "Prison",
        "Probation (offender manager)",
        "Youth justice",
        "Multi-agency panel",
        "Community or faith organisation",
        "Self or family",
    } <= names


def test_the_overview_lists_the_cases_waiting_longest_for_the_panel_and_counts_them_all(
    client, signed_in, monkeypatch
):
    from ..selectors import overview
    from .test_services import panel_case

    monkeypatch.setattr("tandem.rehabilitation.selectors.AWAITING_SHOWN", 2)
    cases = [panel_case() for _ in range(3)]
    for days, case in zip((30, 20, 10), cases, strict=True):
        Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(days=days))
    shown = overview()
    assert [c.pk for c in shown.awaiting_panel] == [cases[0].pk, cases[1].pk]
    assert shown.awaiting_total == 3
    signed_in(create_user("coordinator"))
    page = client.get("/rehabilitation/").content.decode()
    assert "3 cases are waiting; these are the 2 referred longest ago." in page
    assert cases[0].reference in page and cases[2].reference not in page
