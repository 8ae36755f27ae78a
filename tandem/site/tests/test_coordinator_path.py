"""The coordinator's path from a new referral to a proposed match, walked with the test
client and counted: page loads (every page the browser shows, redirects included) and
form submissions.

Each walk only follows links that the page it is on shows, so the path measured is one
a coordinator can take. "Before" is the path the pages offered before guided case work
(the list of all cases, the case's "what can happen next" links and its tabs); "after"
follows the home page's work queue and the next-task button. Both do the same work:
screening, consent, the assessment, the plan, ready for a match, a proposal. The
figures are in docs/cases.md.

"From the referral" starts one step earlier: the coordinator enters the referral
(taken by phone, say) from the home page, checks the answers and sends it, and then
follows the guided path from the case page the referral lands on. Checking the answers
costs one page load and one submission over the form sending at once
(``FROM_REFERRAL_WITHOUT_CHECK``, the path before that page existed).
"""

from __future__ import annotations

import html as html_lib

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.assessments.tests.factories_assessments import form_data
from tandem.cases.models import Case, CaseStatus
from tandem.cases.tests.factories_referrals import form_data as referral_form
from tandem.cases.tests.factories_referrals import refer
from tandem.matching.models import Match, MatchStatus
from tandem.matching.tests.factories import matching_mentor

pytestmark = pytest.mark.django_db

BEFORE = {"page_loads": 18, "form_submissions": 6}
AFTER = {"page_loads": 15, "form_submissions": 6}
FROM_REFERRAL_WITHOUT_CHECK = {"page_loads": 15, "form_submissions": 7}
FROM_REFERRAL = {"page_loads": 16, "form_submissions": 8}


class Walk:
    """A coordinator's browser: counts what it loads and submits."""

    def __init__(self, client):
        self.client = client
        self.page_loads = 0
        self.form_submissions = 0
        self.html = ""
        self.path = ""

    def open(self, url: str) -> None:
        response = self.client.get(url)
        assert response.status_code == 200, url
        self.page_loads += 1
        self.html = html_lib.unescape(response.content.decode())
        self.path = url

    def follow(self, href: str) -> None:
        """Follow a link the current page shows."""
        assert f'href="{href}"' in self.html, f"{self.path} has no link to {href}"
        self.open(href)

    def press(self, text: str) -> str:
        """Follow the button (a link styled as a button) with ``text``."""
        marker = f">{text}</a>"
        assert marker in self.html, f"{self.path} has no button “{text}”"
        tag = self.html[: self.html.index(marker)]
        tag = tag[tag.rindex("<a ") :]
        assert 'role="button"' in tag and "govuk-button" in tag, tag
        href = tag.split('href="', 1)[1].split('"', 1)[0]
        self.open(href)
        return href

    def submit(self, data: dict, url: str | None = None) -> None:
        """Submit the form of the current page (or one it shows posting to ``url``) and
        load the page it redirects to."""
        url = url or self.path
        response = self.client.post(url, data)
        self.form_submissions += 1
        assert response.status_code == 302, (url, response.content.decode()[:3000])
        self.open(response.url)

    @property
    def figures(self) -> dict:
        return {"page_loads": self.page_loads, "form_submissions": self.form_submissions}


def _path(name: str, pk: int) -> str:
    return reverse(name, kwargs={"pk": pk})


def _version(case) -> str:
    case.refresh_from_db()
    return str(case.version)


def _screening(case) -> dict:
    return {"outcome": "clear", "notes": "Clear vulnerability.", "version": _version(case)}


def _consent(case) -> dict:
    return {
        "decision": "given",
        "given_by": "person",
        "giver_name": "Sam Carter",
        "decided_on": timezone.localdate().strftime("%d/%m/%Y"),
        "method": "in_person",
        "capacity_note": "",
        "version": _version(case),
    }


def _plan(case) -> dict:
    return {
        "approach": "befriending",
        "intended_style": "2",
        "frequency": "weekly",
        "summary": "Build trust first.",
        "version": _version(case),
    }


def _ready(case) -> dict:
    return {"action": "complete_assessment", "reason": "", "version": _version(case)}


def _propose(case, mentor) -> dict:
    return {"mentor": mentor.pk, "version": _version(case)}


@pytest.fixture
def world(client, signed_in):
    case = refer()
    mentor = matching_mentor()
    signed_in(create_user("coordinator"))
    return case, mentor


def _proposed(case, mentor) -> bool:
    case.refresh_from_db()
    return (
        case.status == CaseStatus.AWAITING_MATCH
        and Match.objects.filter(case=case, mentor=mentor, status=MatchStatus.PROPOSED).exists()
    )


def test_before_the_path_through_lists_links_and_tabs(client, world):
    case, mentor = world
    walk = Walk(client)
    detail = _path("cases:detail", case.pk)

    walk.open(reverse("site:home"))
    walk.follow(reverse("cases:list"))
    walk.follow(detail)
    walk.follow(_path("cases:screen", case.pk))
    walk.submit(_screening(case))
    walk.follow(_path("cases:consent", case.pk))
    walk.submit(_consent(case))
    walk.follow(_path("assessments:list", case.pk))
    walk.follow(_path("assessments:create", case.pk))
    walk.submit({**form_data(), "version": _version(case)})
    walk.follow(_path("cases:plan", case.pk))
    walk.follow(_path("cases:plan_edit", case.pk))
    walk.submit(_plan(case))
    walk.follow(detail)
    walk.follow(_path("cases:act", case.pk))
    walk.submit(_ready(case))
    walk.follow(_path("matching:suggestions", case.pk))
    walk.submit(_propose(case, mentor), url=_path("matching:propose", case.pk))

    assert _proposed(case, mentor)
    assert walk.figures == BEFORE


def test_after_the_guided_path_from_the_work_queue_and_the_next_task_button(client, world):
    case, mentor = world
    walk = Walk(client)

    walk.open(reverse("site:home"))
    walk.follow(reverse("cases:list") + "?intake=screen&sort=received_asc")
    walk.follow(_path("cases:detail", case.pk))
    walk.press("Screen the referral")
    walk.submit(_screening(case))
    walk.press("Record consent")
    walk.submit(_consent(case))
    walk.press("Start the assessment")
    walk.submit({**form_data(), "version": _version(case)})
    walk.press("Write the plan")
    walk.submit(_plan(case))
    walk.press("Mark as ready for a match")
    walk.submit(_ready(case))
    walk.press("Find a mentor")
    walk.submit(_propose(case, mentor), url=_path("matching:propose", case.pk))

    assert _proposed(case, mentor)
    assert walk.figures == AFTER
    assert AFTER["page_loads"] < BEFORE["page_loads"]


def test_from_the_referral_with_check_your_answers(client, signed_in):
    mentor = matching_mentor()
    signed_in(create_user("coordinator"))
    walk = Walk(client)

    walk.open(reverse("site:home"))
    walk.follow(reverse("cases:refer"))
    walk.submit(referral_form(first_name="Sam", last_name="Carter"))
    assert walk.path == reverse("cases:refer_check")
    assert "Check your answers" in walk.html
    walk.submit({}, url=reverse("cases:refer_check"))
    case = Case.objects.get()
    assert walk.path == _path("cases:detail", case.pk)
    walk.press("Screen the referral")
    walk.submit(_screening(case))
    walk.press("Record consent")
    walk.submit(_consent(case))
    walk.press("Start the assessment")
    walk.submit({**form_data(), "version": _version(case)})
    walk.press("Write the plan")
    walk.submit(_plan(case))
    walk.press("Mark as ready for a match")
    walk.submit(_ready(case))
    walk.press("Find a mentor")
    walk.submit(_propose(case, mentor), url=_path("matching:propose", case.pk))

    assert _proposed(case, mentor)
    assert walk.figures == FROM_REFERRAL
    assert FROM_REFERRAL["page_loads"] == FROM_REFERRAL_WITHOUT_CHECK["page_loads"] + 1
    assert FROM_REFERRAL["form_submissions"] == FROM_REFERRAL_WITHOUT_CHECK["form_submissions"] + 1
