"""The meetings policy page: coordinators change the thresholds, audited; bad input is
explained and keeps what was typed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.audit.models import AuditEvent

from ..models import MeetingsPolicy

pytestmark = pytest.mark.django_db
URL = reverse("meetings:policy")
VALID = {
    "gap_multiple": "1.5",
    "missed_in_a_row": "3",
    "check_out_grace_minutes": "20",
    "check_out_escalation_minutes": "15",
    "pays_did_not_attend": "on",
}


@pytest.fixture
def coordinator(client):
    user = create_user("coordinator")
    sign_in(client, user)
    return user


def test_a_coordinator_changes_the_thresholds_and_the_change_is_audited(client, coordinator):
    response = client.post(URL, VALID)

    assert response.status_code == 302
    policy = MeetingsPolicy.current()
    assert policy.gap_multiple == Decimal("1.5") and policy.missed_in_a_row == 3
    assert policy.check_out_grace_minutes == 20 and policy.check_out_escalation_minutes == 15
    assert policy.pays_did_not_attend
    event = AuditEvent.objects.get(action="meetings.policy_change")
    assert event.actor == coordinator
    assert set(event.changed_fields) == set(VALID)


def test_saving_without_a_change_writes_nothing(client, coordinator):
    policy = MeetingsPolicy.current()
    unchanged = {
        "gap_multiple": str(policy.gap_multiple),
        "missed_in_a_row": str(policy.missed_in_a_row),
        "check_out_grace_minutes": str(policy.check_out_grace_minutes),
        "check_out_escalation_minutes": str(policy.check_out_escalation_minutes),
    }

    client.post(URL, unchanged)

    assert not AuditEvent.objects.filter(action="meetings.policy_change").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("gap_multiple", "0.5", "Enter a number of at least 1"),
        ("gap_multiple", "lots", "Enter a number like 2 or 1.5"),
        ("missed_in_a_row", "99999999999999999999", "Enter a number of at most 10"),
        ("check_out_grace_minutes", "-5", "Enter 0 minutes or more"),
    ],
)
def test_bad_input_is_explained_and_keeps_what_was_typed(
    client, coordinator, field, value, message
):
    before = MeetingsPolicy.current().gap_multiple

    response = client.post(URL, {**VALID, field: value})

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'value="{value}"' in page
    assert MeetingsPolicy.current().gap_multiple == before


def test_only_coordinators_reach_the_policy(client):
    sign_in(client, create_user("mentor"))

    assert client.get(URL).status_code == 403
