"""The case list's column headers: MoJ sortable-table markup over server-side sort
links that keep the filters and go back to the first page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.cases.tests.factories import make_case
from tandem.cases.tests.factories_referrals import coordinator

pytestmark = pytest.mark.django_db


def test_headers_link_to_the_server_side_orders(client, signed_in):
    make_case()
    signed_in(coordinator())
    html = client.get(reverse("cases:list") + "?urgency=&sort=urgency&page=1").content.decode()
    assert 'data-module="moj-sortable-table"' in html
    assert (
        'aria-sort="ascending"><a class="govuk-link" href="?urgency=&amp;sort=urgency">Urgency'
        in html
    )
    assert 'aria-sort="none"><a class="govuk-link" href="?urgency=&amp;sort=status">Status' in html
    assert 'aria-sort="none">Concern type</th>' in html
    # Reference switches between oldest and newest first.
    html = client.get(reverse("cases:list") + "?sort=received_asc").content.decode()
    assert (
        'aria-sort="ascending"><a class="govuk-link" href="?sort=received_desc">Reference' in html
    )
