"""A case end to end: a referrer refers a 15-year-old; a coordinator screens the
referral, records a parent's consent, assesses, writes a plan with goals, reviews it,
reassesses and sees what changed, and closes the case; the follow-ups then appear as
due. Meanwhile the referrer sees only the referral's status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.assessments.models import Factor, Framework
from tandem.cases.models import Case, CaseStatus, FollowUp, Goal
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

from .forms import fill_date, send_referral

pytestmark = pytest.mark.e2e

REASON = "Posting praise for a mass shooter in a school group chat; says he feels invisible."


def spec(role):
    return next(s for s in DEMO_USERS if role in s.roles)


def d(date: dt.date) -> str:
    return f"{date.day}/{date.month}/{date.year}"


def new_visit(browser, live_server, axe):
    from tests.e2e.conftest import Visit

    page = browser.new_context(base_url=live_server.url).new_page()
    page.set_default_timeout(10_000)
    return Visit(page, live_server.url, axe)


def assess(visit, case, *, ratings: dict[int, str], when: dt.date):
    """Fill the assessment form: every factor rated, evidence where asked."""
    page = visit.page
    visit.goto(f"/cases/{case.pk}/assessments/new/")
    framework = Framework.objects.get(is_default=True)
    for factor in Factor.objects.filter(dimension__framework=framework):
        level = ratings.get(factor.number, "low")
        page.locator(f'input[name="rating_{factor.pk}"][value="{level}"]').check()
        page.locator(f'textarea[name="evidence_{factor.pk}"]').fill(
            f"Evidence for factor {factor.number} at {level}."
        )
    page.get_by_label("Date of assessment").fill(d(when))
    page.get_by_label("Summary").fill("Isolated, seeking belonging online; no capability.")
    page.get_by_label("Management plan").fill("Weekly mentoring; school pastoral support.")
    page.get_by_role("button", name="Save assessment").click()
    visit.check()


def test_referral_to_follow_up(visit, browser, live_server, monkeypatch):
    ensure_demo_users()
    today = timezone.localdate()
    referrer = new_visit(browser, live_server, visit.axe)
    r = spec("referrer")

    # 1. The referrer refers a 15-year-old, with a parent named.
    referrer.sign_in(r.email, DEMO_PASSWORD, r.key_bytes)
    referrer.goto("/cases/refer/")
    page = referrer.page
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Pryce")
    birthday = today.replace(year=today.year - 15) - dt.timedelta(days=40)
    fill_date(page, "Date of birth", birthday)
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Reason for referral").fill(REASON)
    page.get_by_label("Concern type").select_option(label="School-massacre fixation")
    page.get_by_label("Urgency").select_option("priority")
    page.get_by_label("School or college").check()
    page.get_by_label("Referring organisation").fill("Example Academy")
    # Without the parent's details the referral is refused, and nothing typed is lost.
    page.get_by_role("button", name="Continue").click()
    referrer.check()
    assert "under 18" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("First name").input_value() == "Jordan"
    page.locator('input[name="accepts_online"][value="yes"]').check()
    page.get_by_label("Parent or guardian's name").fill("Sian Pryce")
    page.get_by_label("Their relationship to the person").fill("Mother")
    page.get_by_label("Parent or guardian's contact details").fill("07700 900123")
    send_referral(referrer)
    errors = page.locator(".govuk-error-summary")
    assert not errors.count(), errors.inner_text()
    case = Case.objects.get(referred_by__email=r.email)
    assert "Received" in page.content()
    assert REASON not in page.content()

    # 2. A coordinator screens it and records the parent's consent.
    c = spec("coordinator")
    visit.sign_in(c.email, DEMO_PASSWORD, c.key_bytes)
    page = visit.page
    visit.goto("/cases/")
    page.get_by_role("link", name=case.reference).click()
    visit.check()
    assert "Jordan" in page.content()
    visit.goto(f"/cases/{case.pk}/screening/")
    page.get_by_label("Clear vulnerability").check()
    page.get_by_role("button", name="Save screening").click()
    visit.check()
    visit.goto(f"/cases/{case.pk}/consent/")
    page.get_by_label("Consent given").check()
    page.get_by_label("The person themself").check()
    page.get_by_label("Their name").fill("Jordan Pryce")
    page.locator('input[name="decided_on"]').fill(d(today))
    page.get_by_label("In person").check()
    page.get_by_role("button", name="Record consent").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()  # a child cannot consent alone
    page.get_by_label("A parent", exact=True).check()
    page.get_by_label("Their name").fill("Sian Pryce")
    page.get_by_role("button", name="Record consent").click()
    visit.check()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSESSMENT

    # 3. Intake assessment, then the plan with goals.
    assess(visit, case, ratings={1: "high", 3: "high", 15: "moderate"}, when=today)
    visit.goto(f"/cases/{case.pk}/plan/edit/")
    page.get_by_label("Befriending").check()
    page.locator('input[name="intended_style"][value="2"]').check()
    page.get_by_label("Weekly").check()
    page.get_by_role("button", name="Save plan").click()
    visit.check()
    for title in ("Join a club or team outside school", "Talk about news without glorifying"):
        visit.goto(f"/cases/{case.pk}/plan/goals/new/")
        page.get_by_label("Goal", exact=True).fill(title)
        page.get_by_label("The person", exact=True).check()
        for level in ("minus_2", "minus_1", "0", "plus_1", "plus_2"):
            page.locator(f'[name="level_{level}"]').fill(f"Level {level} for {title}")
        page.get_by_role("button", name="Save goal").click()
        visit.check()
    assert Goal.objects.filter(case=case).count() == 2

    # 4. A review scores the goals and prompts a reassessment.
    visit.goto(f"/cases/{case.pk}/reviews/new/")
    page.get_by_label("Date of review").fill(d(today))
    for goal in Goal.objects.filter(case=case):
        page.locator(f'input[name="score_{goal.pk}"][value="1"]').check()
    page.get_by_label("Summary of the review").fill("Attending a boxing club; calmer.")
    page.locator('input[name="reassessment_needed"][value="yes"]').check()
    page.get_by_role("button", name="Save review").click()
    visit.check()
    # Two equally weighted goals at +1: T = 50 + 10·2 / √(0.7·2 + 0.3·4) = 62.4.
    assert "62.4" in page.locator("main").inner_text()

    # 5. Reassessment, and the comparison shows what changed.
    assess(visit, case, ratings={1: "moderate", 3: "low", 15: "moderate"}, when=today)
    visit.goto(f"/cases/{case.pk}/assessments/compare/")
    comparison = page.locator("main").inner_text()
    assert "Feelings of grievance and injustice" in comparison
    assert "lower" in comparison.lower()

    # The referrer, meanwhile, sees only the status.
    referrer.goto(f"/cases/referrals/{case.pk}/")
    text = referrer.page.locator("main").inner_text()
    assert "Accepted" in text
    for secret in (REASON, "Sian Pryce", "Isolated", "boxing"):
        assert secret not in referrer.page.content()

    # 6. Closing the case schedules the follow-ups.
    visit.goto(f"/cases/{case.pk}/close/")
    page.get_by_role("button", name="Start closing").click()
    visit.check()
    page.get_by_label("Support completed, goals met").check()
    page.get_by_label("Closing report").fill("Engaged well; goals met; school continues.")
    page.get_by_role("button", name="Close case").click()
    visit.check()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert FollowUp.objects.filter(case=case).count() == 2

    referrer.goto(f"/cases/referrals/{case.pk}/")
    assert "Closed" in referrer.page.locator("main").inner_text()

    # 7. Six months on, the first follow-up is listed as due.
    six_months = FollowUp.objects.get(case=case, kind="6m").due_on
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: six_months)
    visit.goto("/cases/follow-ups-due/")
    assert case.reference in page.locator("main").inner_text()
