import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tandem.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _reset_link() -> str:
    return re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[-1].body)[1]


def test_password_reset_never_bypasses_the_second_factor(client, make_user):
    user = make_user("coordinator")
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = _reset_link()
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url,
        {
            "new_password1": "a much longer new passphrase",
            "new_password2": "a much longer new passphrase",
        },
    )
    assert response.url == reverse("accounts:password_reset_complete")
    # Not signed in by the reset: the home page still asks to sign in.
    assert client.get(reverse("site:home")).url.startswith(reverse("accounts:login"))
    signed = Client().post(
        reverse("accounts:login"),
        {"email": user.email, "password": "a much longer new passphrase"},
    )
    assert signed.url == reverse("accounts:mfa_verify")
    assert AuditEvent.objects.filter(action="user.password_reset", actor=user).exists()


def test_reset_for_unknown_address_looks_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_weak_new_password_is_refused(client, make_user):
    user = make_user("coordinator")
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    page = client.get(_reset_link(), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_change_password_needs_reauthentication_and_keeps_session(client, make_user, signed_in):
    user = make_user("mentor")
    signed_in(user)
    assert client.get(reverse("accounts:password_change")).url.startswith(
        reverse("accounts:reauthenticate")
    )
    signed_in(user, reauthenticated=True)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "another long passphrase here",
            "new_password2": "another long passphrase here",
        },
    )
    assert response.url == reverse("accounts:account")
    assert client.get(reverse("site:home")).status_code == 200
