"""Every case page, as the roles that use it, with the demo cases loaded: axe and the
CSP check run on each, including pages showing errors."""

from __future__ import annotations

import pytest

from tandem.cases.models import Case, CaseStatus
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from tandem.site.demo.cases import ensure_demo_cases

pytestmark = pytest.mark.e2e


def spec(role: str):
    return next(s for s in DEMO_USERS if role in s.roles)


@pytest.fixture
def demo(transactional_db):
    from tandem.site.demo.mentors import ensure_demo_mentors

    ensure_demo_mentors()
    ensure_demo_cases()


def test_coordinator_case_pages(visit, demo):
    coordinator = spec("coordinator")
    visit.sign_in(coordinator.email, DEMO_PASSWORD, coordinator.key_bytes)
    page = visit.page
    for path in (
        "/cases/",
        "/cases/?status=active&urgency=urgent&sort=urgency",
        "/cases/?area=abc&waiting=nonsense&reference=not-a-reference",
        "/cases/awaiting-match/",
        "/cases/reviews-due/",
        "/cases/follow-ups-due/",
        "/cases/refer/",
    ):
        visit.goto(path)
        assert page.get_by_role("heading", level=1).count() == 1
    page.get_by_role("button", name="Continue").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()

    reassessed = (
        Case.objects.filter(status=CaseStatus.ACTIVE, assessments__kind="reassessment")
        .distinct()
        .first()
    )
    for suffix in (
        "",
        "timeline/",
        "assessments/",
        "assessments/view/",
        "assessments/compare/",
        "assessments/new/",
        "plan/",
        "plan/edit/",
        "plan/goals/new/",
        "reviews/new/",
        "status/",
        "close/",
    ):
        visit.goto(f"/cases/{reassessed.pk}/{suffix}")
    visit.goto(f"/cases/{reassessed.pk}/reviews/new/")
    page.get_by_role("button", name="Save review").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()

    referred = Case.objects.filter(status=CaseStatus.SCREENING).first()
    for suffix in ("screening/", "consent/"):
        visit.goto(f"/cases/{referred.pk}/{suffix}")
    duplicate = Case.objects.exclude(possible_duplicate_of=None).first()
    visit.goto(f"/cases/{duplicate.pk}/")
    assert "Nothing has been merged" in page.content()


def test_referrer_sees_only_their_referrals_status(visit, demo):
    referrer = spec("referrer")
    visit.sign_in(referrer.email, DEMO_PASSWORD, referrer.key_bytes)
    page = visit.page
    visit.goto("/cases/referrals/")
    own = Case.objects.filter(referred_by__email=referrer.email).first()
    visit.goto(f"/cases/referrals/{own.pk}/")
    assert own.reason not in page.content()
    other = Case.objects.exclude(referred_by__email=referrer.email).first()
    for path in (f"/cases/referrals/{other.pk}/", f"/cases/{own.pk}/"):
        visit.goto(path)
        assert page.get_by_role("heading", level=1).inner_text() in {
            "Page not found",
            "You cannot do this",
        }


def test_mentor_sees_no_cases_until_matched(visit, demo):
    mentor = spec("mentor")
    visit.sign_in(mentor.email, DEMO_PASSWORD, mentor.key_bytes)
    visit.goto("/cases/")
    assert "You are not matched with anyone yet" in visit.page.content()
    visit.goto(f"/cases/{Case.objects.first().pk}/")
    assert visit.page.get_by_role("heading", level=1).inner_text() == "Page not found"
