"""Sign-in with MFA for every role, first-time enrolment, timeout and sign-out."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import create_user
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("spec", DEMO_USERS, ids=lambda s: s.roles[0])
def test_each_demo_role_signs_in_with_its_code_and_signs_out(visit, spec):
    ensure_demo_users()
    visit.sign_in(spec.email, DEMO_PASSWORD, spec.key_bytes)
    page = visit.page
    assert page.get_by_role("heading", level=1).inner_text() == "Home"
    for role in spec.roles:
        assert page.get_by_role("heading", level=2, name=role.label).is_visible()
    # Every link in the navigation opens a page that passes axe.
    hrefs = [a.get_attribute("href") for a in page.locator("#navigation a").all()]
    for href in hrefs:
        visit.goto(href)
    page.get_by_role("button", name="Sign out").click()
    visit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "You have signed out"
    visit.goto("/")
    assert "/accounts/login/" in page.url


def test_first_sign_in_enrols_an_authenticator(visit):
    user = create_user("referrer", mfa=False)
    visit.goto("/accounts/login/")
    page = visit.page
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Continue").click()
    visit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Set up your authenticator app"
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert secret and re.fullmatch(r"[A-Z2-7]+", secret)
    page.get_by_label("Code from your authenticator app").fill("000")
    page.get_by_role("button", name="Continue").click()
    visit.check()
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Code from your authenticator app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    visit.check()
    assert page.get_by_test_id("backup-codes").locator("li").count() == 10
    page.get_by_role("link", name="I have saved my backup codes").click()
    visit.check()
    assert "/accounts/" not in page.url


def test_wrong_password_shows_the_error_summary(visit):
    user = create_user("coordinator")
    visit.goto("/accounts/login/")
    page = visit.page
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Continue").click()
    visit.check()
    assert (
        "Enter a correct email address and password"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert page.get_by_label("Email address").input_value() == user.email


def test_idle_session_times_out(visit, settings):
    settings.TANDEM_SESSION_IDLE_TIMEOUT = 2
    ensure_demo_users()
    spec = DEMO_USERS[0]
    visit.sign_in(spec.email, DEMO_PASSWORD, spec.key_bytes)
    # The page's timeout warning takes the browser to the signed-out page when time is up.
    visit.page.wait_for_url("**/accounts/timed-out/", timeout=15_000)
    visit.check()
    assert visit.page.get_by_role("heading", level=1).inner_text() == "You have been signed out"
    visit.goto("/")
    assert "/accounts/login/" in visit.page.url


def test_public_pages_and_errors(visit):
    for path in ("/accessibility/", "/privacy/", "/accounts/password-reset/"):
        visit.goto(path)
    visit.goto("/no-such-page/")
    assert visit.page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert "no-such-page" not in visit.page.content()
