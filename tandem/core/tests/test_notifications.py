"""Notifications: notify() and email_users() on commit, the list page, the unread count."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.core.models import Notification
from tandem.core.notifications import email_users, notify, unread_count

pytestmark = pytest.mark.django_db

LIST = reverse("core:notifications")


def test_notify_writes_one_row_per_user_once_the_transaction_commits(
    make_user, django_capture_on_commit_callbacks
):
    a, b = make_user("coordinator"), make_user("mentor")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[a, b, a, None], message="  Hello\n there ", link="/mentors/me/")
        assert not Notification.objects.exists()
    rows = Notification.objects.order_by("user_id")
    assert [(n.user_id, n.message, n.link) for n in rows] == [
        (a.pk, "Hello there", "/mentors/me/"),
        (b.pk, "Hello there", "/mentors/me/"),
    ]


def test_nothing_is_written_when_the_transaction_rolls_back(make_user):
    user = make_user("mentor")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        notify(users=[user], message="Never")
        raise Boom
    assert not Notification.objects.exists()


def test_email_users_sends_one_message_each_on_commit_to_active_users_only(
    make_user, django_capture_on_commit_callbacks, settings
):
    a, b, gone = make_user("coordinator"), make_user("mentor"), make_user("mentor")
    gone.is_active, gone.deactivated_at = False, timezone.now()
    gone.save()
    with django_capture_on_commit_callbacks(execute=True):
        email_users(users=[a, b.pk, a.pk, gone, gone.pk, None], subject="Due", body="Look.")
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [[a.email], [b.email]]
    assert mail.outbox[0].subject == "Due"
    assert mail.outbox[0].body == f"Look.\n\n{settings.TANDEM_SCHEME_NAME}\n"


def test_no_email_goes_when_the_transaction_rolls_back(make_user):
    user = make_user("mentor")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        email_users(users=[user], subject="Never", body="Never")
        1 / 0  # noqa: B018
    assert mail.outbox == []


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_links_outside_tandem_are_dropped(make_user, django_capture_on_commit_callbacks, link):
    user = make_user("mentor")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[user], message="x" * 400, link=link)
    note = Notification.objects.get()
    assert note.link == "" and len(note.message) == 300


def test_the_list_shows_only_the_users_own_newest_first_with_unread_marked(
    client, signed_in, make_user
):
    me, other = make_user("mentor"), make_user("mentor")
    Notification.objects.create(user=me, message="Older message")
    Notification.objects.create(user=me, message="Newer message", link="/mentors/me/")
    Notification.objects.create(user=other, message="Someone else's")
    signed_in(me)
    body = client.get(LIST).content.decode()
    assert body.index("Newer message") < body.index("Older message")
    assert "Someone else" not in body
    assert "You have 2 unread notifications." in body
    assert body.count(">Unread<") == 2
    assert 'href="/mentors/me/"' in body


def test_mark_all_as_read_marks_only_the_users_own(client, signed_in, make_user):
    me, other = make_user("coordinator"), make_user("coordinator")
    Notification.objects.create(user=me, message="Mine")
    Notification.objects.create(user=other, message="Theirs")
    signed_in(me)
    response = client.post(LIST)
    assert response.status_code == 302 and response.url == LIST
    assert unread_count(me) == 0 and unread_count(other) == 1
    body = client.get(LIST).content.decode()
    assert "Mark all as read" not in body and ">Read<" in body


def test_the_list_paginates_and_survives_a_bad_page_number(client, signed_in, make_user):
    me = make_user("mentor")
    Notification.objects.bulk_create(
        Notification(user=me, message=f"Message {i}") for i in range(30)
    )
    signed_in(me)
    assert 'aria-current="page">1</a>' in client.get(LIST).content.decode()
    assert 'aria-current="page">2</a>' in client.get(LIST + "?page=2").content.decode()
    assert client.get(LIST + "?page=abc").status_code == 200
    assert client.get(LIST + "?page=999").status_code == 200


def test_an_empty_list_says_so(client, signed_in, make_user):
    signed_in(make_user("referrer"))
    assert "You have no notifications." in client.get(LIST).content.decode()


def test_signing_in_is_required(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/" in response.url
