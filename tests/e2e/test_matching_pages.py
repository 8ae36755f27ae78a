"""Every matching page, as the roles that use it, with the demo mentors, cases and
matches loaded: axe and the CSP check run on each, including pages showing errors."""

from __future__ import annotations

import pytest

from tandem.cases.models import Case, CaseStatus
from tandem.matching.models import Match, MatchStatus
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.e2e


def spec(role: str):
    return next(s for s in DEMO_USERS if role in s.roles)


@pytest.fixture
def demo(transactional_db):
    from tandem.site.demo.cases import ensure_demo_cases
    from tandem.site.demo.matching import ensure_demo_matches
    from tandem.site.demo.mentors import ensure_demo_mentors

    ensure_demo_mentors()
    ensure_demo_cases()
    ensure_demo_matches()


def test_coordinator_matching_pages(visit, demo):
    coordinator = spec("coordinator")
    visit.sign_in(coordinator.email, DEMO_PASSWORD, coordinator.key_bytes)
    page = visit.page
    active = Match.objects.filter(status=MatchStatus.ACTIVE).first()
    proposed = Match.objects.filter(status=MatchStatus.PROPOSED).first()
    waiting = Case.objects.filter(status=CaseStatus.AWAITING_MATCH).exclude(
        matches__status__in=["proposed", "accepted", "active"]
    )
    for path in (
        "/matching/gaps/",
        "/matching/fairness/",
        "/matching/policy/",
        "/matching/batch/",
        "/matches/",
        "/matches/?status=active",
        f"/matches/{active.pk}/",
        f"/matches/{proposed.pk}/",
        f"/cases/{waiting.first().pk}/matching/",
        f"/cases/{active.case_id}/matching/",
    ):
        visit.goto(path)
        assert page.get_by_role("heading", level=1).count() == 1
    assert "0 feasible" in (visit.goto("/matching/gaps/").locator("main").inner_text())

    # Error states: the policy with an impossible weight, ending a match without a
    # reason; and the needs form saved as it is.
    visit.goto("/matching/policy/edit/")
    page.locator("input[name=weight_specialism]").fill("11")
    page.get_by_role("button", name="Save the matching policy").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()

    visit.goto(f"/cases/{waiting.first().pk}/matching/needs/")
    page.get_by_role("button", name="Save matching needs").click()
    visit.check()

    visit.goto(f"/matches/{active.pk}/")
    page.get_by_role("button", name="End the match").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()


@pytest.mark.parametrize("role", ["board_member", "evaluator"])
def test_aggregate_matching_pages(visit, demo, role):
    user = spec(role)
    visit.sign_in(user.email, DEMO_PASSWORD, user.key_bytes)
    paths = ["/matching/fairness/"] + (["/matching/gaps/"] if role == "board_member" else [])
    for path in paths:
        text = visit.goto(path).locator("main").inner_text()
        assert "T-20" not in text  # no case references on aggregate pages


def test_mentor_matching_pages(visit, demo):
    mentor = spec("mentor")
    visit.sign_in(mentor.email, DEMO_PASSWORD, mentor.key_bytes)
    page = visit.goto("/matches/mine/")
    assert page.get_by_role("heading", level=1).count() == 1
    own = Match.objects.filter(mentor__user__email=mentor.email, status=MatchStatus.PROPOSED)
    page = visit.goto(f"/matches/{own.first().pk}/")
    page.get_by_role("button", name="Decline the proposal").click()  # no reason given
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()
