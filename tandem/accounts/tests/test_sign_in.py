import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.accounts import mfa
from tandem.accounts.models import UserSession
from tandem.accounts.session_keys import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from tandem.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key):06d}"


def post_password(client, email, password=PASSWORD, ip="10.0.0.1", next_url=None):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_password_alone_reaches_only_the_second_factor_step(client, make_user):
    user = make_user("coordinator")
    response = post_password(client, user.email)
    assert response.url == reverse("accounts:mfa_verify")
    home = client.get(reverse("site:home"))
    assert home.status_code == 302
    assert home.url == reverse("accounts:mfa_verify")
    assert client.get(reverse("accounts:account")).url == reverse("accounts:mfa_verify")


def test_password_and_code_sign_in_and_rotate_the_session_key(client, make_user):
    user = make_user("mentor")
    post_password(client, user.email)
    key_after_password = client.session.session_key
    response = client.post(reverse("accounts:mfa_verify"), {"token": current_code(user)})
    assert response.url == reverse("site:home")
    assert client.session.session_key != key_after_password
    assert client.get(reverse("site:home")).status_code == 200
    assert UserSession.objects.filter(user=user, session_key=client.session.session_key).exists()
    assert AuditEvent.objects.filter(actor=user, action="auth.login").count() == 1


def test_email_is_case_insensitive(client, make_user):
    user = make_user("mentor", email="Someone@Example.org")
    assert post_password(client, "SOMEONE@example.ORG").url == reverse("accounts:mfa_verify")
    assert user.email == "someone@example.org"


def test_wrong_password_gives_one_message_that_reveals_nothing(client, make_user):
    user = make_user("mentor")
    wrong = post_password(client, user.email, password="not it")
    unknown = post_password(client, "nobody@example.org", password="not it")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Enter a correct email address and password." in response.content.decode()
    assert "nobody@example.org" in unknown.content.decode()  # what was typed is kept
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 2


def test_wrong_code_is_refused_with_a_clear_message(client, make_user):
    user = make_user("mentor")
    post_password(client, user.email)
    response = client.post(reverse("accounts:mfa_verify"), {"token": "000000"})
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    letters = client.post(reverse("accounts:mfa_verify"), {"token": "abc"})
    assert "numbers only" in letters.content.decode()
    assert not client.session.get("otp_device_id")


def test_backup_code_works_once(client, make_user):
    user = make_user("supervisor")
    codes = mfa.new_backup_codes(user)
    post_password(client, user.email)
    assert client.post(reverse("accounts:mfa_verify"), {"token": codes[0]}).url == reverse(
        "site:home"
    )
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.post(reverse("accounts:logout"))
    post_password(client, user.email)
    again = client.post(reverse("accounts:mfa_verify"), {"token": codes[0]})
    assert again.status_code == 200


def test_first_sign_in_enrols_an_authenticator_and_shows_backup_codes(client, make_user):
    user = make_user("referrer", mfa=False)
    assert post_password(client, user.email).url == reverse("accounts:mfa_enrol")
    page = client.get(reverse("accounts:mfa_enrol"))
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post(reverse("accounts:mfa_enrol"), {"token": "123"})
    assert "6-digit" in bad.content.decode()
    response = client.post(reverse("accounts:mfa_enrol"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("site:home")).status_code == 200
    # Enrolment is not offered again to someone who has an authenticator.
    assert client.get(reverse("accounts:mfa_enrol")).url == reverse("site:home")


def test_next_is_followed_after_both_factors_but_never_off_site(client, make_user):
    user = make_user("coordinator")
    post_password(client, user.email, next_url="/accounts/account/")
    response = client.post(reverse("accounts:mfa_verify"), {"token": current_code(user)})
    assert response.url == "/accounts/account/"
    client.post(reverse("accounts:logout"))
    post_password(client, user.email, next_url="https://attacker.example/")
    device = TOTPDevice.objects.get(user=user)
    device.last_t = -1  # let the same time step be used again in this test
    device.save()
    response = client.post(reverse("accounts:mfa_verify"), {"token": current_code(user)})
    assert response.url == reverse("site:home")


class TestThrottling:
    def test_failures_lock_that_address_out_of_that_account_only(self, client, make_user, settings):
        settings.TANDEM_LOGIN_MAX_FAILURES = 3
        user = make_user("coordinator")
        for _ in range(3):
            post_password(client, user.email, password="guess", ip="203.0.113.9")
        locked = post_password(client, user.email, ip="203.0.113.9")
        assert locked.status_code == 200
        assert "Too many failed attempts" in locked.content.decode()
        assert AuditEvent.objects.filter(action="auth.locked_out").count() == 1
        # The real user, elsewhere, is not locked out by the attacker.
        assert post_password(client, user.email, ip="198.51.100.7").url == reverse(
            "accounts:mfa_verify"
        )

    def test_success_resets_the_count(self, client, make_user, settings):
        settings.TANDEM_LOGIN_MAX_FAILURES = 3
        user = make_user("coordinator")
        for _ in range(2):
            post_password(client, user.email, password="guess")
        post_password(client, user.email)
        client.logout()
        for _ in range(2):
            post_password(client, user.email, password="guess")
        assert post_password(client, user.email).url == reverse("accounts:mfa_verify")


class TestTimeouts:
    def _age(self, client, *, seen_ago=0, started_ago=0):
        session = client.session
        now = time.time()
        session[SESSION_SEEN_KEY] = now - seen_ago
        session[SESSION_STARTED_KEY] = now - started_ago
        session.save()

    def test_idle_session_ends(self, client, make_user, signed_in, settings):
        user = make_user("mentor")
        signed_in(user)
        assert client.get(reverse("site:home")).status_code == 200
        self._age(client, seen_ago=settings.TANDEM_SESSION_IDLE_TIMEOUT + 5)
        key = client.session.session_key
        response = client.get(reverse("site:home"))
        assert response.url == reverse("accounts:timed_out")
        assert not Session.objects.filter(session_key=key).exists()
        assert client.get(reverse("site:home")).url.startswith(reverse("accounts:login"))
        assert AuditEvent.objects.filter(action="auth.session_timeout").count() == 1

    def test_active_session_still_ends_at_the_absolute_limit(
        self, client, make_user, signed_in, settings
    ):
        user = make_user("mentor")
        signed_in(user)
        client.get(reverse("site:home"))
        self._age(client, seen_ago=1, started_ago=settings.TANDEM_SESSION_ABSOLUTE_TIMEOUT + 1)
        assert client.get(reverse("site:home")).url == reverse("accounts:timed_out")

    def test_timeouts_are_configurable(self, client, make_user, signed_in, settings):
        settings.TANDEM_SESSION_IDLE_TIMEOUT = 5
        user = make_user("mentor")
        signed_in(user)
        client.get(reverse("site:home"))
        self._age(client, seen_ago=6)
        assert client.get(reverse("site:home")).url == reverse("accounts:timed_out")


def test_sign_out_ends_the_session_on_the_server_and_clears_site_data(client, make_user, signed_in):
    user = make_user("board_member")
    signed_in(user)
    client.get(reverse("site:home"))
    key = client.session.session_key
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:signed_out")
    assert "cookies" in response["Clear-Site-Data"]
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("site:home")).status_code == 302


def test_authenticated_pages_are_not_cached(client, make_user, signed_in):
    signed_in(make_user("evaluator"))
    response = client.get(reverse("site:home"))
    assert "no-store" in response["Cache-Control"]


def test_passwords_are_hashed_with_argon2_in_real_settings():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
