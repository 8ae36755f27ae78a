"""The pipeline board: one section per status, what is next, and a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.mentors.models import CheckOutcome, Mentor, MentorStatus, VettingCheck, VettingCheckType
from tandem.mentors.selectors import pipeline_board

from .factories import accredit, coordinator, make_mentor, pass_all_checks

pytestmark = pytest.mark.django_db

PIPELINE = reverse("mentors:pipeline")


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


def days_ago(n):
    return timezone.now() - dt.timedelta(days=n)


def columns():
    return {c.status: c for c in pipeline_board()}


def test_every_status_has_a_section_with_its_count(client, staff):
    make_mentor(status=MentorStatus.APPLICANT, full_name="Ada Applicant")
    make_mentor(status=MentorStatus.APPLICANT)
    make_mentor(status=MentorStatus.ACTIVE, full_name="Ali Active")
    response = client.get(PIPELINE)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert "3 mentors in all" in body
    for status in MentorStatus:
        assert f'id="status-{status.value}"' in body
    assert "Applicant (2)" in body
    assert "Accredited (active) (1)" in body
    assert "Suspended (0)" in body
    assert "No mentors are in this status." in body
    assert "No mentors are recorded as having left." in body
    assert reverse("mentors:detail", args=[Mentor.objects.get(full_name="Ali Active").pk]) in body
    assert "Add an application" in body


def test_mentors_are_listed_longest_in_status_first_with_days(staff):
    make_mentor(status=MentorStatus.VETTING, full_name="Newer", status_changed_at=days_ago(2))
    make_mentor(status=MentorStatus.VETTING, full_name="Older", status_changed_at=days_ago(40))
    entries = columns()[MentorStatus.VETTING].entries
    assert [e.mentor.full_name for e in entries] == ["Older", "Newer"]
    assert [e.days_in_status for e in entries] == [40, 2]


def test_vetting_shows_how_many_required_checks_have_passed_and_names_failures(client, staff):
    by = coordinator()
    required = VettingCheckType.objects.filter(required=True, is_active=True).count()
    nothing = make_mentor(status=MentorStatus.VETTING, full_name="Nothing Yet")
    done = make_mentor(status=MentorStatus.VETTING, full_name="All Done")
    pass_all_checks(done, by=by)
    failed = make_mentor(status=MentorStatus.VETTING, full_name="Failed One")
    pass_all_checks(failed, by=by)
    VettingCheck.objects.create(
        mentor=failed,
        check_type=VettingCheckType.objects.get(code="interview"),
        outcome=CheckOutcome.FAILED,
        checked_on=timezone.localdate(),
        verifier="Panel",
        failure_reason="Concerns",
        recorded_by=by,
    )
    steps = {e.mentor.pk: e for e in columns()[MentorStatus.VETTING].entries}
    assert steps[nothing.pk].next_step == f"0 of {required} required checks passed"
    assert (
        steps[done.pk].next_step
        == f"{required} of {required} required checks passed: ready for training"
    )
    assert steps[failed.pk].next_step == f"{required - 1} of {required} required checks passed"
    today = timezone.localdate()
    assert steps[failed.pk].problems == (f"Interview failed on {today.day} {today:%B %Y}",)
    body = client.get(PIPELINE).content.decode()
    assert f"Interview failed on {today.day} {today:%B %Y}" in body


def test_applicants_and_trainees_have_a_next_step(staff):
    make_mentor(status=MentorStatus.APPLICANT)
    waiting = make_mentor(status=MentorStatus.TRAINING, full_name="Waiting")
    ready = make_mentor(status=MentorStatus.TRAINING, full_name="Ready")
    accredit(ready)
    board = columns()
    assert board[MentorStatus.APPLICANT].entries[0].next_step.startswith("Start vetting (0 of ")
    steps = {e.mentor.pk: e.next_step for e in board[MentorStatus.TRAINING].entries}
    assert steps[waiting.pk] == "Complete training, then award an accreditation"
    assert steps[ready.pk] == "Accredited: ready to become active"
    assert board[MentorStatus.ACTIVE].entries == ()


def test_a_long_section_shows_its_first_mentors_and_says_so(client, staff):
    for n in range(5):
        make_mentor(status=MentorStatus.LEFT, status_changed_at=days_ago(n))
    board = {c.status: c for c in pipeline_board(limit=3)}
    assert board[MentorStatus.LEFT].count == 5
    assert len(board[MentorStatus.LEFT].entries) == 3
    assert board[MentorStatus.LEFT].hidden == 2


def _make_pool(n):
    by = coordinator()
    statuses = [
        MentorStatus.APPLICANT,
        MentorStatus.VETTING,
        MentorStatus.TRAINING,
        MentorStatus.ACTIVE,
        MentorStatus.PAUSED,
        MentorStatus.SUSPENDED,
        MentorStatus.LEFT,
    ]
    for i in range(n):
        mentor = make_mentor(status=statuses[i % len(statuses)])
        if mentor.status != MentorStatus.APPLICANT:
            pass_all_checks(mentor, by=by)
        if mentor.status not in (MentorStatus.APPLICANT, MentorStatus.VETTING):
            accredit(mentor, by=by)


def _count_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(PIPELINE)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_the_board_takes_the_same_number_of_queries_for_3_and_30_mentors(client, staff):
    _make_pool(3)
    client.get(PIPELINE)
    few, _ = _count_queries(client)
    _make_pool(27)
    many, response = _count_queries(client)
    assert Mentor.objects.count() == 30
    assert response.content.decode().count('href="/mentors/') >= 30
    print(f"pipeline board: {few} queries for 3 mentors, {many} for 30")
    assert many == few, f"{few} queries for 3 mentors, {many} for 30"


@pytest.mark.parametrize("role", ["mentor", "supervisor", "referrer", "administrator"])
def test_only_coordinators_see_the_board(client, signed_in, make_user, role):
    signed_in(make_user(role))
    assert client.get(PIPELINE).status_code == 403


def test_each_stage_sorts_by_name_or_days_on_the_server(client, staff):
    make_mentor(status=MentorStatus.VETTING, full_name="Zed Older", status_changed_at=days_ago(40))
    make_mentor(status=MentorStatus.VETTING, full_name="Amy Newer", status_changed_at=days_ago(2))

    def vetting(query):
        response = client.get(PIPELINE + query)
        assert response.status_code == 200
        column = next(c for c in response.context["columns"] if c.status == MentorStatus.VETTING)
        return [e.mentor.full_name for e in column.entries]

    assert vetting("") == ["Zed Older", "Amy Newer"]
    assert vetting("?sort=name") == ["Amy Newer", "Zed Older"]
    assert vetting("?sort=days_asc") == ["Amy Newer", "Zed Older"]
    assert vetting("?sort=full_name") == ["Zed Older", "Amy Newer"]  # not offered: default
    body = client.get(PIPELINE + "?sort=name").content.decode()
    assert 'data-module="moj-sortable-table"' in body
    assert 'aria-sort="ascending"><a class="govuk-link" href="?sort=name">Name' in body
    with CaptureQueriesContext(connection) as default:
        client.get(PIPELINE)
    with CaptureQueriesContext(connection) as by_name:
        client.get(PIPELINE + "?sort=name")
    assert len(by_name) == len(default)
