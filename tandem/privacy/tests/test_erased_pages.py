"""Once a person is erased, the pages about them answer a plain "erased" page (410),
never a server error, and the lists that hold their case still open."""

import pytest
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.privacy.retention import case_erase

pytestmark = pytest.mark.django_db


def test_the_pages_of_an_erased_person_say_so_and_lists_still_open(client):
    case = make_case(status=CaseStatus.CLOSED)
    case_erase(actor=create_user("data_protection_officer"), case=case, rule=None, why="asked")
    sign_in(client, create_user("coordinator"))
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 410
    assert "records have been erased" in response.content.decode()
    for name in ("cases:timeline", "cases:plan", "privacy:case_sharing"):
        assert client.get(reverse(name, args=[case.pk])).status_code in (200, 410), name
    listing = client.get(reverse("cases:list") + "?status=closed")
    assert listing.status_code == 200 and case.reference in listing.content.decode()
