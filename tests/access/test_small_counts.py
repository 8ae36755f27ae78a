"""No page that board members or evaluators can open shows a count from 1 to 7.

Every URL without parameters that the access matrix opens to either role (and every
page open to anyone signed in) is requested with small groups in the data: a handful of
mentors and people, each ethnic group and need shared by one to three of them. Every
figure in a table cell, and every number next to "people", "mentors" or "waiting" in
the page's text, must be 0, 8 or more, or withheld.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Area
from tandem.core.access import PUBLIC, SIGN_IN, SIGNED_IN, matrix
from tandem.matching.models import MatchStatus
from tandem.matching.tests.factories import live_match, matching_mentor

from .test_matrix import ROUTES

AUDIENCE = ("board_member", "evaluator")


def _pages(role: str) -> list[str]:
    names = []
    for route in ROUTES:
        rule = matrix().urls.get(route.name)
        if rule is None or route.params or rule in (PUBLIC, SIGN_IN):
            continue
        if rule == SIGNED_IN or matrix().allows([role], *rule.split(".")):
            names.append(route.name)
    return sorted(names)


class _Text(HTMLParser):
    """The text of every table cell, and of the main content."""

    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "td" and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


SMALL_IN_WORDS = re.compile(
    r"(?<![\d,.])([1-7])\s+(people|person|mentors?|waiting|cases?|referrals?|of the)\b"
)
LEADING_COUNT = re.compile(r"^([\d,]+)(\s|$|\()")


@pytest.fixture
def small_groups():
    now = timezone.now()
    areas = list(Area.objects.order_by("name")[:3])
    mentors = []
    for i, ethnicity in enumerate(["asian_pakistani", "black_caribbean", "white_british"]):
        mentors.append(
            matching_mentor(
                ethnicity=ethnicity,
                areas=(areas[i].name,),
                languages=(("English", "first"),),
            )
        )
    for i, ethnicity in enumerate(["asian_pakistani", "mixed_other", "other_arab", "white_irish"]):
        make_case(
            status=CaseStatus.AWAITING_MATCH,
            status_changed_at=now - dt.timedelta(days=10 + i),
            ethnicity=ethnicity,
            area=areas[i % 3],
            mentor_gender_preference="female",
        )
    for i in range(3):
        case = make_case(status=CaseStatus.MATCHED, ethnicity="white_british", area=areas[0])
        live_match(case, mentors[i], status=MatchStatus.ACCEPTED)


@pytest.mark.django_db
@pytest.mark.parametrize("role", AUDIENCE)
def test_no_page_board_members_or_evaluators_open_shows_a_count_from_1_to_7(
    client, signed_in, role, small_groups
):
    signed_in(create_user(role))
    pages = _pages(role)
    assert "matching:fairness" in pages
    if role == "board_member":
        assert "matching:gaps" in pages
    checked = 0
    for name in pages:
        response = client.get(reverse(name))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        for cell in parser.cells:
            match = LEADING_COUNT.match(cell)
            if match:
                value = int(match.group(1).replace(",", ""))
                assert not 1 <= value <= 7, f"{name} shows {cell!r} in a table"
        text = " ".join(" ".join(parser.text).split())
        small = SMALL_IN_WORDS.search(text)
        assert small is None, f"{name} shows {small.group(0)!r}"
        checked += 1
    assert checked >= 2
