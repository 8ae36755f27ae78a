"""Safeguarding pages: raising in two clicks from a session, a case or the home page;
the lead's moves with the version the page saw; other people's concerns are not found;
what was typed survives an error; nothing a user can type or click gives a server error;
the queue and the home panel at a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.meetings.tests.factories import make_session, mentor_with_account, working_match

from ..models import CaseArrangement, Concern, ConcernStatus, EscalationMethod, Urgency
from ..services import concern_acknowledge, concern_escalate
from .factories import agency, category, lead, raise_concern

pytestmark = pytest.mark.django_db

WHAT = "He said he knows where the side doors of the mosque are left open."


def raise_post(**fields):
    data = {"category": str(category().pk), "urgency": "urgent", "details": WHAT}
    data.update(fields)
    return data


# Raising --------------------------------------------------------------------------------


def test_a_mentor_raises_an_urgent_concern_from_a_session(client, signed_in):
    match = working_match()
    session = make_session(match, days_ago=1)
    signed_in(match.mentor.user)
    page = client.get(reverse("meetings:session_detail", args=[session.pk]))
    link = reverse("safeguarding:raise_session", args=[session.pk])
    assert link in page.content.decode()
    response = client.post(link, raise_post())
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:detail", args=[concern.pk])
    assert concern.session == session and concern.case == match.case
    assert concern.urgency == Urgency.URGENT and concern.details == WHAT
    # The raiser sees their concern, and the read is audited.
    assert WHAT in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="safeguarding.concern.view").exists()


def test_a_mentor_cannot_raise_from_another_mentors_session_or_case(client, signed_in):
    mine, theirs = working_match(), working_match()
    session = make_session(theirs, days_ago=1)
    signed_in(mine.mentor.user)
    assert client.get(reverse("safeguarding:raise_session", args=[session.pk])).status_code == 404
    assert (
        client.post(
            reverse("safeguarding:raise_case", args=[theirs.case.pk]), raise_post()
        ).status_code
        == 404
    )
    assert not Concern.objects.exists()


def test_a_mentor_raises_a_concern_about_their_own_safety_from_home(client, signed_in):
    mentor = mentor_with_account()
    signed_in(mentor.user)
    home = client.get(reverse("site:home")).content.decode()
    assert reverse("safeguarding:raise") in home
    response = client.post(
        reverse("safeguarding:raise"),
        raise_post(about="me", category=str(category("risk-to-mentor").pk), urgency="immediate"),
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.mentor == mentor and concern.case is None


def test_from_home_a_mentor_chooses_among_their_own_cases_only(client, signed_in):
    mine, theirs = working_match(), working_match()
    signed_in(mine.mentor.user)
    page = client.get(reverse("safeguarding:raise")).content.decode()
    assert mine.case.reference in page and theirs.case.reference not in page
    response = client.post(reverse("safeguarding:raise"), raise_post(about=str(theirs.case.pk)))
    assert response.status_code == 200  # not a choice offered
    assert "Choose who the concern is about from the list" in response.content.decode()
    assert not Concern.objects.exists()


def test_a_supervisor_raises_from_their_supervisees_case_tab(client, signed_in):
    match = working_match()
    signed_in(match.mentor.supervisor)
    tab = client.get(reverse("safeguarding:case_concerns", args=[match.case.pk]))
    assert reverse("safeguarding:raise_case", args=[match.case.pk]) in tab.content.decode()
    client.post(reverse("safeguarding:raise_case", args=[match.case.pk]), raise_post())
    assert Concern.objects.get().raised_by == match.mentor.supervisor


def test_the_case_tab_shows_no_content(client, signed_in):
    concern = raise_concern(details="A secret detail")
    match = concern.case.matches.get()
    signed_in(match.mentor.supervisor)
    page = client.get(reverse("safeguarding:case_concerns", args=[concern.case.pk]))
    assert concern.reference in page.content.decode()
    assert "A secret detail" not in page.content.decode()
    timeline = client.get(reverse("cases:timeline", args=[concern.case.pk])).content.decode()
    assert "Safeguarding concern raised (urgent)" in timeline
    assert "A secret detail" not in timeline


def test_the_case_tab_says_mentoring_is_paused_or_led_by_the_agency_after_an_escalation(
    client, signed_in
):
    concern = raise_concern()
    the_lead = lead()
    concern_acknowledge(actor=the_lead, concern=concern)
    url = reverse("safeguarding:case_concerns", args=[concern.case.pk])
    signed_in(concern.case.matches.get().mentor.user)
    assert "Mentoring paused" not in client.get(url).content.decode()
    concern_escalate(
        actor=the_lead,
        concern=Concern.objects.get(pk=concern.pk),
        agency=agency(),
        method=EscalationMethod.PHONE,
        case_arrangement=CaseArrangement.ON_HOLD,
    )
    page = client.get(url).content.decode()
    assert f"Mentoring paused while the agency decides (escalation of {concern.reference})" in page
    assert "govuk-inset-text" in page


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"details": ""}, "Say what you saw or heard"),
        ({"urgency": "whenever"}, "Choose how urgent it is from the list"),
        ({"category": "99999999999999999999"}, "Select what kind of concern it is from the list"),
        ({"category": "abc"}, "Select what kind of concern it is from the list"),
    ],
)
def test_a_bad_answer_is_explained_and_nothing_typed_is_lost(client, signed_in, fields, error):
    match = working_match()
    signed_in(match.mentor.user)
    response = client.post(
        reverse("safeguarding:raise_case", args=[match.case.pk]), raise_post(**fields)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert error in body
    if fields.get("details") != "":
        assert "mosque" in body
    assert not Concern.objects.exists()


def test_huge_and_odd_ids_are_not_found(client, signed_in):
    signed_in(lead())
    for url in [
        "/safeguarding/99999999999999999999/",
        "/safeguarding/99999999999999999999/acknowledge/",
        "/safeguarding/cases/99999999999999999999/raise/",
        "/safeguarding/sessions/99999999999999999999/raise/",
    ]:
        assert client.get(url).status_code == 404, url
    concern = raise_concern()
    assert client.get(f"/safeguarding/{concern.pk}/explode/").status_code == 404


# The lead ------------------------------------------------------------------------------


def test_the_lead_acknowledges_escalates_records_the_decision_and_closes(client, signed_in):
    the_lead = lead()
    concern = raise_concern()
    signed_in(the_lead)
    detail = reverse("safeguarding:detail", args=[concern.pk])
    act = lambda name: reverse("safeguarding:act", args=[concern.pk, name])  # noqa: E731

    client.post(act("acknowledge"), {"version": concern.version})
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACKNOWLEDGED

    # An escalation with a date in the future is explained; what was typed stays.
    bad = client.post(
        act("escalate"),
        {
            "version": concern.version,
            "agency": str(agency().pk),
            "method": "phone",
            "date": "31/12/2099",
            "agency_reference": "CSC-77",
            "case_arrangement": "statutory_lead",
        },
    )
    assert bad.status_code == 200 and "CSC-77" in bad.content.decode()
    assert "must be today or in the past" in bad.content.decode()
    client.post(
        act("escalate"),
        {
            "version": concern.version,
            "agency": str(agency().pk),
            "method": "phone",
            "date": "",
            "agency_reference": "CSC-77",
            "case_arrangement": "statutory_lead",
        },
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ESCALATED
    escalation = concern.escalations.get()
    assert escalation.agency_reference == "CSC-77"
    assert "CSC-77" in client.get(detail).content.decode()

    client.post(
        reverse("safeguarding:decision", args=[concern.pk]),
        {"escalation": escalation.pk, "decision": "Strategy meeting; they lead."},
    )
    escalation.refresh_from_db()
    assert escalation.decision == "Strategy meeting; they lead."

    concern.refresh_from_db()
    unsigned = client.post(act("close"), {"version": concern.version, "outcome": "statutory_lead"})
    assert "Confirm that you sign off the concern" in unsigned.content.decode()
    client.post(
        act("close"),
        {"version": concern.version, "outcome": "statutory_lead", "signed_off": "on"},
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED and concern.signed_off_by == the_lead


def test_a_stale_page_is_refused_with_an_explanation(client, signed_in):
    concern = raise_concern()
    signed_in(lead())
    url = reverse("safeguarding:act", args=[concern.pk, "acknowledge"])
    client.post(url, {"version": concern.version})
    response = client.post(url, {"version": concern.version})
    assert response.status_code == 200
    assert "Someone else changed this concern" in response.content.decode()


def test_tampered_versions_and_choices_do_not_give_a_server_error(client, signed_in):
    concern = raise_concern()
    signed_in(lead())
    for version in ["", "abc", "99999999999999999999", "-1", "٣"]:
        response = client.post(
            reverse("safeguarding:act", args=[concern.pk, "acknowledge"]), {"version": version}
        )
        assert response.status_code == 200
    response = client.post(
        reverse("safeguarding:urgency", args=[concern.pk]),
        {"version": concern.version, "urgency": "yesterday"},
    )
    assert response.status_code == 200
    response = client.post(
        reverse("safeguarding:decision", args=[concern.pk]),
        {"escalation": "99999999999999999999", "decision": "x"},
    )
    assert response.status_code == 200
    assert Concern.objects.get().status == ConcernStatus.RAISED


def test_a_decision_for_another_concerns_escalation_is_not_found(client, signed_in):
    the_lead = lead()
    one, two = raise_concern(), raise_concern()
    from ..services import concern_acknowledge, concern_escalate

    concern_acknowledge(actor=the_lead, concern=two)
    escalation = concern_escalate(actor=the_lead, concern=two, agency=agency(), method="phone")
    signed_in(the_lead)
    response = client.post(
        reverse("safeguarding:decision", args=[one.pk]),
        {"escalation": escalation.pk, "decision": "x"},
    )
    assert response.status_code == 404


def test_only_the_lead_acts_and_a_raiser_sees_only_their_own(client, signed_in):
    mine = raise_concern()
    theirs = raise_concern()
    signed_in(mine.raised_by)
    assert client.get(reverse("safeguarding:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("safeguarding:detail", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("safeguarding:act", args=[mine.pk, "acknowledge"]), {"version": mine.version}
    )
    assert response.status_code == 403


# The lead and the private notes of a session --------------------------------------------


def test_the_lead_reads_the_notes_of_a_session_a_concern_refers_to_and_no_other(client, signed_in):
    concern = raise_concern(with_session=True)
    match = concern.case.matches.get()
    other = make_session(match, days_ago=3)
    signed_in(lead())
    notes = reverse("meetings:session_notes", args=[concern.session_id])
    assert notes in client.get(reverse("safeguarding:detail", args=[concern.pk])).content.decode()
    assert client.get(notes).status_code == 200
    assert AuditEvent.objects.filter(
        action="meetings.session.view", object_id=str(concern.session_id)
    ).exists()
    assert client.get(reverse("meetings:session_notes", args=[other.pk])).status_code == 404


# Queue, home and policy --------------------------------------------------------------------


def _queue_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["safeguarding:queue", "site:home"])
def test_the_queue_and_home_panel_take_the_same_queries_for_3_or_12_concerns(
    client, signed_in, url_name
):
    signed_in(lead())
    url = reverse(url_name)
    for _ in range(3):
        raise_concern()
    few = _queue_queries(client, url)
    for _ in range(9):
        raise_concern(urgency=Urgency.STANDARD)
    from ..tests.factories import mentor_concern

    mentor_concern()
    assert _queue_queries(client, url) == few


def test_the_queue_puts_unacknowledged_first_by_deadline_and_marks_the_overdue(client, signed_in):
    the_lead = lead()
    now = dt.datetime.now(dt.UTC)
    late = raise_concern(urgency=Urgency.IMMEDIATE, now=now - dt.timedelta(hours=3))
    standard = raise_concern(urgency=Urgency.STANDARD)
    soon = raise_concern(urgency=Urgency.IMMEDIATE)
    from ..services import concern_acknowledge

    done = raise_concern(urgency=Urgency.IMMEDIATE, now=now - dt.timedelta(hours=5))
    concern_acknowledge(actor=the_lead, concern=done)
    signed_in(the_lead)
    page = client.get(reverse("safeguarding:queue")).content.decode()
    order = [page.index(c.reference) for c in (late, soon, standard, done)]
    assert order == sorted(order)
    assert page.count(">Overdue<") == 1


def test_the_lead_home_panel_lists_open_concerns_or_says_there_are_none(client, signed_in):
    signed_in(lead())
    assert "There are no open concerns." in client.get(reverse("site:home")).content.decode()
    concern = raise_concern()
    home = client.get(reverse("site:home")).content.decode()
    assert concern.reference in home and "There are no open concerns." not in home


def test_the_policy_names_a_deputy_who_must_be_a_lead(client, signed_in):
    the_lead, deputy = lead(), lead()
    signed_in(the_lead)
    data = {
        "immediate_minutes": "60",
        "urgent_minutes": "240",
        "standard_working_days": "2",
        "warn_minutes": "30",
        "repeat_minutes": "60",
        "deputy": str(deputy.pk),
    }
    assert client.post(reverse("safeguarding:policy"), data).status_code == 302
    coordinator = create_user("coordinator")
    bad = client.post(reverse("safeguarding:policy"), {**data, "deputy": str(coordinator.pk)})
    assert "Select a safeguarding lead from the list" in bad.content.decode()
    bad = client.post(reverse("safeguarding:policy"), {**data, "repeat_minutes": "1e99"})
    assert bad.status_code == 200


def test_the_queue_sorts_by_column_on_the_server_and_ignores_unknown_orders(client, signed_in):
    standard = raise_concern(urgency=Urgency.STANDARD)
    immediate = raise_concern(urgency=Urgency.IMMEDIATE)
    signed_in(lead())
    url = reverse("safeguarding:queue")

    def order(query):
        response = client.get(url + query)
        assert response.status_code == 200
        return [row["concern"].reference for row in response.context["rows"]]

    by_deadline = [immediate.reference, standard.reference]
    assert order("") == by_deadline
    assert order("?sort=urgency") == by_deadline
    assert order("?sort=reference") == sorted(by_deadline)
    assert order("?sort=urgency_rank") == by_deadline
    html = client.get(url + "?sort=urgency").content.decode()
    assert 'data-module="moj-sortable-table"' in html
    assert 'aria-sort="ascending"><a class="govuk-link" href="?sort=urgency">Urgency' in html
