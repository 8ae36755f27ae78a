import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import sign_in
from tandem.accounts import mfa, services
from tandem.accounts.models import User, UserSession
from tandem.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user("administrator", full_name="Ada Admin")


def test_only_administrators_reach_user_management(client, make_user, signed_in, admin):
    for role in ("coordinator", "mentor", "referrer", "board_member"):
        client.logout()
        signed_in(make_user(role))
        assert client.get(reverse("accounts:user_list")).status_code == 403
        assert client.get(reverse("accounts:user_detail", args=[admin.pk])).status_code == 403
    client.logout()
    signed_in(admin)
    assert client.get(reverse("accounts:user_list")).status_code == 200


def test_create_user_sends_a_set_password_link_and_audits(
    client, signed_in, admin, django_capture_on_commit_callbacks
):
    signed_in(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:user_create"),
            {"full_name": "New Mentor", "email": "New.Mentor@Example.org", "roles": ["mentor"]},
        )
    user = User.objects.get(email="new.mentor@example.org")
    assert response.url == reverse("accounts:user_detail", args=[user.pk])
    assert user.roles == {"mentor"}
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/accounts/password-reset/" in mail.outbox[0].body
    event = AuditEvent.objects.get(action="user.create")
    assert event.actor == admin and event.object_id == str(user.pk)


def test_create_user_with_bad_input_keeps_what_was_typed(client, signed_in, admin, make_user):
    make_user("mentor", email="taken@example.org")
    signed_in(admin)
    response = client.post(
        reverse("accounts:user_create"),
        {"full_name": "Someone Typed This", "email": "TAKEN@example.org", "roles": []},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "A user with this email address already exists." in body
    assert "Select at least one role" in body
    assert "Someone Typed This" in body
    bogus = client.post(
        reverse("accounts:user_create"),
        {"full_name": "X", "email": "x@example.org", "roles": ["superuser"]},
    )
    assert "Select a valid choice" in bogus.content.decode()
    assert not User.objects.filter(email="x@example.org").exists()


def test_edit_roles(client, signed_in, admin, make_user):
    user = make_user("mentor")
    signed_in(admin)
    client.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {"full_name": "Renamed", "roles": ["mentor", "supervisor"]},
    )
    user = User.objects.get(pk=user.pk)
    assert user.full_name == "Renamed"
    assert user.roles == {"mentor", "supervisor"}
    assert AuditEvent.objects.get(action="user.update").changed_fields == ["full_name", "roles"]


def test_administrator_cannot_remove_own_admin_role(client, signed_in, admin):
    signed_in(admin)
    response = client.post(
        reverse("accounts:user_edit", args=[admin.pk]),
        {"full_name": admin.full_name, "roles": ["coordinator"]},
    )
    assert "cannot remove your own administrator role" in response.content.decode()
    assert User.objects.get(pk=admin.pk).roles == {"administrator"}


def test_sensitive_operations_require_recent_reauthentication(client, signed_in, admin, make_user):
    target = make_user("mentor")
    signed_in(admin)
    url = reverse("accounts:user_deactivate", args=[target.pk])
    response = client.get(url)
    assert response.url.startswith(reverse("accounts:reauthenticate"))
    codes = mfa.new_backup_codes(admin)
    wrong = client.post(response.url, {"password": "nope", "token": codes[0]})
    assert "not correct" in wrong.content.decode()
    ok = client.post(response.url, {"password": "correct horse battery", "token": codes[1]})
    assert ok.url == url
    assert client.get(url).status_code == 200


def test_deactivation_ends_every_session_of_that_user(signed_in, admin, make_user):
    target = make_user("mentor")
    phone, laptop = Client(), Client()
    for c in (phone, laptop):
        c.post(
            reverse("accounts:login"), {"email": target.email, "password": "correct horse battery"}
        )
        c.get(reverse("site:home"))
    keys = list(UserSession.objects.filter(user=target).values_list("session_key", flat=True))
    assert len(keys) == 2
    admin_client = sign_in(Client(), admin, reauthenticated=True)
    response = admin_client.post(
        reverse("accounts:user_deactivate", args=[target.pk]), {"reason": "Left the scheme"}
    )
    assert response.url == reverse("accounts:user_detail", args=[target.pk])
    assert not Session.objects.filter(session_key__in=keys).exists()
    target.refresh_from_db()
    assert not target.is_active and target.deactivated_at is not None
    for c in (phone, laptop):
        assert c.get(reverse("site:home")).url.startswith(reverse("accounts:login"))
    retry = Client().post(
        reverse("accounts:login"), {"email": target.email, "password": "correct horse battery"}
    )
    assert retry.status_code == 200
    event = AuditEvent.objects.get(action="user.deactivate")
    assert "Left the scheme" in event.reason


def test_deactivation_needs_a_reason_and_cannot_target_yourself(client, signed_in, admin):
    signed_in(admin, reauthenticated=True)
    empty = client.post(reverse("accounts:user_deactivate", args=[admin.pk]), {"reason": ""})
    assert "Enter the reason" in empty.content.decode()
    own = client.post(reverse("accounts:user_deactivate", args=[admin.pk]), {"reason": "test"})
    assert "cannot deactivate your own account" in own.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


def test_reactivate(client, signed_in, admin, make_user):
    target = make_user("mentor")
    services.user_deactivate(actor=admin, user=target, reason="Paused")
    signed_in(admin, reauthenticated=True)
    client.post(reverse("accounts:user_reactivate", args=[target.pk]), {"reason": "Returned"})
    assert User.objects.get(pk=target.pk).is_active


def test_reset_mfa_removes_devices_so_the_user_enrols_again(client, signed_in, admin, make_user):
    target = make_user("mentor")
    mfa.new_backup_codes(target)
    signed_in(admin, reauthenticated=True)
    client.post(reverse("accounts:user_reset_mfa", args=[target.pk]), {"reason": "Lost phone"})
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticDevice.objects.filter(user=target).exists()
    fresh = Client()
    response = fresh.post(
        reverse("accounts:login"), {"email": target.email, "password": "correct horse battery"}
    )
    assert response.url == reverse("accounts:mfa_enrol")


def test_unknown_user_is_404_for_an_administrator(client, signed_in, admin):
    signed_in(admin)
    assert client.get(reverse("accounts:user_detail", args=[999999])).status_code == 404


def test_user_list_filters_and_query_count_does_not_grow(
    client, signed_in, admin, make_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(admin)
    for _ in range(3):
        make_user("mentor")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:user_list"))
    for _ in range(30):
        make_user("coordinator")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("accounts:user_list"))
    assert len(many) == len(few)
    response = client.get(reverse("accounts:user_list"), {"q": "Ada"})
    assert list(response.context["users"]) == [admin]


def test_create_administrator_command_prints_a_working_set_password_link(client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_administrator", "First@Example.org", "First Admin", stdout=out)
    user = User.objects.get(email="first@example.org")
    assert user.roles == {"administrator"}
    link = out.getvalue().strip().splitlines()[-1].removeprefix("http://127.0.0.1:8000")
    page = client.get(link, follow=True)
    assert page.context["validlink"]
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_user_list_sorts_by_column_keeping_the_search(client, signed_in, admin, make_user):
    signed_in(admin)
    zoe = make_user("mentor", full_name="Ada Zephyr", email="a-zephyr@example.org")
    services.user_deactivate(actor=admin, user=zoe, reason="Left the scheme")

    def emails(**params):
        response = client.get(reverse("accounts:user_list"), params)
        assert response.status_code == 200
        return [user.email for user in response.context["users"]]

    assert emails(q="Ada") == [admin.email, zoe.email]  # by name
    assert emails(q="Ada", sort="email") == sorted([admin.email, zoe.email])
    assert emails(q="Ada", sort="status") == [admin.email, zoe.email]  # active first
    assert emails(q="Ada", sort="is_superuser") == [admin.email, zoe.email]  # not offered
    html = client.get(reverse("accounts:user_list"), {"q": "Ada", "sort": "email"}).content
    assert b'data-module="moj-sortable-table"' in html
    assert b'aria-sort="ascending"><a class="govuk-link" href="?q=Ada&amp;sort=email">' in html
