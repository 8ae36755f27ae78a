"""The session-timeout warning: the dialog's markup on a signed-in user's pages (inert
without JavaScript), and "Stay signed in", a POST that renews the idle timer."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from conftest import create_user
from tandem.accounts.session_keys import SESSION_SEEN_KEY, SESSION_STARTED_KEY

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
    answer = response.json()
    assert {k: answer[k] for k in ("idle_seconds", "warning_seconds")} == {
        "idle_seconds": 600,
        "warning_seconds": 60,
    }
    assert time.time() - client.session[SESSION_SEEN_KEY] < 5


def test_stay_signed_in_never_moves_the_absolute_limit_and_says_how_long_is_left(
    client, signed_in, settings
):
    settings.TANDEM_SESSION_IDLE_TIMEOUT = 600
    settings.TANDEM_SESSION_ABSOLUTE_TIMEOUT = 12 * 3600
    signed_in(create_user("mentor"))
    session = client.session
    started = time.time() - (12 * 3600 - 90)  # a minute and a half to go
    session[SESSION_STARTED_KEY] = started
    session.save()

    first = client.post(KEEP_ALIVE, HTTP_ACCEPT="application/json").json()
    second = client.post(KEEP_ALIVE, HTTP_ACCEPT="application/json").json()

    assert 85 <= second["absolute_seconds_left"] <= first["absolute_seconds_left"] <= 92
    assert client.session[SESSION_STARTED_KEY] == started


def test_past_the_absolute_limit_stay_signed_in_cannot_help(client, signed_in, settings):
    settings.TANDEM_SESSION_ABSOLUTE_TIMEOUT = 3600
    signed_in(create_user("mentor"))
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 3601
    session.save()

    response = client.post(KEEP_ALIVE, HTTP_ACCEPT="application/json")

    assert response.status_code == 302
    assert response.url == reverse("accounts:timed_out")
    assert "_auth_user_id" not in client.session


def test_the_dialog_knows_the_absolute_limit_and_words_it_without_stay_signed_in(
    client, signed_in, settings
):
    settings.TANDEM_SESSION_ABSOLUTE_TIMEOUT = 12 * 3600
    signed_in(create_user("coordinator"))
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - (12 * 3600 - 300)
    session.save()
    html = client.get("/").content.decode()
    left = int(html.split('data-absolute-seconds-left="')[1].split('"')[0])
    assert 295 <= left <= 302
    limit = html.split("data-timeout-limit hidden>")[2].split("</div>")[0]
    assert "more than 12 hours in a row" in limit
    assert "staying signed in is not possible" in limit
    assert "Save your work now" in limit
    assert ">Go back to save my work</button>" in html


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
