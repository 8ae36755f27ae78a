"""The session-timeout warning: the dialog's markup on a signed-in user's pages (inert
without JavaScript), and "Stay signed in", a POST that renews the idle timer."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from conftest import create_user
from tandem.accounts.session_keys import SESSION_SEEN_KEY

pytestmark = pytest.mark.django_db

KEEP_ALIVE = "/accounts/session/keep-alive/"


def test_the_url_is_where_the_dialog_posts():
    assert reverse("accounts:session_keep_alive") == KEEP_ALIVE


def test_a_signed_in_page_carries_the_dialog_with_its_timings(client, signed_in, settings):
    settings.TANDEM_SESSION_IDLE_TIMEOUT = 30 * 60
    settings.TANDEM_SESSION_WARNING = 2 * 60
    signed_in(create_user("coordinator"))
    html = client.get("/").content.decode()
    assert 'data-module="tandem-timeout-warning"' in html
    assert 'data-idle-seconds="1800"' in html and 'data-warning-seconds="120"' in html
    assert f'action="{KEEP_ALIVE}"' in html
    assert "<dialog" in html and "<dialog open" not in html  # closed without JavaScript
    assert ">Stay signed in</button>" in html


def test_a_signed_out_page_has_no_dialog(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "tandem-timeout-warning" not in html


def test_stay_signed_in_renews_the_idle_timer(client, signed_in, settings):
    settings.TANDEM_SESSION_IDLE_TIMEOUT = 600
    settings.TANDEM_SESSION_WARNING = 60
    signed_in(create_user("mentor"))
    session = client.session
    session[SESSION_SEEN_KEY] = time.time() - 590  # ten seconds to go
    session.save()

    response = client.post(KEEP_ALIVE, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {"idle_seconds": 600, "warning_seconds": 60}
    assert time.time() - client.session[SESSION_SEEN_KEY] < 5


def test_too_late_the_session_has_ended(client, signed_in, settings):
    settings.TANDEM_SESSION_IDLE_TIMEOUT = 600
    signed_in(create_user("mentor"))
    session = client.session
    session[SESSION_SEEN_KEY] = time.time() - 700
    session.save()

    response = client.post(KEEP_ALIVE, HTTP_ACCEPT="application/json")

    assert response.status_code == 302
    assert response.url == reverse("accounts:timed_out")


def test_only_post_and_only_signed_in(client, signed_in):
    assert client.post(KEEP_ALIVE).status_code == 302  # to sign in
    assert reverse("accounts:login") in client.post(KEEP_ALIVE).url
    signed_in(create_user("referrer"))
    assert client.get(KEEP_ALIVE).status_code == 405
    # Without JavaScript (a plain form post) the answer is a page, not JSON.
    assert client.post(KEEP_ALIVE).url == reverse("site:home")
