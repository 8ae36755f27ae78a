"""The session services: each step of the lifecycle and each refusal."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent
from tandem.core.models import Notification
from tandem.matching import services as matching
from tandem.matching.models import MatchStatus

from .. import lifecycle
from ..models import MeetingBrief, PlaceType, Session, SessionStatus, Topic
from ..services import sessions as services
from .factories import make_session, place, working_match

pytestmark = pytest.mark.django_db

NOTE = "He told me about his brother"  # text that must never leak
SUMMARY = "Talked about college and football"


def what(**fields):
    fields.setdefault("approach", "befriending")
    fields.setdefault("style", 2)
    fields.setdefault("engagement", 4)
    fields.setdefault("trust", 3)
    fields.setdefault("topics", list(Topic.objects.filter(code__in=["family", "education-work"])))
    fields.setdefault("private_notes", NOTE)
    fields.setdefault("summary", SUMMARY)
    fields.setdefault("next_steps", "Meet at the library next week")
    return services.WhatHappened(**fields)


def arrangements(starts_at=None, **fields):
    return services.Arrangements(
        starts_at=starts_at or timezone.now() - dt.timedelta(hours=2),
        place_type=fields.pop("place_type", place()),
        **fields,
    )


def future(days=7, hour=18):
    return timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour, 0))
    )


def _assert_never_leaked(*texts):
    for text in texts:
        assert not CaseEvent.objects.filter(summary__contains=text).exists()
        assert not AuditEvent.objects.filter(reason__contains=text).exists()
        assert not Notification.objects.filter(message__contains=text).exists()


# The lifecycle as data ------------------------------------------------------------------


def test_every_step_starts_from_planned_and_every_other_status_is_final():
    assert {source for source, _ in lifecycle.ALLOWED_MOVES} == {SessionStatus.PLANNED}
    assert {target for _, target in lifecycle.ALLOWED_MOVES} == {
        SessionStatus.HELD,
        SessionStatus.DID_NOT_ATTEND,
        SessionStatus.CANCELLED,
        SessionStatus.RESCHEDULED,
    }
    for status in SessionStatus.values:
        if status != SessionStatus.PLANNED:
            assert lifecycle.available_steps(status) == []


# Scheduling -----------------------------------------------------------------------------


def test_scheduling_one_session_plans_it_audits_it_and_puts_it_on_the_timeline():
    match = working_match()
    actor = match.mentor.user
    (session,) = services.session_schedule(
        actor=actor, match=match, arrangements=arrangements(future())
    )
    assert session.status == SessionStatus.PLANNED and session.series is None
    assert session.case == match.case and session.mentor == match.mentor
    assert AuditEvent.objects.filter(action="session.schedule", object_id=str(session.pk)).exists()
    assert CaseEvent.objects.filter(case=match.case, kind="session.scheduled").count() == 1


@pytest.mark.parametrize(("repeat", "weeks"), [("weekly", 1), ("fortnightly", 2)])
def test_a_series_repeats_on_the_local_clock(repeat, weeks):
    match = working_match()
    made = services.session_schedule(
        actor=match.mentor.user,
        match=match,
        arrangements=arrangements(future(hour=18)),
        repeat=repeat,
        count=4,
    )
    assert len(made) == 4 and len({s.series for s in made}) == 1 and made[0].series
    days = [timezone.localtime(s.starts_at) for s in made]
    assert all(d.hour == 18 for d in days)
    assert [(b.date() - a.date()).days for a, b in itertools.pairwise(days)] == [7 * weeks] * 3
    assert CaseEvent.objects.filter(case=match.case, kind="session.scheduled").count() == 1


@pytest.mark.parametrize("status", [MatchStatus.PROPOSED, MatchStatus.ENDED, MatchStatus.DECLINED])
def test_only_a_working_match_can_have_sessions(status):
    match = working_match(status=status)
    with pytest.raises(services.SessionRefused, match="accepted or active"):
        services.session_schedule(
            actor=match.mentor.user, match=match, arrangements=arrangements(future())
        )
    with pytest.raises(services.SessionRefused, match="accepted or active"):
        services.session_log_held(
            actor=match.mentor.user, match=match, arrangements=arrangements(), what=what()
        )
    assert not Session.objects.exists()


def test_an_accepted_match_can_have_sessions():
    match = working_match(status=MatchStatus.ACCEPTED)
    services.session_schedule(
        actor=match.mentor.user, match=match, arrangements=arrangements(future())
    )
    assert Session.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starts_at": "past"}, "still to come"),
        ({"duration_minutes": 0}, "between 1 and 720"),
        ({"duration_minutes": 721}, "between 1 and 720"),
        ({"travel_minutes": 800}, "Travel time"),
        ({"place_type": "retired"}, "no longer offered"),
    ],
)
def test_scheduling_refuses_what_makes_no_sense(change, message):
    match = working_match()
    fields = dict(change)
    if fields.get("starts_at") == "past":
        fields["starts_at"] = timezone.now() - dt.timedelta(minutes=1)
    if fields.get("place_type") == "retired":
        retired = place("prison")
        PlaceType.objects.filter(pk=retired.pk).update(is_active=False)
        fields["place_type"] = retired
    fields.setdefault("starts_at", future())
    with pytest.raises(services.SessionRefused, match=message):
        services.session_schedule(
            actor=match.mentor.user, match=match, arrangements=arrangements(**fields)
        )


def test_a_series_has_a_sane_length():
    match = working_match()
    with pytest.raises(services.SessionRefused, match="from 1 to 26"):
        services.session_schedule(
            actor=match.mentor.user,
            match=match,
            arrangements=arrangements(future()),
            repeat="weekly",
            count=27,
        )


def test_editing_a_planned_session_bumps_its_version():
    match = working_match()
    session = make_session(match)
    changed = services.session_edit(
        actor=match.mentor.user,
        session=session,
        expected_version=1,
        arrangements=arrangements(future(days=9), duration_minutes=90),
    )
    assert changed.version == 2 and changed.duration_minutes == 90


# Recording ------------------------------------------------------------------------------


def test_recording_a_planned_session_as_held_keeps_what_happened():
    match = working_match()
    session = make_session(match, starts_at=timezone.now() - dt.timedelta(hours=1))
    held = services.session_record_held(
        actor=match.mentor.user,
        session=session,
        expected_version=session.version,
        arrangements=arrangements(session.starts_at, family_present=True),
        what=what(),
    )
    held.refresh_from_db()
    assert held.status == SessionStatus.HELD and held.version == 2
    assert held.private_notes == NOTE and held.summary == SUMMARY
    assert held.family_present and not held.professional_present
    assert {t.code for t in held.topics.all()} == {"family", "education-work"}
    assert held.recorded_by == match.mentor.user
    event = CaseEvent.objects.get(case=match.case, kind="session.held")
    assert "Session held on" in event.summary
    _assert_never_leaked(NOTE, SUMMARY, "library")
    audit = AuditEvent.objects.get(action="session.record_held")
    assert "private_notes" in audit.changed_fields  # the names of fields, never the text


def test_a_session_that_was_never_planned_is_logged_as_held():
    match = working_match()
    session = services.session_log_held(
        actor=match.mentor.user, match=match, arrangements=arrangements(), what=what()
    )
    assert session.status == SessionStatus.HELD and session.created_by == match.mentor.user
    _assert_never_leaked(NOTE, SUMMARY)


def test_a_session_cannot_be_held_in_the_future():
    match = working_match()
    with pytest.raises(services.SessionRefused, match="before it has started"):
        services.session_log_held(
            actor=match.mentor.user,
            match=match,
            arrangements=arrangements(timezone.now() + dt.timedelta(hours=1)),
            what=what(),
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"approach": "shouting"}, "approach"),
        ({"style": 6}, "style"),
        ({"engagement": 0}, "engagement"),
        ({"trust": 9}, "trust"),
    ],
)
def test_what_happened_must_be_on_its_scales(change, message):
    match = working_match()
    with pytest.raises(services.SessionRefused, match=message):
        services.session_log_held(
            actor=match.mentor.user, match=match, arrangements=arrangements(), what=what(**change)
        )


def test_retired_topics_are_refused():
    match = working_match()
    topic = Topic.objects.get(code="theology")
    Topic.objects.filter(pk=topic.pk).update(is_active=False)
    with pytest.raises(services.SessionRefused, match="no longer offered"):
        services.session_log_held(
            actor=match.mentor.user,
            match=match,
            arrangements=arrangements(),
            what=what(topics=[topic]),
        )


def test_did_not_attend_is_recorded_once_the_time_has_come():
    match = working_match()
    later = make_session(match)
    with pytest.raises(services.SessionRefused, match="time has come"):
        services.session_record_missed(actor=match.mentor.user, session=later, expected_version=1)
    past = make_session(match, starts_at=timezone.now() - dt.timedelta(hours=3))
    missed = services.session_record_missed(
        actor=match.mentor.user, session=past, expected_version=1
    )
    assert missed.status == SessionStatus.DID_NOT_ATTEND
    assert CaseEvent.objects.filter(kind="session.missed").count() == 1


def test_cancelling_says_by_whom():
    match = working_match()
    session = make_session(match)
    with pytest.raises(services.SessionRefused, match="who cancelled"):
        services.session_cancel(
            actor=match.mentor.user, session=session, expected_version=1, cancelled_by="aliens"
        )
    cancelled = services.session_cancel(
        actor=match.mentor.user, session=session, expected_version=1, cancelled_by="scheme"
    )
    assert cancelled.status == SessionStatus.CANCELLED and cancelled.cancelled_by == "scheme"
    assert "cancelled by the scheme" in CaseEvent.objects.get(kind="session.cancelled").summary


def test_rescheduling_links_the_new_planned_session_and_moves_the_first_meeting():
    match = working_match()
    session = make_session(match, is_first=True, duration_minutes=45)
    new = services.session_reschedule(
        actor=match.mentor.user, session=session, expected_version=1, starts_at=future(days=10)
    )
    session.refresh_from_db()
    assert session.status == SessionStatus.RESCHEDULED and session.rescheduled_to == new
    assert new.status == SessionStatus.PLANNED and new.duration_minutes == 45
    assert new.is_first and not session.is_first


def test_a_stale_form_is_refused_in_words():
    match = working_match()
    session = make_session(match)
    services.session_edit(
        actor=match.mentor.user,
        session=session,
        expected_version=1,
        arrangements=arrangements(future(days=8)),
    )
    with pytest.raises(services.SessionConflict, match="changed by someone else"):
        services.session_cancel(
            actor=match.mentor.user, session=session, expected_version=1, cancelled_by="person"
        )
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


@pytest.mark.parametrize(
    "status", [SessionStatus.HELD, SessionStatus.CANCELLED, SessionStatus.DID_NOT_ATTEND]
)
def test_a_finished_session_cannot_move_again(status):
    match = working_match()
    session = make_session(match, status=status, starts_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(services.SessionRefused, match="no longer possible"):
        services.session_record_missed(
            actor=match.mentor.user, session=session, expected_version=session.version
        )


def test_a_session_of_an_ended_match_cannot_be_recorded():
    match = working_match()
    session = make_session(match, starts_at=timezone.now() - dt.timedelta(hours=1))
    type(match).objects.filter(pk=match.pk).update(status=MatchStatus.ENDED, end_reason="completed")
    with pytest.raises(services.SessionRefused, match="accepted or active"):
        services.session_record_missed(actor=match.mentor.user, session=session, expected_version=1)


# The first meeting ----------------------------------------------------------------------


def test_starting_a_match_plans_its_first_session():
    match = working_match(status=MatchStatus.ACCEPTED)
    coordinator = create_user("coordinator")
    when = future(days=4, hour=16)
    matching.match_start(actor=coordinator, match=match, first_meeting_at=when, place="online")
    session = Session.objects.get(match=match)
    assert session.is_first and session.status == SessionStatus.PLANNED
    assert session.starts_at == when
    assert session.place_type == PlaceType.objects.filter(mode="online").order_by("position")[0]
    # Once per match, even if the receiver is called again.
    assert services.session_first_from_match(actor=coordinator, match=match) is None
    assert Session.objects.filter(match=match).count() == 1


# The meeting brief ----------------------------------------------------------------------


def test_a_brief_needs_a_working_match_and_tells_the_mentor_without_its_text(
    django_capture_on_commit_callbacks,
):
    coordinator = create_user("coordinator")
    ended = working_match(status=MatchStatus.ENDED)
    with pytest.raises(services.SessionRefused, match="accepted or active"):
        services.brief_save(
            actor=coordinator,
            case=ended.case,
            preferred_name="Sam",
            contact_details="07700 900123",
            risks_to_mentor="Dog",
        )
    match = working_match()
    with django_capture_on_commit_callbacks(execute=True):
        brief = services.brief_save(
            actor=coordinator,
            case=match.case,
            preferred_name="Sam",
            contact_details="07700 900123",
            risks_to_mentor="A large dog",
        )
    assert MeetingBrief.objects.get(case=match.case).contact_details == "07700 900123"
    assert brief.updated_by == coordinator
    note = Notification.objects.get(user=match.mentor.user)
    assert match.case.reference in note.message
    _assert_never_leaked("Sam", "07700", "large dog")
