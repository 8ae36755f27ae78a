"""Refused access reaches the audit log, limited per user, and a burst alerts the
administrators."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from conftest import create_user, sign_in
from tandem.accounts import refusals
from tandem.audit.models import AuditEvent
from tandem.cases.tests.factories import make_case
from tandem.core.models import Notification


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _refusals(user):
    return AuditEvent.objects.filter(actor=user, action__startswith="access.").order_by("sequence")


@pytest.mark.django_db
def test_a_403_is_recorded_with_the_page_but_not_the_path(client):
    referrer = create_user("referrer")
    sign_in(client, referrer)
    response = client.get(reverse("audit:event_list") + "?email=someone@example.org")
    assert response.status_code == 403
    [event] = _refusals(referrer)
    assert event.action == "access.refused"
    assert event.reason == "Answered 403 to GET audit:event_list"
    assert "someone" not in event.reason
    assert event.object_type == ""


@pytest.mark.django_db
def test_a_404_for_a_record_that_exists_but_is_out_of_reach_names_the_record(client):
    mentor = create_user("mentor")
    case = make_case()
    sign_in(client, mentor)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    [event] = _refusals(mentor)
    assert (event.action, event.object_type, event.object_id) == (
        "access.refused",
        "cases.case",
        str(case.pk),
    )
    assert event.reason == "Answered 404 to GET cases:detail"


@pytest.mark.django_db
def test_a_404_for_a_record_that_does_not_exist_is_not_a_refusal(client):
    mentor = create_user("mentor")
    sign_in(client, mentor)
    assert client.get(reverse("cases:detail", args=[987654])).status_code == 404
    assert client.get("/no-such-page/").status_code == 404
    assert not _refusals(mentor).exists()


@pytest.mark.django_db
def test_the_page_still_answers_as_before(client):
    mentor = create_user("mentor")
    case = make_case()
    sign_in(client, mentor)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert case.reference not in response.content.decode()


@pytest.mark.django_db
def test_a_scan_is_recorded_a_limited_number_of_times_and_alerts_administrators_once(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(refusals, "RECORD_LIMIT", 3)
    monkeypatch.setattr(refusals, "ALERT_AT", 6)
    administrator = create_user("administrator")
    retired_administrator = create_user(
        "administrator", is_active=False, deactivated_at=timezone.now()
    )
    scanner = create_user("mentor", full_name="Sam Scanner")
    cases = [make_case() for _ in range(9)]
    sign_in(client, scanner)
    with django_capture_on_commit_callbacks(execute=True):
        for case in cases:
            assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404

    actions = list(_refusals(scanner).values_list("action", flat=True))
    assert actions == [
        "access.refused",
        "access.refused",
        "access.refused",
        "access.refusals_limited",
        "access.refusal_burst",
    ]
    [alert] = Notification.objects.filter(user=administrator)
    assert "Sam Scanner was refused access 6 times within 10 minutes" in alert.message
    assert alert.link.startswith(reverse("audit:event_list"))
    assert not Notification.objects.filter(user=retired_administrator).exists()
    assert not Notification.objects.filter(user=scanner).exists()


@pytest.mark.django_db
def test_limits_are_per_user(client, monkeypatch):
    monkeypatch.setattr(refusals, "RECORD_LIMIT", 1)
    first, second = create_user("mentor"), create_user("mentor")
    case = make_case()
    for user in (first, second):
        sign_in(client, user)
        client.get(reverse("cases:detail", args=[case.pk]))
        client.get(reverse("cases:detail", args=[case.pk]))
    for user in (first, second):
        assert list(_refusals(user).values_list("action", flat=True)) == [
            "access.refused",
            "access.refusals_limited",
        ]


@pytest.mark.django_db
def test_a_failing_recorder_never_turns_a_refusal_into_a_server_error(client, monkeypatch):
    def broken(user_id):
        raise RuntimeError("cache down")

    monkeypatch.setattr(refusals, "_count", broken)
    sign_in(client, create_user("referrer"))
    assert client.get(reverse("audit:event_list")).status_code == 403
