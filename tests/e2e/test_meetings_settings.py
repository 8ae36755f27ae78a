"""The meetings settings a coordinator keeps: the policy's thresholds, and the places of
sessions on the catalogue pages, with their errors."""

from __future__ import annotations

import pytest

from tandem.meetings.models import MeetingsPolicy, PlaceType
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

pytestmark = pytest.mark.e2e


def test_a_coordinator_keeps_the_meetings_policy_and_places(visit):
    ensure_demo_users()
    page = visit.page
    coordinator = next(s for s in DEMO_USERS if "coordinator" in s.roles)
    visit.sign_in(coordinator.email, DEMO_PASSWORD, coordinator.key_bytes)

    page.get_by_role("link", name="Meetings policy").click()
    visit.check()
    page.get_by_label("Alert after this many did-not-attends in a row").fill("none")
    page.get_by_role("button", name="Save the meetings policy").click()
    visit.check()
    assert "Enter a whole number, like 2" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Alert after this many did-not-attends in a row").fill("3")
    page.get_by_role("button", name="Save the meetings policy").click()
    visit.check()
    assert "The meetings policy is saved" in page.locator(".govuk-notification-banner").inner_text()
    assert MeetingsPolicy.current().missed_in_a_row == 3

    visit.goto("/catalogues/place-types/add/")
    page.get_by_label("Name").fill("Family centre")
    page.get_by_label("In person").check()
    page.get_by_label("The mentor checks in at the start and out at the end").check()
    page.get_by_role("button", name="Add place").click()
    visit.check()
    assert PlaceType.objects.get(name="Family centre").needs_lone_working
