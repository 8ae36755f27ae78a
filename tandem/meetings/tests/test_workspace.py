"""The mentor's pages bring the parts of meetings together: the workspace shows the
lone-working buttons, the specialist-advice block (its read audited) and the way to the
calendar feed; a session's page shows the lone-working buttons and the way to its claim."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent

from ..models import MeetingsPolicy, SessionStatus
from .factories import (
    advice_world,
    answer,
    ask,
    held_session,
    make_claim,
    make_session,
    mentor_with_account,
    working_match,
)

pytestmark = pytest.mark.django_db


def _page(client, name, pk) -> str:
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_workspace_has_check_in_for_todays_home_visit_and_the_calendar(client, signed_in):
    match = working_match()
    visit = make_session(
        match, starts_at=timezone.now() + dt.timedelta(minutes=30), place_code="home"
    )
    make_session(match, starts_at=timezone.now() + dt.timedelta(minutes=30))  # no check-in
    signed_in(match.mentor.user)
    page = _page(client, "meetings:case_sessions", match.case_id)
    assert page.count(reverse("meetings:session_check_in", args=[visit.pk])) == 1
    assert page.count("/check-in/") == 1
    assert reverse("meetings:calendar") in page


def test_the_workspace_has_check_out_for_a_visit_checked_in_to(client, signed_in):
    match = working_match()
    visit = make_session(
        match,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        place_code="home",
        checked_in_at=timezone.now() - dt.timedelta(hours=1),
    )
    signed_in(match.mentor.user)
    page = _page(client, "meetings:case_sessions", match.case_id)
    assert reverse("meetings:session_check_out", args=[visit.pk]) in page


def test_the_workspace_shows_the_advice_and_audits_the_read(client, signed_in):
    world = advice_world()
    answer(ask(world, "What does the Quran say about fighting?"), world.adviser)
    signed_in(world.mentor_user)
    page = _page(client, "meetings:case_sessions", world.case.pk)
    assert "Specialist advice" in page
    assert "What does the Quran say about fighting?" in page
    assert reverse("meetings:advice_ask", args=[world.case.pk]) in page
    assert AuditEvent.objects.filter(
        action="advice_question.list",
        object_type="cases.case",
        object_id=str(world.case.pk),
        reason="workspace",
        actor=world.mentor_user,
    ).exists()


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_the_sessions_tab_of_others_is_no_workspace(client, signed_in, who):
    world = advice_world()
    ask(world)
    signed_in(world.supervisor if who == "supervisor" else create_user("coordinator"))
    page = _page(client, "meetings:case_sessions", world.case.pk)
    assert "Specialist advice" not in page and reverse("meetings:calendar") not in page
    assert not AuditEvent.objects.filter(action="advice_question.list").exists()


def test_a_session_page_has_the_lone_working_buttons_for_its_mentor_only(client, signed_in):
    match = working_match()
    visit = make_session(
        match, starts_at=timezone.now() + dt.timedelta(minutes=30), place_code="home"
    )
    check_in = reverse("meetings:session_check_in", args=[visit.pk])
    signed_in(match.mentor.user)
    assert check_in in _page(client, "meetings:session_detail", visit.pk)
    signed_in(match.mentor.supervisor)
    assert check_in not in _page(client, "meetings:session_detail", visit.pk)


def test_a_held_session_offers_a_claim_then_links_to_it(client, signed_in):
    session = held_session()
    signed_in(session.mentor.user)
    page = _page(client, "meetings:session_detail", session.pk)
    assert reverse("meetings:claim_create", args=[session.pk]) in page
    claim = make_claim(session)
    page = _page(client, "meetings:session_detail", session.pk)
    assert reverse("meetings:claim_create", args=[session.pk]) not in page
    assert reverse("meetings:claim_detail", args=[claim.pk]) in page and "Draft" in page


def test_a_did_not_attend_is_claimable_only_when_the_scheme_pays_for_it(client, signed_in):
    session = held_session(status=SessionStatus.DID_NOT_ATTEND)
    claim_url = reverse("meetings:claim_create", args=[session.pk])
    signed_in(session.mentor.user)
    MeetingsPolicy.objects.filter(pk=1).update(pays_did_not_attend=False)
    assert claim_url not in _page(client, "meetings:session_detail", session.pk)
    MeetingsPolicy.objects.filter(pk=1).update(pays_did_not_attend=True)
    assert claim_url in _page(client, "meetings:session_detail", session.pk)


def test_planned_sessions_and_other_people_are_offered_no_claim(client, signed_in):
    mentor = mentor_with_account(level="accredited", supervisor=create_user("supervisor"))
    planned = make_session(working_match(mentor=mentor))
    held = held_session(mentor)
    signed_in(mentor.user)
    assert "/claims/sessions/" not in _page(client, "meetings:session_detail", planned.pk)
    signed_in(mentor.supervisor)
    assert "/claims/sessions/" not in _page(client, "meetings:session_detail", held.pk)
