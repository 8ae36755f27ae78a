"""Every page of the mentor register, as the roles that use it, with the demo data
loaded: axe and the CSP check run on each, including pages showing errors."""

from __future__ import annotations

import pytest

from tandem.mentors.models import Mentor, MentorStatus
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from tandem.site.demo.mentors import ensure_demo_mentors

pytestmark = pytest.mark.e2e


def spec(role: str):
    return next(s for s in DEMO_USERS if role in s.roles)


@pytest.fixture
def demo(transactional_db):
    ensure_demo_mentors()


def test_coordinator_pages(visit, demo):
    coordinator = spec("coordinator")
    visit.sign_in(coordinator.email, DEMO_PASSWORD, coordinator.key_bytes)
    page = visit.page
    for path in (
        "/mentors/",
        "/mentors/?status=active&matchable=yes",
        "/mentors/?area=not-a-number&sort=nonsense",
        "/mentors/pipeline/",
        "/mentors/expiries/",
        "/mentors/composition/",
        "/mentors/change-requests/",
        "/mentors/new/",
    ):
        visit.goto(path)
        assert page.get_by_role("heading", level=1).count() == 1
    page.get_by_role("button", name="Add applicant").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()

    active = Mentor.objects.filter(status=MentorStatus.ACTIVE).order_by("pk").first()
    for suffix in (
        "",
        "vetting/",
        "vetting/add/",
        "training/",
        "training/add/",
        "accreditation/",
        "quality/",
        "quality/observations/add/",
        "quality/feedback/add/",
        "edit/",
        "status/",
    ):
        visit.goto(f"/mentors/{active.pk}/{suffix}")
    visit.goto(f"/mentors/{active.pk}/vetting/add/")
    page.get_by_role("button", name="Record check").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()


def test_mentor_self_service_pages(visit, demo):
    mentor = spec("mentor")
    visit.sign_in(mentor.email, DEMO_PASSWORD, mentor.key_bytes)
    page = visit.page
    for path in (
        "/mentors/me/",
        "/mentors/me/edit/",
        "/mentors/me/declarations/",
        "/mentors/me/code-of-conduct/",
        "/mentors/me/change/",
        "/notifications/",
    ):
        visit.goto(path)
    visit.goto("/mentors/me/declarations/")
    page.get_by_role("button", name="Add declaration").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()
    other = Mentor.objects.exclude(user__email=mentor.email).first()
    visit.goto(f"/mentors/{other.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"


def test_supervisor_sees_supervisees_read_only(visit, demo):
    supervisor = spec("supervisor")
    visit.sign_in(supervisor.email, DEMO_PASSWORD, supervisor.key_bytes)
    page = visit.page
    supervisee = Mentor.objects.filter(supervisor__email=supervisor.email).first()
    page.get_by_role("link", name=supervisee.full_name).click()
    visit.check()
    assert page.get_by_role("button", name="Change status").count() == 0
    visit.goto(f"/mentors/{supervisee.pk}/training/")
    visit.goto(f"/mentors/{supervisee.pk}/vetting/")
    assert page.get_by_role("heading", level=1).inner_text() != supervisee.full_name


def test_public_application_errors_keep_what_was_typed(visit):
    visit.goto("/mentors/apply/")
    page = visit.page
    page.get_by_label("Full name").fill("Tomasz Wrobel")
    page.get_by_role("button", name="Submit application").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.get_by_label("Full name").input_value() == "Tomasz Wrobel"
