"""Session pages: logging keeps what was typed, other people's sessions and cases are
not found, private notes are read only by the mentor and their supervisor (and every
read is audited), and nothing a user can type or click gives a server error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Approach, SupportPlan
from tandem.matching.models import MatchStatus

from ..models import MeetingBrief, Session, SessionStatus, Topic
from .factories import make_session, place, working_match

pytestmark = pytest.mark.django_db

NOTE = "Private: worried about his cousin"
SUMMARY = "Shared: talked about college"


def held_post(**fields):
    data = {
        "date": timezone.localdate().strftime("%d/%m/%Y"),
        "start_time": "00:00",
        "duration_minutes": "60",
        "travel_minutes": "20",
        "place_type": str(place().pk),
        "others": ["family"],
        "approach": "befriending",
        "style": "2",
        "topics": [str(Topic.objects.get(code="family").pk)],
        "engagement": "4",
        "trust": "3",
        "next_steps": "Library next week",
        "private_notes": NOTE,
        "summary": SUMMARY,
    }
    data.update(fields)
    return data


def test_the_log_page_defaults_to_today_an_hour_and_the_plan(client, signed_in):
    match = working_match()
    SupportPlan.objects.create(
        case=match.case,
        approach=Approach.INTERVENTIONIST,
        intended_style=4,
        frequency="fortnightly",
        updated_by=create_user("coordinator"),
    )
    signed_in(match.mentor.user)
    page = client.get(f"/meetings/cases/{match.case_id}/log/").content.decode()
    assert timezone.localdate().strftime("%d/%m/%Y") in page
    assert 'value="60"' in page
    assert 'value="interventionist" class="govuk-radios__input" id="id_approach_1" checked' in page
    assert 'value="4" class="govuk-radios__input" id="id_style_3" checked' in page
    assert "Only you, your supervisor and, if a safeguarding concern" in page
    assert "Coordinators and your supervisor; progress reports to partners use only this" in page


def test_the_log_page_works_without_a_plan(client, signed_in):
    match = working_match()
    signed_in(match.mentor.user)
    assert client.get(f"/meetings/cases/{match.case_id}/log/").status_code == 200


def test_logging_a_held_session_saves_it_and_returns_to_the_workspace(client, signed_in):
    match = working_match()
    signed_in(match.mentor.user)
    response = client.post(f"/meetings/cases/{match.case_id}/log/", held_post())
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/cases/{match.case_id}/"
    session = Session.objects.get()
    assert session.status == SessionStatus.HELD and session.private_notes == NOTE
    assert session.family_present and session.travel_minutes == 20


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"date": "31/02/2026"}, "must be a real date"),
        ({"date": "1/1/99999"}, "must be a real date"),
        ({"start_time": "25:00"}, "Enter the start time like 14:30"),
        ({"start_time": "23:59", "date": "1/1/2999"}, "today or in the past"),
        ({"duration_minutes": "0"}, "at least 1 minute"),
        ({"duration_minutes": "99999999999999999999"}, "720 minutes"),
        ({"place_type": "99999999999999999999"}, "Select a place from the list"),
        ({"style": "7"}, "Select the style you used from the list"),
        ({"approach": "shouting"}, "Select the approach you used from the list"),
        ({"topics": ["abc"]}, "Select topics from the list"),
        ({"engagement": ""}, "Select how engaged the person was"),
    ],
)
def test_a_bad_answer_is_explained_and_nothing_typed_is_lost(client, signed_in, fields, error):
    match = working_match()
    signed_in(match.mentor.user)
    response = client.post(f"/meetings/cases/{match.case_id}/log/", held_post(**fields))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and error in page
    assert NOTE in page and SUMMARY in page and "Library next week" in page
    assert not Session.objects.exists()


def test_a_session_in_the_future_cannot_be_logged_as_held(client, signed_in):
    match = working_match()
    signed_in(match.mentor.user)
    later = timezone.localtime() + dt.timedelta(hours=2)
    if later.date() != timezone.localdate():
        pytest.skip("too close to midnight for a same-day future time")
    response = client.post(
        f"/meetings/cases/{match.case_id}/log/", held_post(start_time=later.strftime("%H:%M"))
    )
    assert "cannot be recorded as held before it has started" in response.content.decode()
    assert not Session.objects.exists()


def test_other_mentors_cases_and_sessions_are_not_found(client, signed_in):
    mine = working_match()
    theirs = working_match()
    session = make_session(theirs, starts_at=timezone.now() - dt.timedelta(hours=1))
    signed_in(mine.mentor.user)
    for url in [
        f"/meetings/cases/{theirs.case_id}/",
        f"/meetings/cases/{theirs.case_id}/log/",
        f"/meetings/cases/{theirs.case_id}/schedule/",
        f"/meetings/sessions/{session.pk}/",
        f"/meetings/sessions/{session.pk}/notes/",
        f"/meetings/sessions/{session.pk}/record/",
        f"/meetings/sessions/{session.pk}/change/",
        f"/meetings/sessions/{session.pk}/move/",
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(f"/meetings/sessions/{session.pk}/missed/", {"version": "1"})
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_a_mentor_whose_match_ended_no_longer_reaches_its_sessions(client, signed_in):
    match = working_match()
    session = make_session(match)
    type(match).objects.filter(pk=match.pk).update(status=MatchStatus.ENDED, end_reason="completed")
    signed_in(match.mentor.user)
    assert client.get(f"/meetings/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/meetings/cases/{match.case_id}/log/").status_code == 404


@pytest.mark.parametrize("pk", ["99999999999999999999", "0"])
def test_huge_or_impossible_ids_are_not_found(client, signed_in, pk):
    match = working_match()
    signed_in(match.mentor.user)
    assert client.get(f"/meetings/sessions/{pk}/").status_code == 404
    assert client.get(f"/meetings/cases/{pk}/").status_code == 404
    assert client.post(f"/meetings/sessions/{pk}/cancel/", {}).status_code == 404


# Two tiers of notes -------------------------------------------------------------------


def _held(match):
    return make_session(
        match,
        status=SessionStatus.HELD,
        starts_at=timezone.now() - dt.timedelta(days=1),
        private_notes=NOTE,
        summary=SUMMARY,
    )


def _note_reads(session):
    return AuditEvent.objects.filter(
        action="meetings.session.view", object_id=str(session.pk), reason="private notes"
    )


@pytest.mark.parametrize("who", ["mentor", "supervisor"])
def test_the_mentor_and_their_supervisor_read_the_private_notes_and_each_read_is_audited(
    client, signed_in, who
):
    match = working_match()
    session = _held(match)
    user = match.mentor.user if who == "mentor" else match.mentor.supervisor
    signed_in(user)
    detail = client.get(f"/meetings/sessions/{session.pk}/").content.decode()
    assert SUMMARY in detail and NOTE not in detail  # the notes are a page of their own
    assert "Read the private notes" in detail
    assert not _note_reads(session).exists()
    for n in (1, 2):
        page = client.get(f"/meetings/sessions/{session.pk}/notes/")
        assert page.status_code == 200 and NOTE in page.content.decode()
        assert _note_reads(session).filter(actor=user).count() == n


def test_a_coordinator_reads_the_summary_but_never_the_private_notes(client, signed_in):
    match = working_match()
    session = _held(match)
    signed_in(create_user("coordinator"))
    detail = client.get(f"/meetings/sessions/{session.pk}/").content.decode()
    assert SUMMARY in detail and NOTE not in detail and "Read the private notes" not in detail
    assert client.get(f"/meetings/sessions/{session.pk}/notes/").status_code == 403
    tab = client.get(f"/meetings/cases/{match.case_id}/").content.decode()
    assert SUMMARY in tab and NOTE not in tab


def test_another_supervisor_does_not_reach_the_notes(client, signed_in):
    match = working_match()
    session = _held(match)
    signed_in(create_user("supervisor"))
    assert client.get(f"/meetings/sessions/{session.pk}/notes/").status_code == 404
    assert client.get(f"/meetings/sessions/{session.pk}/").status_code == 404


def test_a_coordinator_who_is_also_a_mentor_reads_only_their_own_notes(client, signed_in):
    match = working_match()
    session = _held(match)
    signed_in(create_user("coordinator", "mentor"))
    assert client.get(f"/meetings/sessions/{session.pk}/notes/").status_code == 404


# Acting on a planned session ----------------------------------------------------------


def test_recording_did_not_attend_from_the_session_page(client, signed_in):
    match = working_match()
    session = make_session(match, starts_at=timezone.now() - dt.timedelta(hours=1))
    signed_in(match.mentor.user)
    page = client.get(f"/meetings/sessions/{session.pk}/").content.decode()
    assert "They did not attend" in page and "Record as held" in page
    response = client.post(f"/meetings/sessions/{session.pk}/missed/", {"missed-version": "1"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.DID_NOT_ATTEND


@pytest.mark.parametrize("version", ["", "abc", "0", "99999999999999999999", "٣"])
def test_a_stale_or_tampered_version_is_refused_in_words(client, signed_in, version):
    match = working_match()
    session = make_session(match)
    signed_in(match.mentor.user)
    response = client.post(
        f"/meetings/sessions/{session.pk}/cancel/",
        {"cancel-version": version, "cancel-cancelled_by": "person"},
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_recording_a_planned_session_as_held(client, signed_in):
    match = working_match()
    when = timezone.localtime() - dt.timedelta(minutes=5)
    session = make_session(match, starts_at=when)
    signed_in(match.mentor.user)
    form = client.get(f"/meetings/sessions/{session.pk}/record/").content.decode()
    assert when.strftime("%H:%M") in form
    data = held_post(date=when.strftime("%d/%m/%Y"), start_time=when.strftime("%H:%M"), version="1")
    response = client.post(f"/meetings/sessions/{session.pk}/record/", data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD and session.summary == SUMMARY


def test_scheduling_a_fortnightly_series(client, signed_in):
    match = working_match()
    signed_in(match.mentor.user)
    page = client.get(f"/meetings/cases/{match.case_id}/schedule/")
    assert page.status_code == 200
    day = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        f"/meetings/cases/{match.case_id}/schedule/",
        {
            "date": day.strftime("%d/%m/%Y"),
            "start_time": "17:30",
            "duration_minutes": "60",
            "place_type": str(place().pk),
            "repeat": "fortnightly",
            "count": "3",
        },
    )
    assert response.status_code == 302
    assert Session.objects.filter(status=SessionStatus.PLANNED).count() == 3


def test_scheduling_in_the_past_is_explained(client, signed_in):
    match = working_match()
    signed_in(match.mentor.user)
    response = client.post(
        f"/meetings/cases/{match.case_id}/schedule/",
        {
            "date": "1/1/2020",
            "start_time": "17:30",
            "duration_minutes": "60",
            "place_type": str(place().pk),
            "repeat": "once",
        },
    )
    assert "must be at a time still to come" in response.content.decode()


def test_moving_a_session(client, signed_in):
    match = working_match()
    session = make_session(match)
    signed_in(match.mentor.user)
    day = timezone.localdate() + dt.timedelta(days=12)
    response = client.post(
        f"/meetings/sessions/{session.pk}/move/",
        {"date": day.strftime("%d/%m/%Y"), "start_time": "10:00", "version": "1"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.RESCHEDULED
    assert response["Location"] == f"/meetings/sessions/{session.rescheduled_to_id}/"


# The workspace, the Sessions tab and the brief ---------------------------------------


def test_the_workspace_shows_the_brief_to_the_mentor_and_audits_the_read(client, signed_in):
    match = working_match()
    MeetingBrief.objects.create(
        case=match.case,
        preferred_name="Sam",
        contact_details="07700 900123",
        risks_to_mentor="A large dog",
        updated_by=create_user("coordinator"),
    )
    signed_in(match.mentor.user)
    page = client.get(f"/meetings/cases/{match.case_id}/").content.decode()
    assert "Sam" in page and "07700 900123" in page and "A large dog" in page
    assert "Log a session" in page and "Schedule the next session" in page
    assert AuditEvent.objects.filter(
        action="meetings.meetingbrief.view", actor=match.mentor.user
    ).exists()


def test_the_sessions_tab_shows_no_brief_to_a_supervisor(client, signed_in):
    match = working_match()
    MeetingBrief.objects.create(
        case=match.case, contact_details="07700 900123", updated_by=create_user("coordinator")
    )
    signed_in(match.mentor.supervisor)
    page = client.get(f"/meetings/cases/{match.case_id}/").content.decode()
    assert "07700" not in page and "Log a session" not in page


def test_a_coordinator_writes_the_brief_and_a_mentor_cannot(client, signed_in):
    match = working_match()
    signed_in(create_user("coordinator"))
    response = client.post(
        f"/meetings/cases/{match.case_id}/brief/",
        {"preferred_name": "Sam", "contact_details": "07700 900123", "risks_to_mentor": ""},
    )
    assert response.status_code == 302
    assert MeetingBrief.objects.get(case=match.case).preferred_name == "Sam"
    signed_in(match.mentor.user)
    assert client.get(f"/meetings/cases/{match.case_id}/brief/").status_code == 403


def test_your_sessions_lists_what_to_record_and_what_is_coming(client, signed_in):
    match = working_match()
    make_session(match, starts_at=timezone.now() - dt.timedelta(hours=2))
    make_session(match)
    other = working_match()
    make_session(other)
    signed_in(match.mentor.user)
    page = client.get("/meetings/").content.decode()
    assert "To record" in page and "Coming up" in page
    assert page.count(match.case.reference) == 2 and other.case.reference not in page


def test_your_sessions_says_so_when_there_are_none(client, signed_in):
    signed_in(create_user("mentor"))
    assert "You have no planned sessions" in client.get("/meetings/").content.decode()


@pytest.mark.parametrize("who", ["mentor", "supervisor", "coordinator"])
def test_the_case_record_has_a_sessions_tab(client, signed_in, who):
    match = working_match()
    user = {
        "mentor": match.mentor.user,
        "supervisor": match.mentor.supervisor,
        "coordinator": create_user("coordinator"),
    }[who]
    signed_in(user)
    page = client.get(f"/cases/{match.case_id}/").content.decode()
    assert f'href="/meetings/cases/{match.case_id}/"' in page


def test_starting_a_match_from_its_page_plans_the_first_session(client, signed_in):
    match = working_match(status=MatchStatus.ACCEPTED)
    signed_in(create_user("coordinator"))
    day = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(
        f"/matches/{match.pk}/start/",
        {
            "start-first_meeting_on": day.strftime("%d/%m/%Y"),
            "start-first_meeting_time": "15:00",
            "start-place": "phone",
        },
    )
    assert response.status_code == 302
    first = Session.objects.get(match=match)
    assert first.is_first and first.place_type.code == "phone"
