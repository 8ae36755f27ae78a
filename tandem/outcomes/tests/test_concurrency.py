"""A link is single-use also when two submissions race (a double tap, a leaked copy used
at the same moment): the conditional update claims it once, the other is refused."""

from __future__ import annotations

import pytest
from django.db import connection

from tandem.core.testing import simultaneously

from .. import services
from ..models import Response
from .factories import make_link

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3
ANSWERS = {"satisfied": 6, "worthwhile": 6, "happy": 6, "anxious": 4}


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers (immediate transactions), so two submissions can "
            "never overlap; test_links_and_pages.py covers a second submission."
        )


def test_two_submissions_at_once_save_one_answer():
    for _ in range(ROUNDS):
        link, token = make_link()

        def attempt(token=token):
            return services.answer_by_link(token=token, answers=ANSWERS, language="en")

        results = simultaneously(attempt, attempt)
        refused = [r for r in results if isinstance(r, services.OutcomesRefused)]
        assert len(refused) == 1, results
        assert Response.objects.filter(link=link).count() == 1
