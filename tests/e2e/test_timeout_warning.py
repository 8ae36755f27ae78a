"""The session-timeout warning in a browser, with a short idle setting: the dialog
opens before the idle sign-out, takes focus, is announced, "Stay signed in" renews the
session, Escape means the same, and when nobody answers the user is signed out. With a
short absolute limit, the dialog says that staying signed in is not possible and the
user is signed out at the limit however active they are."""

from __future__ import annotations

import pytest

from conftest import create_user
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e

IDLE = 8  # seconds
WARNING = 5  # the dialog opens after three quiet seconds


@pytest.fixture
def short_sessions(settings):
    settings.TANDEM_SESSION_IDLE_TIMEOUT = IDLE
    settings.TANDEM_SESSION_WARNING = WARNING


@pytest.fixture
def short_absolute_limit(settings):
    settings.TANDEM_SESSION_IDLE_TIMEOUT = 600
    settings.TANDEM_SESSION_WARNING = 12
    settings.TANDEM_SESSION_ABSOLUTE_TIMEOUT = 24  # seconds from signing in


def spec(role):
    return next(s for s in DEMO_USERS if s.roles[0] == role)


def test_the_warning_offers_to_stay_signed_in_and_signs_out_when_ignored(visit, short_sessions):
    ensure_demo_users()
    mentor = spec("mentor")
    visit.sign_in(mentor.email, DEMO_PASSWORD, mentor.key_bytes)
    page = visit.page
    dialog = page.get_by_role("dialog", name="You\u2019re about to be signed out")
    assert not dialog.is_visible()
    page.get_by_role("link", name="Home").first.focus()

    # The dialog opens before the sign-out, with focus on "Stay signed in".
    dialog.wait_for(state="visible", timeout=6_000)
    visit.check()  # axe, with the dialog open
    stay = dialog.get_by_role("button", name="Stay signed in")
    assert page.evaluate("document.activeElement.textContent") == "Stay signed in"
    announcer = page.locator("[data-timeout-announcer]")
    assert "you will be signed out in" in announcer.inner_text()
    assert announcer.get_attribute("aria-live") == "assertive"
    assert dialog.get_by_role("button", name="Sign out").is_visible()

    # Stay signed in: the session is renewed, the dialog closes, focus goes back.
    stay.click()
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.textContent").strip() == "Home"
    # Past the first deadline, the user is still signed in.
    page.wait_for_timeout(4_000)
    dialog.wait_for(state="visible", timeout=6_000)
    assert "/accounts/" not in page.url

    # Escape means "stay signed in" too.
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    # Ignored, it signs the user out at the idle limit.
    dialog.wait_for(state="visible", timeout=6_000)
    page.wait_for_url("**/accounts/timed-out/", timeout=10_000)
    visit.check()
    visit.goto("/")
    assert "/accounts/login/" in page.url


def test_at_390_pixels_the_dialog_fits(visit, short_sessions):
    user = create_user("coordinator")
    visit.page.set_viewport_size({"width": 390, "height": 844})
    visit.goto("/accounts/login/")
    page = visit.page
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Continue").click()
    visit.check()
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Sign in").click()
    visit.check()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(state="visible", timeout=6_000)
    visit.check()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", [1280, 390])
def test_before_the_absolute_limit_the_warning_says_save_your_work(
    visit, short_absolute_limit, width
):
    ensure_demo_users()
    visit.page.set_viewport_size({"width": width, "height": 900})
    coordinator = spec("coordinator")
    visit.sign_in(coordinator.email, DEMO_PASSWORD, coordinator.key_bytes)
    page = visit.page
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    dialog.wait_for(state="visible", timeout=20_000)
    visit.check()  # axe, with the dialog open
    assert "staying signed in is not possible" in dialog.inner_text()
    assert "Save your work now" in dialog.inner_text()
    # No "Stay signed in" that could not keep its promise.
    assert dialog.get_by_role("button", name="Stay signed in").count() == 0
    back = dialog.get_by_role("button", name="Go back to save my work")
    assert page.evaluate("document.activeElement.textContent") == "Go back to save my work"
    assert "Save your work now" in page.locator("[data-timeout-announcer]").inner_text()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width

    # Back to the page to save; being active there does not extend the session: a new
    # page warns again, and the user is signed out at the limit.
    back.click()
    dialog.wait_for(state="hidden")
    page.reload()
    dialog.wait_for(state="visible", timeout=10_000)
    page.wait_for_url("**/accounts/timed-out/", timeout=20_000)
    visit.check()
    visit.goto("/")
    assert "/accounts/login/" in page.url
