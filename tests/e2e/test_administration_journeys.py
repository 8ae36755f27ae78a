"""An administrator manages users (with re-authentication); a coordinator searches the
audit log; a mentor is refused both."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.accounts.mfa import new_backup_codes
from tandem.accounts.models import User, UserSession
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e


def demo(role: str):
    ensure_demo_users()
    return next(spec for spec in DEMO_USERS if role in spec.roles)


def test_administrator_adds_changes_and_deactivates_a_user(visit, browser, live_server, settings):
    # Signing in counts as a fresh confirmation; make it lapse quickly for this journey.
    settings.TANDEM_REAUTH_MAX_AGE = 3
    admin = demo("administrator")
    visit.sign_in(admin.email, DEMO_PASSWORD, admin.key_bytes)
    page = visit.page
    page.get_by_role("link", name="Users", exact=True).click()
    visit.check()
    page.get_by_role("link", name="Add a user").click()
    visit.check()

    # Bad input: the error summary appears and what was typed is kept.
    page.get_by_label("Full name").fill("Nadia Rahman")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Add user").click()
    visit.check()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter an email address in the correct format" in summary
    assert "Select at least one role" in summary
    assert page.get_by_label("Full name").input_value() == "Nadia Rahman"

    page.get_by_label("Email address").fill("nadia.rahman@example.org")
    page.get_by_label("Mentor").check()
    page.get_by_role("button", name="Add user").click()
    visit.check()
    assert "has been added" in page.locator(".govuk-notification-banner").inner_text()
    assert any("nadia.rahman@example.org" in m.to for m in mail.outbox)

    page.get_by_role("link", name="Change name or roles").click()
    visit.check()
    page.get_by_label("Supervisor").check()
    page.get_by_role("button", name="Save changes").click()
    visit.check()
    nadia = User.objects.get(email="nadia.rahman@example.org")
    assert nadia.roles == {"mentor", "supervisor"}

    # The new user is signed in somewhere else.
    nadia.set_password("a long enough passphrase")
    nadia.save()
    device = TOTPDevice.objects.create(user=nadia, name="Authenticator app", confirmed=True)
    other = browser.new_context(base_url=live_server.url)
    other_page = other.new_page()
    other_page.goto("/accounts/login/")
    other_page.get_by_label("Email address").fill(nadia.email)
    other_page.get_by_label("Password").fill("a long enough passphrase")
    other_page.get_by_role("button", name="Continue").click()
    other_page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    other_page.get_by_role("button", name="Sign in").click()
    assert other_page.get_by_role("heading", level=1).inner_text() == "Home"
    assert UserSession.objects.filter(user=nadia).count() == 1

    # Deactivating is sensitive: the administrator confirms it is them first.
    page.wait_for_timeout(3_500)
    page.get_by_role("link", name="Deactivate").click()
    visit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm it is you"
    codes = new_backup_codes(User.objects.get(email=admin.email))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    visit.check()
    page.get_by_role("button", name="Deactivate").click()
    visit.check()
    assert "Enter the reason" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Reason").fill("Left the scheme")
    page.get_by_role("button", name="Deactivate").click()
    visit.check()
    assert "signed out everywhere" in page.locator(".govuk-notification-banner").inner_text()
    assert not UserSession.objects.filter(user=nadia).exists()
    assert not Session.objects.filter(
        session_key__in=UserSession.objects.filter(user=nadia).values("session_key")
    ).exists()

    # Their other browser is signed out at its next request.
    other_page.goto("/")
    assert "/accounts/login/" in other_page.url
    other.close()


def test_coordinator_searches_the_audit_log(visit):
    coordinator = demo("coordinator")
    visit.sign_in(coordinator.email, DEMO_PASSWORD, coordinator.key_bytes)
    page = visit.page
    page.get_by_role("link", name="Audit log", exact=True).click()
    visit.check()
    page.get_by_label("User's email address").fill(coordinator.email)
    page.get_by_role("button", name="Search").click()
    visit.check()
    assert "auth.login" in page.locator("table").inner_text()
    page.get_by_label("From").fill("31/02/2026")
    page.get_by_role("button", name="Search").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()


def test_mentor_is_refused_administration_and_the_audit_log(visit):
    mentor = demo("mentor")
    visit.sign_in(mentor.email, DEMO_PASSWORD, mentor.key_bytes)
    nav = visit.page.locator("#navigation").inner_text()
    assert "Users" not in nav and "Audit log" not in nav
    for path in ("/accounts/users/", "/audit/"):
        visit.goto(path)
        assert visit.page.get_by_role("heading", level=1).inner_text() != "Users"
        assert "auth.login" not in visit.page.content()


def test_account_page_password_change_and_backup_codes(visit, settings):
    # Long enough for the steps after confirming (each page also runs axe) on a busy
    # machine, short enough to let it lapse once before them.
    settings.TANDEM_REAUTH_MAX_AGE = 10
    referrer = demo("referrer")
    visit.sign_in(referrer.email, DEMO_PASSWORD, referrer.key_bytes)
    page = visit.page
    page.get_by_role("link", name="Your account").click()
    visit.check()
    page.wait_for_timeout(10_500)
    page.get_by_role("link", name="Create new backup codes").click()
    visit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm it is you"
    user = User.objects.get(email=referrer.email)
    code = new_backup_codes(user)[0]
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    visit.check()
    page.get_by_role("button", name="Create new backup codes").click()
    visit.check()
    assert page.get_by_test_id("backup-codes").locator("li").count() == 10
    visit.goto("/accounts/account/password/")
    page.get_by_label("Old password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Change password").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()
