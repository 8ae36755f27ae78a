"""The role home pages as work queues: each count is right, links to the list filtered
to what it counts, and the page costs the same number of queries however much data
there is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.cases.tests.factories_lists import days_ago, listed_case
from tandem.matching.tests.factories import live_match
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session, mentor_with_account, working_match
from tandem.mentors.models import MentorStatus
from tandem.mentors.tests.factories import make_mentor
from tandem.site.home import home_panels
from tandem.supervision.models import SupervisorAssignment

pytestmark = pytest.mark.django_db

HOME = reverse("site:home")


def _queues(user, title):
    panel = next(p for p in home_panels(user) if p.title == title)
    return {queue.text: queue for queue in panel.queues}


def _references(html: str, cases) -> set[str]:
    return {case.reference for case in cases if case.reference in html}


def test_coordinator_counts_each_step_and_links_to_the_list_filtered_to_it(client, signed_in):
    referred = [listed_case(), listed_case()]
    started = listed_case(status=CaseStatus.SCREENING)
    screened = listed_case(status=CaseStatus.SCREENING, screening_outcome="clear")
    assessing = listed_case(status=CaseStatus.ASSESSMENT)
    long_wait = listed_case(status=CaseStatus.AWAITING_MATCH, waiting_days=30)
    short_wait = listed_case(status=CaseStatus.AWAITING_MATCH, waiting_days=2)
    ended = listed_case(status=CaseStatus.CLOSED)
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    stale = live_match(make_case(status=CaseStatus.AWAITING_MATCH), mentor)
    stale.proposed_at = timezone.now() - dt.timedelta(days=5)
    stale.save()
    fresh = live_match(make_case(status=CaseStatus.AWAITING_MATCH), make_mentor())
    make_mentor(status=MentorStatus.APPLICANT)
    coordinator = create_user("coordinator")

    queues = _queues(coordinator, "Coordinator")

    assert queues["referrals to screen"].count == 3
    assert queues["screened referral waiting for consent"].count == 1
    assert queues["case to assess"].count == 1
    waiting = queues["people waiting for a match"]
    assert waiting.count == 4  # two listed, two with a proposal
    assert "the longest waiting since" in waiting.detail
    unanswered = queues["proposal unanswered for more than 3 days"]
    assert unanswered.count == 1 and unanswered.urgent
    assert queues["applicants waiting"].count == 2

    signed_in(coordinator)
    html = client.get(queues["referrals to screen"].href).content.decode()
    assert _references(html, [*referred, started, screened, assessing, ended]) == {
        c.reference for c in [*referred, started]
    }
    html = client.get(queues["screened referral waiting for consent"].href).content.decode()
    assert _references(html, [*referred, started, screened]) == {screened.reference}
    html = client.get(waiting.href).content.decode()
    assert html.index(long_wait.reference) < html.index(short_wait.reference)
    html = client.get(unanswered.href).content.decode()
    assert stale.case.reference in html and fresh.case.reference not in html


def test_home_page_shows_counts_as_links(client, signed_in):
    listed_case()
    signed_in(create_user("coordinator"))

    html = client.get(HOME).content.decode()

    href = reverse("cases:list") + "?intake=screen&amp;sort=received_asc"
    count = '<span class="govuk-!-font-size-24 govuk-!-font-weight-bold">1</span>'
    assert f'href="{href}">{count} referral to screen</a>' in html


def test_mentor_sees_their_sessions_proposals_and_claims(client, signed_in):
    match = working_match()
    mentor = match.mentor
    make_session(match)  # three days ahead
    make_session(match, starts_at=timezone.now() + dt.timedelta(days=10))
    make_session(match, days_ago=1)  # planned, its time has passed: to record
    make_session(match, status=SessionStatus.HELD, days_ago=8)  # no claim yet
    live_match(make_case(status=CaseStatus.AWAITING_MATCH), mentor)
    other = working_match()
    make_session(other)  # someone else's

    queues = _queues(mentor.user, "Mentor")

    assert queues["sessions planned"].count == 2
    assert queues["sessions planned"].detail.startswith("the next on ")
    assert queues["session to record"].count == 1
    assert queues["proposal waiting for your answer"].count == 1
    assert queues["session you can claim for"].count == 1
    assert queues["sessions planned"].href == reverse("meetings:my_sessions")


def test_supervisor_sees_each_supervisee_with_their_cases_linked(client, signed_in):
    supervisor = create_user("supervisor")
    match = working_match(supervisor=supervisor)
    working_match()  # another supervisor's mentor
    signed_in(supervisor)

    html = client.get(HOME).content.decode()

    assert match.mentor.full_name in html
    assert f'href="{reverse("cases:detail", kwargs={"pk": match.case.pk})}"' in html
    assert html.count("no live case") == 0


def test_referrer_sees_their_referrals_with_names_and_status_and_the_read_is_audited(
    client, signed_in
):
    referrer = create_user("referrer")
    mine = make_case(referred_by=referrer, first_name="Aurelio", last_name="Quant")
    make_case(referred_by=referrer, status=CaseStatus.ACTIVE, first_name="Bettina")
    make_case(first_name="Someone", last_name="Else")  # another referrer's
    signed_in(referrer)

    html = client.get(HOME).content.decode()

    assert "Aurelio Quant" in html and "Bettina" in html
    assert "Someone" not in html
    assert ">Received</strong>" in html and ">In support</strong>" in html
    assert reverse("cases:referral_status", kwargs={"pk": mine.pk}) in html
    assert AuditEvent.objects.filter(
        actor=referrer, action="case.list", reason="referrer home page"
    ).exists()


def test_referrer_without_referrals_is_told_so(client, signed_in):
    signed_in(create_user("referrer"))
    assert "You have not made a referral yet." in client.get(HOME).content.decode()


def test_safeguarding_lead_sees_the_count_of_open_concerns(client, signed_in):
    lead = create_user("safeguarding_lead")
    queues = _queues(lead, "Safeguarding lead")
    assert queues["open safeguarding concerns"].count == 0
    assert queues["open safeguarding concerns"].href == reverse("safeguarding:queue")


def _home_queries(client) -> int:
    """Queries of one home page, leaving out data-key reads: keys are cached per process
    once committed, and a test's transaction never commits (as in the other query tests)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(HOME)
    assert response.status_code == 200
    return sum("core_datakey" not in q["sql"] for q in captured.captured_queries)


def _some_of_everything(user, n: int) -> None:
    for i in range(n):
        listed_case(referred_by=user)
        listed_case(status=CaseStatus.SCREENING, screening_outcome="clear", referred_by=user)
        listed_case(status=CaseStatus.AWAITING_MATCH, waiting_days=10 + i)
        match = working_match(supervisor=user)
        make_session(match)
        make_session(match, days_ago=1)
        make_session(match, status=SessionStatus.HELD, days_ago=3)
        proposal = live_match(
            make_case(status=CaseStatus.AWAITING_MATCH), mentor_with_account(), by=user
        )
        proposal.proposed_at = days_ago(9)
        proposal.save()
        make_mentor(status=MentorStatus.APPLICANT)


def test_the_home_page_costs_the_same_number_of_queries_however_much_data(client, signed_in):
    user = create_user("coordinator", "supervisor", "safeguarding_lead", "referrer", "board_member")
    mentor_with_account(user=create_user())  # a mentor record, so the mentor role has one
    signed_in(user)
    _some_of_everything(user, 1)
    _home_queries(client)  # warm caches (keys, policies) as any page would
    few = _home_queries(client)

    _some_of_everything(user, 6)
    many = _home_queries(client)

    assert many == few


def test_a_mentor_home_costs_the_same_number_of_queries_however_much_data(client, signed_in):
    match = working_match()
    signed_in(match.mentor.user)
    make_session(match)
    _home_queries(client)
    few = _home_queries(client)

    for i in range(8):
        make_session(match, starts_at=timezone.now() + dt.timedelta(days=i + 1))
        make_session(match, days_ago=i + 1)
        make_session(match, status=SessionStatus.HELD, days_ago=i + 10)
        live_match(make_case(status=CaseStatus.AWAITING_MATCH), match.mentor)
    many = _home_queries(client)

    assert many == few


def test_a_mentor_is_told_when_their_supervision_is_overdue(client, signed_in):
    match = working_match()
    mentor = match.mentor
    assert "supervision overdue" not in _queues(mentor.user, "Mentor")
    SupervisorAssignment.objects.create(
        mentor=mentor,
        supervisor=mentor.supervisor,
        started_on=timezone.localdate() - dt.timedelta(days=365),
        assigned_by=create_user("coordinator"),
    )

    queue = _queues(mentor.user, "Mentor")["supervision overdue"]

    assert queue.urgent and queue.detail.startswith("was due on ")
    assert queue.href == reverse("supervision:mine")
