"""Tables that show their data: case-work pages use the width of the window so no
column is cut off at 1280 px; the case list, the mentor pool and the work lists (the
waiting list, reviews due) sort by column (the MoJ sortable table, with server-side
links underneath); the timeline is the MoJ timeline; the case page's consent table
stacks on a phone; the case summary prints without the service's chrome. axe runs on
each page at 1280 and 390 px."""

from __future__ import annotations

import pytest

from tandem.cases.models import Case, CaseStatus
from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from tandem.site.demo.cases import ensure_demo_cases
from tandem.site.demo.mentors import ensure_demo_mentors

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 390)


@pytest.fixture
def demo(transactional_db):
    ensure_demo_mentors()
    ensure_demo_cases()


def coordinator(visit):
    spec = next(s for s in DEMO_USERS if s.roles[0] == "coordinator")
    visit.sign_in(spec.email, DEMO_PASSWORD, spec.key_bytes)
    return visit.page


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_case_work_pages_show_every_column_at_both_widths(visit, demo):
    page = coordinator(visit)
    case = Case.objects.filter(status=CaseStatus.ACTIVE).order_by("pk").first()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in (
            "/cases/",
            "/mentors/",
            f"/cases/{case.pk}/",
            f"/cases/{case.pk}/timeline/",
            f"/cases/{case.pk}/assessments/compare/",
        ):
            visit.goto(path)  # axe at this width
            if width == 1280:
                # Every table fits the page: no column is cut off or scrolled away.
                assert page.evaluate(
                    """() => [...document.querySelectorAll('main table')].every(
                        t => t.getBoundingClientRect().right <= window.innerWidth)"""
                ), path
            else:
                assert fits(page), path


def test_the_case_list_sorts_by_column_in_the_browser_and_on_the_server(visit, demo):
    page = coordinator(visit)
    visit.goto("/cases/")
    table = page.locator("main table")
    header = table.get_by_role("columnheader", name="Status")
    # Enhanced: the header is a button that sorts the rows shown.
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    ranks = table.locator("tbody tr td:nth-of-type(1)").evaluate_all(
        "cells => cells.map(c => Number(c.dataset.sortValue))"
    )
    assert ranks == sorted(ranks)
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    visit.check()


def test_the_timeline_is_the_moj_timeline_and_the_summary_prints_clean(visit, demo):
    page = coordinator(visit)
    case = Case.objects.filter(status=CaseStatus.ACTIVE).order_by("pk").first()
    visit.goto(f"/cases/{case.pk}/timeline/")
    assert page.locator(".moj-timeline .moj-timeline__item").count() >= 1
    assert page.locator("main table").count() == 0
    page.set_viewport_size({"width": 390, "height": 900})
    visit.goto(f"/cases/{case.pk}/")
    assert fits(page)
    page.emulate_media(media="print")
    for hidden in (".govuk-service-navigation", ".govuk-footer", ".moj-sub-navigation"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.get_by_role("heading", level=1).is_visible()
    page.emulate_media(media="screen")


@pytest.mark.parametrize(
    ("path", "column", "cell"),
    [
        ("/cases/awaiting-match/", "Waiting", 2),
        ("/cases/reviews-due/", "Next review due", 2),
    ],
)
def test_more_work_lists_sort_by_column_in_the_browser_and_on_the_server(
    visit, demo, path, column, cell
):
    page = coordinator(visit)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visit.goto(path)  # axe at this width
        table = page.locator("main table")
        header = table.get_by_role("columnheader", name=column)
        # Enhanced: the header is a button that sorts the rows shown, each way in turn
        # (a column the server sorted by starts marked, so the first click reverses it).
        directions = set()
        for _ in range(2):
            header.get_by_role("button").click()
            direction = header.get_attribute("aria-sort")
            directions.add(direction)
            values = table.locator(f"tbody tr td:nth-of-type({cell})").evaluate_all(
                "cells => cells.map(c => c.dataset.sortValue)"
            )
            assert len(values) > 1
            assert values == sorted(
                values, key=lambda v: (len(v), v), reverse=direction == "descending"
            )
        assert directions == {"ascending", "descending"}
        visit.check()
    # An order the list does not offer gives the default order, not an error.
    visit.goto(f"{path}?sort=nonsense")
    assert page.locator("main table").count() == 1
