"""The case list's filters that the coordinators' home page links to: the intake step
and the longest wait first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import create_user
from tandem.cases.models import CaseStatus

from .factories_lists import listed_case

pytestmark = pytest.mark.django_db
LIST = reverse("cases:list")


def test_the_intake_step_filter_separates_referrals_to_screen_from_consent_to_record(
    client, signed_in
):
    received = listed_case()
    begun = listed_case(status=CaseStatus.SCREENING)
    screened = listed_case(status=CaseStatus.SCREENING, screening_outcome="possible")
    assessing = listed_case(status=CaseStatus.ASSESSMENT)
    signed_in(create_user("coordinator"))

    to_screen = client.get(LIST, {"intake": "screen"}).content.decode()
    consent = client.get(LIST, {"intake": "consent"}).content.decode()

    assert received.reference in to_screen and begun.reference in to_screen
    assert screened.reference not in to_screen and assessing.reference not in to_screen
    assert screened.reference in consent
    assert received.reference not in consent and begun.reference not in consent


def test_an_unknown_intake_step_is_a_clear_error_not_a_failure(client, signed_in):
    signed_in(create_user("coordinator"))
    response = client.get(LIST, {"intake": "nonsense"})
    assert response.status_code == 200
    assert "Select an intake step from the list" in response.content.decode()


def test_longest_waiting_first(client, signed_in):
    newer = listed_case(status=CaseStatus.AWAITING_MATCH, waiting_days=3)
    older = listed_case(status=CaseStatus.AWAITING_MATCH, waiting_days=40, urgency="routine")
    middle = listed_case(status=CaseStatus.AWAITING_MATCH, waiting_days=10, urgency="urgent")
    signed_in(create_user("coordinator"))

    html = client.get(LIST, {"status": "awaiting_match", "sort": "waiting"}).content.decode()

    positions = [html.index(case.reference) for case in (older, middle, newer)]
    assert positions == sorted(positions)
