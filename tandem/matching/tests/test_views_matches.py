"""Match pages: a mentor's proposal (a summary without the person's name), accepting
and declining, starting with the first meeting, withdrawing and ending; who reaches
what; and the lists of matches."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user, sign_in
from tandem.cases.models import CaseEvent, CaseStatus
from tandem.matching import services
from tandem.matching.models import Match, MatchStatus
from tandem.mentors.models import slot_bit

from .factories import live_match, matching_mentor, waiting_case

pytestmark = pytest.mark.django_db


def url(name: str, match: Match) -> str:
    return reverse(f"matching:{name}", args=[match.pk])


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def coordinator():
    return create_user("coordinator")


@pytest.fixture
def proposal(coordinator):
    """A proposal made through the service to a mentor with an account."""
    case = waiting_case(
        first_name="Zebedee",
        last_name="Quartermain",
        reason="Sharing extremist material online; teachers worried.",
        availability=slot_bit(1, "evening"),
        accepts_online=True,
    )
    mentor = matching_mentor(full_name="Mentor Mine", with_account=True)
    return services.match_propose(actor=coordinator, case=case, mentor=mentor)


def as_user(client, user):
    sign_in(client, user)
    return client


def accepted(match: Match) -> Match:
    return services.match_accept(actor=match.mentor.user, match=match)


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")


# The mentor's proposal ------------------------------------------------------------------


def test_the_mentor_sees_a_summary_of_the_person_without_name_or_narrative(client, proposal):
    as_user(client, proposal.mentor.user)
    response = client.get(url("match_detail", proposal))
    body = page(response)
    assert response.status_code == 200
    for secret in ("Zebedee", "Quartermain", "Sharing extremist material", "2009"):
        assert secret not in body, secret
    case = proposal.case
    for fact in (
        case.reference,
        "Age when referred",
        "17",
        "Male",
        case.concern_type.name,
        "Routine",
        "Birmingham",
        "English",
        "Tuesday: evening",
        "Acceptable",
    ):
        assert fact in body, fact
    assert "Accept the match" in body and "Decline the proposal" in body
    assert "Why this match was suggested" in body and "Specialism fit" in body
    # No way into the case record yet.
    assert reverse("cases:detail", args=[case.pk]) not in body
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_accepting_matches_the_case_and_opens_the_case_record_to_the_mentor(client, proposal):
    as_user(client, proposal.mentor.user)
    response = client.post(url("match_accept", proposal))
    assert response.status_code == 302 and response["Location"] == url("match_detail", proposal)
    proposal.refresh_from_db()
    proposal.case.refresh_from_db()
    assert proposal.status == MatchStatus.ACCEPTED
    assert proposal.case.status == CaseStatus.MATCHED
    body = page(client.get(url("match_detail", proposal)))
    assert "The case record is now open to you" in body
    assert reverse("cases:detail", args=[proposal.case.pk]) in body
    assert client.get(reverse("cases:detail", args=[proposal.case.pk])).status_code == 200
    # The mentor may start the match themselves.
    assert "Start the match" in body


def test_declining_needs_a_reason_and_records_it(client, proposal):
    as_user(client, proposal.mentor.user)
    response = client.post(url("match_decline", proposal), {"decline-note": "Away for months"})
    assert response.status_code == 200
    body = page(response)
    assert "Select why you are declining" in body
    assert "Away for months" in body  # what was typed is kept
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PROPOSED

    response = client.post(
        url("match_decline", proposal),
        {"decline-reason": "no_capacity", "decline-note": "Away for months"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    proposal.case.refresh_from_db()
    assert proposal.status == MatchStatus.DECLINED
    assert proposal.decline_reason == "no_capacity" and proposal.decline_note == "Away for months"
    assert proposal.case.status == CaseStatus.AWAITING_MATCH
    assert CaseEvent.objects.filter(case=proposal.case, kind="match.declined").exists()
    body = page(client.get(url("match_detail", proposal)))
    assert "I cannot take on another person now" in body and "Accept the match" not in body


def test_answering_a_proposal_twice_is_refused_on_the_page(client, proposal):
    as_user(client, proposal.mentor.user)
    accepted(proposal)
    response = client.post(
        url("match_decline", proposal), {"decline-reason": "not_right", "decline-note": ""}
    )
    body = page(response)
    assert response.status_code == 200
    assert "This match is now “accepted by the mentor”, so that is no longer possible" in body
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.ACCEPTED


def test_another_mentor_reaches_neither_the_match_nor_its_actions(client, proposal):
    other = matching_mentor(with_account=True)
    as_user(client, other.user)
    assert client.get(url("match_detail", proposal)).status_code == 404
    for name in ("match_accept", "match_decline", "match_start"):
        assert client.get(url(name, proposal)).status_code == 404, name
        assert client.post(url(name, proposal), {"decline-reason": "other"}).status_code == 404
    for name in ("match_withdraw", "match_end"):
        assert client.post(url(name, proposal)).status_code in (403, 404), name
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PROPOSED
    accepted(proposal)
    response = client.post(
        url("match_start", proposal),
        {
            "start-first_meeting_on": tomorrow(),
            "start-first_meeting_time": "10:00",
            "start-place": "online",
        },
    )
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.ACCEPTED


def test_the_supervisor_sees_the_supervisees_match_but_cannot_act(client, proposal):
    supervisor = create_user("supervisor")
    type(proposal.mentor).objects.filter(pk=proposal.mentor.pk).update(supervisor=supervisor)
    as_user(client, supervisor)
    body = page(client.get(url("match_detail", proposal)))
    assert proposal.case.reference in body
    assert "Accept the match" not in body and "Withdraw the proposal" not in body
    assert client.post(url("match_accept", proposal)).status_code == 403


def test_the_post_endpoints_send_a_get_to_the_match_page(client, proposal, coordinator):
    as_user(client, coordinator)
    for name in ("match_withdraw", "match_end", "match_start"):
        response = client.get(url(name, proposal))
        assert response.status_code == 302 and response["Location"] == url("match_detail", proposal)


# Starting ------------------------------------------------------------------------------


def test_starting_with_the_first_meeting_makes_the_match_and_the_case_active(
    client, proposal, coordinator
):
    accepted(proposal)
    as_user(client, coordinator)
    response = client.post(
        url("match_start", proposal),
        {
            "start-first_meeting_on": tomorrow(),
            "start-first_meeting_time": "14:30",
            "start-place": "in_person",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    proposal.case.refresh_from_db()
    assert proposal.status == MatchStatus.ACTIVE
    assert proposal.case.status == CaseStatus.ACTIVE
    when = timezone.localtime(proposal.first_meeting_at)
    assert when.date() == timezone.localdate() + dt.timedelta(days=1)
    assert (when.hour, when.minute) == (14, 30)
    assert proposal.first_meeting_place == "in_person"
    body = page(client.get(url("match_detail", proposal)))
    assert "The match has started" in body and "(in person)" in body
    assert "End the match" in body


def test_the_matched_mentor_can_start_their_own_match(client, proposal):
    accepted(proposal)
    as_user(client, proposal.mentor.user)
    response = client.post(
        url("match_start", proposal),
        {
            "start-first_meeting_on": tomorrow(),
            "start-first_meeting_time": "9.15",
            "start-place": "online",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.ACTIVE
    assert timezone.localtime(proposal.first_meeting_at).strftime("%H:%M") == "09:15"


@pytest.mark.parametrize(
    ("day", "time", "message"),
    [
        ("yesterday", "10:00", "The date of the first meeting must be today or in the future"),
        ("tomorrow", "25:00", "Enter the time of the first meeting like 14:30"),
        ("tomorrow", "", "Enter the time of the first meeting"),
        ("", "10:00", "Enter the date of the first meeting"),
        ("31/02/2030", "10:00", "The date of the first meeting must be a real date"),
    ],
)
def test_a_first_meeting_must_be_a_real_time_in_the_future(
    client, proposal, coordinator, day, time, message
):
    accepted(proposal)
    as_user(client, coordinator)
    days = {"yesterday": -1, "tomorrow": 1}
    if day in days:
        day = (timezone.localdate() + dt.timedelta(days=days[day])).strftime("%d/%m/%Y")
    response = client.post(
        url("match_start", proposal),
        {"start-first_meeting_on": day, "start-first_meeting_time": time, "start-place": "phone"},
    )
    body = page(response)
    assert response.status_code == 200
    assert message in body
    assert re.search(r'value="phone"[^>]*checked', body)  # the answers are kept
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.ACCEPTED


def test_a_first_meeting_earlier_today_is_refused(client, proposal, coordinator):
    accepted(proposal)
    as_user(client, coordinator)
    now = timezone.localtime()
    if now.hour == 0 and now.minute == 0:
        now = now + dt.timedelta(minutes=1)
    earlier = (now - dt.timedelta(minutes=1)).strftime("%H:%M")
    response = client.post(
        url("match_start", proposal),
        {
            "start-first_meeting_on": now.strftime("%d/%m/%Y"),
            "start-first_meeting_time": earlier,
            "start-place": "phone",
        },
    )
    assert "The first meeting must be in the future" in page(response)


# Withdrawing and ending ----------------------------------------------------------------


def test_withdrawing_a_proposal_needs_a_reason_and_frees_the_case(client, proposal, coordinator):
    as_user(client, coordinator)
    response = client.post(url("match_withdraw", proposal), {"withdraw-reason": " "})
    assert response.status_code == 200
    assert "Enter why the proposal is being withdrawn" in page(response)
    response = client.post(
        url("match_withdraw", proposal), {"withdraw-reason": "The person moved away"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.WITHDRAWN
    assert proposal.withdrawn_reason == "The person moved away"
    body = page(client.get(reverse("matching:suggestions", args=[proposal.case.pk])))
    assert "Suggested mentors" in body  # the case can be matched again


def test_ending_with_a_rematch_puts_the_case_back_to_awaiting_a_match(
    client, proposal, coordinator
):
    accepted(proposal)
    as_user(client, coordinator)
    response = client.post(url("match_end", proposal), {"end-reason": "relationship"})
    body = page(response)
    assert response.status_code == 200
    assert "Select yes if the person needs a new mentor" in body
    assert re.search(r'value="relationship"[^>]*checked', body)
    response = client.post(
        url("match_end", proposal),
        {"end-reason": "relationship", "end-note": "Did not get on", "end-rematch": "yes"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    proposal.case.refresh_from_db()
    assert proposal.status == MatchStatus.ENDED and proposal.rematch
    assert proposal.end_reason == "relationship" and proposal.end_note == "Did not get on"
    assert proposal.case.status == CaseStatus.AWAITING_MATCH


def test_ending_without_a_rematch_moves_the_case_to_closing(client, proposal, coordinator):
    accepted(proposal)
    as_user(client, coordinator)
    client.post(
        url("match_end", proposal),
        {"end-reason": "completed", "end-note": "", "end-rematch": "no"},
    )
    proposal.refresh_from_db()
    proposal.case.refresh_from_db()
    assert proposal.status == MatchStatus.ENDED and not proposal.rematch
    assert proposal.case.status == CaseStatus.CLOSING


def test_the_case_ended_reason_is_not_offered(client, proposal, coordinator):
    accepted(proposal)
    as_user(client, coordinator)
    body = page(client.get(url("match_detail", proposal)))
    assert 'value="case_ended"' not in body and 'value="relationship"' in body
    response = client.post(
        url("match_end", proposal), {"end-reason": "case_ended", "end-rematch": "no"}
    )
    assert "Select a reason from the list" in page(response)


def test_mentors_cannot_withdraw_or_end(client, proposal):
    as_user(client, proposal.mentor.user)
    response = client.post(url("match_withdraw", proposal), {"withdraw-reason": "No"})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PROPOSED


# Lists ---------------------------------------------------------------------------------


def test_coordinators_list_every_match_newest_first_and_filter_by_status(client, coordinator):
    first = live_match(waiting_case(), matching_mentor(full_name="First Mentor"))
    second = live_match(
        waiting_case(),
        matching_mentor(full_name="Second Mentor"),
        status=MatchStatus.DECLINED,
        decline_reason="other",
    )
    as_user(client, coordinator)
    body = page(client.get(reverse("matching:match_list")))
    assert "2 matches, newest first" in body
    assert body.index(second.case.reference) < body.index(first.case.reference)
    body = page(client.get(reverse("matching:match_list"), {"status": "declined"}))
    assert second.case.reference in body and first.case.reference not in body
    body = page(client.get(reverse("matching:match_list"), {"status": "active"}))
    assert "No match is “active” at the moment" in body
    body = page(client.get(reverse("matching:match_list"), {"status": "nonsense"}))
    assert "2 matches" in body


def test_a_mentor_is_sent_from_the_list_of_all_matches_to_their_own(client, proposal):
    as_user(client, proposal.mentor.user)
    response = client.get(reverse("matching:match_list"))
    assert response.status_code == 302 and response["Location"] == reverse("matching:my_matches")


def test_a_mentor_sees_only_their_own_matches_grouped(client, proposal):
    mentor = proposal.mentor
    active = live_match(waiting_case(), mentor, status=MatchStatus.ACTIVE)
    ended = live_match(waiting_case(), mentor, status=MatchStatus.ENDED)
    someone_elses = live_match(waiting_case(), matching_mentor())
    as_user(client, mentor.user)
    body = page(client.get(reverse("matching:my_matches")))
    waiting_at = body.index("Waiting for your answer")
    active_at = body.index("Active</caption>")
    past_at = body.index("Past</caption>")
    assert waiting_at < body.index(proposal.case.reference) < active_at
    assert active_at < body.index(active.case.reference) < past_at
    assert past_at < body.index(ended.case.reference)
    assert someone_elses.case.reference not in body
    assert "Accepted: first meeting to arrange" in body


def test_a_coordinator_with_no_mentor_record_gets_an_empty_state_on_their_own_list(
    client, coordinator
):
    live_match(waiting_case(), matching_mentor())
    as_user(client, coordinator)
    body = page(client.get(reverse("matching:my_matches")))
    assert "No proposals or matches are made to you as a mentor." in body
    assert reverse("matching:match_list") in body


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_cost_the_same_queries_for_2_and_12_matches(client, coordinator):
    mentor = matching_mentor(with_account=True, caseload_cap=20)
    for _ in range(2):
        live_match(waiting_case(), mentor)
    as_user(client, coordinator)
    all_few = _count(client, reverse("matching:match_list"))
    as_user(client, mentor.user)
    mine_few = _count(client, reverse("matching:my_matches"))
    for status in [MatchStatus.ACTIVE, MatchStatus.ENDED, MatchStatus.PROPOSED] * 3 + [
        MatchStatus.DECLINED
    ]:
        live_match(waiting_case(), mentor, status=status)
    live_match(waiting_case(), matching_mentor())
    assert _count(client, reverse("matching:my_matches")) == mine_few
    as_user(client, coordinator)
    assert _count(client, reverse("matching:match_list")) == all_few
