"""The mentor's workspace, the Sessions tab and "Your sessions" read sessions in a fixed
number of queries, however many sessions (and lone-working visits and questions for
specialist advice) there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import create_user
from tandem.cases.models import Goal

from ..models import AdviceAnswer, AdviceQuestion, SessionStatus, Topic
from .factories import advice_world, make_session, working_match

pytestmark = pytest.mark.django_db


def _add_sessions(match, n):
    topics = list(Topic.objects.all()[:3])
    now = timezone.now()
    for i in range(n):
        held = make_session(
            match,
            status=SessionStatus.HELD,
            starts_at=now - dt.timedelta(days=7 * (i + 1)),
            summary=f"Summary {i}",
        )
        held.topics.set(topics)
        make_session(match, starts_at=now + dt.timedelta(days=i + 1))
        make_session(match, starts_at=now - dt.timedelta(hours=i + 1))  # to record


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # Data keys are fetched per person (one here), and whether the process-wide key cache
    # already holds them depends on the test's open transaction, not on the sessions.
    return sum("core_datakey" not in q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("who", ["mentor", "supervisor", "coordinator"])
def test_the_case_sessions_page_does_not_grow_with_sessions(client, signed_in, who):
    match = working_match()
    Goal.objects.create(
        case=match.case,
        title="Go back to college",
        owner="person",
        level_minus_2="a",
        level_minus_1="b",
        level_0="c",
        level_plus_1="d",
        level_plus_2="e",
    )
    user = {
        "mentor": match.mentor.user,
        "supervisor": match.mentor.supervisor,
        "coordinator": create_user("coordinator"),
    }[who]
    signed_in(user)
    url = f"/meetings/cases/{match.case_id}/"
    _add_sessions(match, 2)
    _queries(client, url)  # warm the caches (keys, session) once
    small = _queries(client, url)
    _add_sessions(match, 12)
    assert _queries(client, url) == small


def test_your_sessions_does_not_grow_with_sessions(client, signed_in):
    match = working_match()
    second = working_match(mentor=match.mentor)
    signed_in(match.mentor.user)
    _add_sessions(match, 2)
    _queries(client, "/meetings/")
    small = _queries(client, "/meetings/")
    _add_sessions(match, 10)
    _add_sessions(second, 10)
    assert _queries(client, "/meetings/") == small


def test_the_session_page_is_a_fixed_number_of_queries(client, signed_in):
    match = working_match()
    signed_in(match.mentor.user)
    session = make_session(match, status=SessionStatus.HELD, starts_at=timezone.now())
    session.topics.set(Topic.objects.all()[:1])
    _queries(client, f"/meetings/sessions/{session.pk}/")
    small = _queries(client, f"/meetings/sessions/{session.pk}/")
    session.topics.set(Topic.objects.all())
    assert _queries(client, f"/meetings/sessions/{session.pk}/") == small


def _add_visits_and_questions(world, match, n):
    now = timezone.now()
    for i in range(n):
        make_session(  # today's home visits, checked in to
            match,
            starts_at=now - dt.timedelta(minutes=i + 1),
            place_code="home",
            checked_in_at=now - dt.timedelta(minutes=i + 1),
        )
        question = AdviceQuestion.objects.create(
            case=world.case, asked_by=world.mentor_user, specialism=world.specialism, question="Q"
        )
        for _ in range(2):
            AdviceAnswer.objects.create(question=question, answered_by=world.adviser, answer="A")


def test_the_workspace_does_not_grow_with_lone_working_visits_or_advice(client, signed_in):
    world = advice_world()
    match = world.case.matches.get()
    signed_in(world.mentor_user)
    url = f"/meetings/cases/{world.case.pk}/"
    # Three questions and more are counted (the block shows the latest three and says how
    # many there are), so the comparison starts from three.
    _add_visits_and_questions(world, match, 3)
    _queries(client, url)
    small = _queries(client, url)
    _add_visits_and_questions(world, match, 10)
    assert _queries(client, url) == small
