"""Matching end to end: a coordinator opens a waiting case, sees five explained
suggestions and who was excluded, and proposes a mentor; the mentor sees the proposal
without the person's name and accepts; the case becomes matched. Then a batch proposal
for every waiting case is reviewed, one pair is changed, and it is confirmed."""

from __future__ import annotations

import re

import pytest

from tandem.accounts.models import User
from tandem.cases.models import Case, CaseStatus
from tandem.catalogues.models import ConcernType
from tandem.matching.models import BatchPair, Match, MatchStatus
from tandem.matching.tests.factories import matching_mentor, waiting_case
from tandem.mentors.models import Mentor, Proficiency
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

URDU = (("English", Proficiency.FIRST), ("Urdu", Proficiency.FLUENT))


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def new_visit(browser, live_server, axe):
    from tests.e2e.conftest import Visit

    page = browser.new_context(base_url=live_server.url).new_page()
    page.set_default_timeout(10_000)
    return Visit(page, live_server.url, axe)


def test_suggest_propose_accept_then_batch(visit, browser, live_server):
    ensure_demo_users()
    mentor_user = User.objects.get(email=spec("mentor").email)
    Mentor.objects.filter(user=mentor_user).update(user=None)
    # The best fit for an Islamist concern: Urdu, Islamic theology, online radicalisation.
    best = matching_mentor(
        full_name="Imran Qureshi",
        user=mentor_user,
        languages=URDU,
        specialisms=("islamic-theology", "online-radicalisation"),
        caseload_cap=3,
    )
    for n in range(5):
        matching_mentor(full_name=f"Urdu Speaker {n}", languages=URDU, caseload_cap=1)
    for n in range(2):
        matching_mentor(full_name=f"English Only {n}")
    case = waiting_case(
        languages=("Urdu",),
        first_name="Bilal",
        last_name="Hussain",
        concern_type=ConcernType.objects.get(code="islamist"),
    )

    # 1. The coordinator opens the case's matching page.
    c = spec("coordinator")
    visit.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    page = visit.goto(f"/cases/{case.pk}/matching/")
    proposals = page.get_by_role("button", name=re.compile(r"^Propose "))
    assert proposals.count() == 5
    text = page.locator("main").inner_text()
    assert "2 excluded: 2 no Urdu" in text
    assert "Specialism fit" in text and "Has Islamic theology" in text
    assert "Bilal" not in text and "Hussain" not in text
    page.get_by_role("button", name="Propose Imran Qureshi").click()
    visit.check()
    match = Match.objects.get(case=case)
    assert match.mentor == best and match.status == MatchStatus.PROPOSED

    # 2. The mentor sees the proposal, without the person's name, and accepts.
    mentor = new_visit(browser, live_server, visit.axe)
    m = spec("mentor")
    mentor.sign_in(m.email, DEMO_PASSWORD, m.key_bytes)
    mentor.goto("/matches/mine/")
    mentor.page.get_by_role("link", name=re.compile(case.reference)).first.click()
    mentor.check()
    summary = mentor.page.locator("main").inner_text()
    assert case.reference in summary and "Bilal" not in summary and "Hussain" not in summary
    mentor.page.get_by_role("button", name="Accept the match").click()
    mentor.check()
    case.refresh_from_db()
    assert case.status == CaseStatus.MATCHED
    # Now matched, the mentor reaches the case itself.
    mentor.goto(f"/cases/{case.pk}/")
    assert case.reference in mentor.page.locator("main").inner_text()

    # 3. Three more people wait; the coordinator proposes matches for all of them.
    waiting = [waiting_case() for _ in range(3)]
    visit.goto("/matching/batch/")
    page.get_by_role("button", name=re.compile(r"Propose matches for all 3 waiting cases")).click()
    visit.check()
    assert "3 of 3" in page.locator("main").inner_text()
    first = waiting[0]
    proposed = BatchPair.objects.get(case=first).mentor
    page.get_by_role("link", name=f"Change the mentor for {first.reference}").click()
    visit.check()
    # Another mentor who still has a place in this batch.
    option = (
        page.locator(".govuk-radios__item")
        .filter(has=page.locator("input:not(:checked)"))
        .filter(has_text=re.compile(r"\d+ places? left in this batch"))
        .first
    )
    chosen_label = option.locator("label").inner_text()  # before checking changes the filter
    option.locator("input").check()
    page.get_by_role("button", name="Change the mentor").click()
    visit.check()
    changed = BatchPair.objects.get(case=first)
    assert changed.changed and changed.mentor != proposed
    assert changed.mentor.full_name in chosen_label
    assert "Changed" in page.locator("main").inner_text()
    assert not Match.objects.filter(case__in=waiting).exists()  # nothing until confirmed

    page.get_by_role("button", name=re.compile(r"Confirm and propose these 3 matches")).click()
    visit.check()
    proposed_now = Match.objects.filter(case__in=waiting, status=MatchStatus.PROPOSED)
    assert proposed_now.count() == 3
    assert proposed_now.get(case=first).mentor == changed.mentor
    statuses = Case.objects.filter(pk__in=[w.pk for w in waiting]).values_list("status", flat=True)
    assert set(statuses) == {CaseStatus.AWAITING_MATCH}  # until each mentor accepts
