"""The mentor register end to end: someone applies on the public page, a coordinator
vets, trains, observes and accredits them and gives them sign-in access; the mentor
signs in, enrols MFA, accepts the code of conduct and completes the profile, and shows
as able to take a case; then time moves on, a check expires, and they no longer do,
with the reason given."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import totp

from tandem.mentors.models import AccreditationLevel, Mentor, MentorStatus, VettingCheckType
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

APPLICANT = "Yasmin Haddad"
APPLICANT_EMAIL = "yasmin.haddad@example.org"


def d(date: dt.date) -> str:
    return f"{date.day}/{date.month}/{date.year}"


def change_status(visit, to: str, reason: str = ""):
    page = visit.page
    page.locator("#change-status").scroll_into_view_if_needed()
    page.get_by_label(to, exact=True).check()
    if reason:
        page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Change status").click()
    visit.check()


def test_from_application_to_matchable_and_back(visit, browser, live_server, monkeypatch):
    ensure_demo_users()
    page = visit.page
    today = timezone.localdate()

    # 1. Someone applies on the public page, without an account.
    visit.goto("/mentors/apply/")
    page.get_by_label("Full name").fill(APPLICANT)
    page.get_by_label("Email address").fill(APPLICANT_EMAIL)
    page.get_by_label("Birmingham").check()
    page.get_by_label("Arabic").check()
    page.get_by_label("English").check()
    page.get_by_label("Why do you want to be a mentor?").fill(
        "I have seen young people pulled into hateful groups online and want to help."
    )
    page.get_by_label("What relevant experience do you have?").fill(
        "Ten years as a youth worker and volunteer counsellor."
    )
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Submit application").click()
    visit.check()
    mentor = Mentor.objects.get(email=APPLICANT_EMAIL)
    assert mentor.status == MentorStatus.APPLICANT

    # 2. A coordinator works the application through the pipeline.
    coordinator = next(s for s in DEMO_USERS if "coordinator" in s.roles)
    visit.sign_in(coordinator.email, DEMO_PASSWORD, coordinator.key_bytes)
    visit.goto("/mentors/pipeline/")
    page.get_by_role("link", name=APPLICANT).first.click()
    visit.check()
    change_status(visit, "Vetting")
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.VETTING

    page.get_by_role("link", name="Vetting", exact=True).click()
    visit.check()
    # The enhanced check was done almost three years ago: it expires in 30 days.
    dbs = VettingCheckType.objects.get(code="enhanced-dbs")
    dbs_checked = today + dt.timedelta(days=30) - dt.timedelta(days=dbs.validity_days)
    for check_type in VettingCheckType.objects.filter(required=True, is_active=True):
        page.get_by_role("link", name="Record a vetting check").click()
        visit.check()
        page.locator(f'input[name=check_type][value="{check_type.pk}"]').check()
        page.get_by_label("Passed").check()
        checked = dbs_checked if check_type == dbs else today - dt.timedelta(days=5)
        page.get_by_label("Date checked").fill(d(checked))
        page.get_by_label("Verifier").fill("West Midlands vetting unit")
        page.get_by_label("Reference number").fill(f"WM-{check_type.code.upper()}-001")
        page.get_by_role("button", name="Record check").click()
        visit.check()

    page.get_by_role("link", name="Overview").click()
    visit.check()
    change_status(visit, "Training")
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.TRAINING

    page.get_by_role("link", name="Training and accreditation").click()
    visit.check()
    level = AccreditationLevel.objects.get(code="accredited")
    for module in level.required_modules.all():
        page.get_by_role("link", name="Record a completed module").click()
        visit.check()
        page.locator(f'input[name=module][value="{module.pk}"]').check()
        page.get_by_label("Date completed").fill(d(today - dt.timedelta(days=3)))
        page.get_by_role("button", name="Record completion").click()
        visit.check()

    page.get_by_role("link", name="Quality").click()
    visit.check()
    page.get_by_role("link", name="Record an observation").click()
    visit.check()
    page.get_by_label("Date observed").fill(d(today - dt.timedelta(days=2)))
    page.get_by_label("Observer").fill("Helen Price")
    page.get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Record observation").click()
    visit.check()

    page.get_by_role("link", name="Training and accreditation").click()
    visit.check()
    page.get_by_role("link", name="Award accreditation").click()
    visit.check()
    page.locator(f'input[name=level][value="{level.pk}"]').check()
    page.get_by_label("Date awarded").fill(d(today))
    page.get_by_role("button", name="Award accreditation").click()
    visit.check()
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.ACTIVE

    page.get_by_role("link", name="Overview").click()
    visit.check()
    page.get_by_role("button", name="Give sign-in access").first.click()
    visit.check()
    if page.get_by_role("button", name="Give sign-in access").count():
        page.get_by_role("button", name="Give sign-in access").click()  # confirmation page
        visit.check()
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/", mail.outbox[-1].body)[0]

    # 3. The mentor sets a password, signs in, enrols MFA and completes their part.
    context = browser.new_context(base_url=live_server.url)
    from tests.e2e.conftest import Visit

    mentor_visit = Visit(context.new_page(), live_server.url, visit.axe)
    mpage = mentor_visit.page
    mpage.set_default_timeout(10_000)
    mpage.goto(link)
    mentor_visit.check()
    mpage.get_by_label("New password", exact=True).fill("a long mentor passphrase")
    mpage.get_by_label("New password confirmation").fill("a long mentor passphrase")
    mpage.get_by_role("button", name="Set password").click()
    mentor_visit.check()
    mentor_visit.goto("/accounts/login/")
    mpage.get_by_label("Email address").fill(APPLICANT_EMAIL)
    mpage.get_by_label("Password").fill("a long mentor passphrase")
    mpage.get_by_role("button", name="Continue").click()
    mentor_visit.check()
    secret = mpage.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mpage.get_by_label("Code from your authenticator app").fill(f"{totp(key):06d}")
    mpage.get_by_role("button", name="Continue").click()
    mentor_visit.check()
    mpage.get_by_role("link", name="I have saved my backup codes").click()
    mentor_visit.check()

    mpage.get_by_role("link", name="Your mentor profile").first.click()
    mentor_visit.check()
    assert "code of conduct" in mpage.locator(".govuk-inset-text").inner_text()
    mentor_visit.goto("/mentors/me/code-of-conduct/")
    mpage.get_by_label(re.compile("I have read and accept")).check()
    mpage.get_by_role("button", name="Accept the code of conduct").click()
    mentor_visit.check()

    mentor_visit.goto("/mentors/me/edit/")
    mpage.get_by_label("Female", exact=True).check()
    mpage.get_by_label("Age band").select_option("35-44")
    mpage.get_by_role("button", name="Save profile").click()
    mentor_visit.check()

    mentor_visit.goto("/mentors/me/")
    assert "You can be matched with a new client" in mpage.content()
    assert mentor.pk in Mentor.objects.filter(user__email=APPLICANT_EMAIL).values_list(
        "pk", flat=True
    )

    # 4. Time moves on past the enhanced check's expiry: no longer matchable, and why.
    expiry = dbs_checked + dt.timedelta(days=dbs.validity_days)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: expiry)
    mentor_visit.goto("/mentors/me/")
    reasons = mpage.locator(".govuk-inset-text").inner_text()
    assert "You cannot be matched with a new client yet" in reasons
    assert (
        f"Enhanced criminal-records check with barred list expired on "
        f"{expiry.day} {expiry:%B %Y}" in reasons
    )
    visit.goto(f"/mentors/{mentor.pk}/")
    assert "Cannot take a case today" in page.content()
    context.close()
