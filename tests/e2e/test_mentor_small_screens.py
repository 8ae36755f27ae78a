"""Every page a mentor can reach, at 390 px (a phone) and 1280 px: found by following
the links of each page from the home page, with the demo data loaded. No page scrolls
sideways at 390 px, and axe finds nothing at either width."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tandem.site.demo.accounts import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users
from tandem.site.demo.cases import ensure_demo_cases
from tandem.site.demo.matching import ensure_demo_matches
from tandem.site.demo.meetings import ensure_demo_meetings
from tandem.site.demo.mentors import ensure_demo_mentors
from tandem.site.demo.safeguarding import ensure_demo_safeguarding
from tandem.site.demo.supervision import ensure_demo_supervision

from .conftest import _generic

pytestmark = pytest.mark.e2e

# Not pages: signing out, files and feeds.
SKIP = ("/accounts/logout/", "/static/", "/media/")
SKIP_ENDINGS = (".ics", ".csv", ".pdf", "/download/", "/export/", "/feed/")
# Each kind of page (its path with ids generalised) is opened this many times at most.
PER_KIND = 2
MOST = 120


@pytest.fixture
def demo(transactional_db):
    ensure_demo_users()
    ensure_demo_mentors()
    ensure_demo_cases()
    ensure_demo_matches()
    ensure_demo_meetings()
    ensure_demo_safeguarding()
    ensure_demo_supervision()


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP) or parts.path.endswith(SKIP_ENDINGS):
            continue
        found.append(path)
    return found


def _overflow(page) -> str:
    """The widest elements sticking out of the page, to say what to fix."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className).join(', ')"""
    )


def crawl(visit, width: int) -> list[str]:
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    origin = visit.base_url
    queue, seen, kinds, opened, wide = ["/"], set(), {}, [], []
    while queue and len(opened) < MOST:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        kind = _generic(path.split("?")[0]) + ("?" if "?" in path else "")
        if kinds.get(kind, 0) >= PER_KIND:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        response = page.goto(origin + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.status < 400, f"{path} answered {response.status}"
        if "/accounts/login/" in page.url or "/timed-out/" in page.url:
            pytest.fail(f"{path} signed the mentor out")
        visit.check()
        opened.append(path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        if scroll > inner:
            wide.append(f"{path}: {scroll} > {inner} ({_overflow(page)})")
        queue.extend(p for p in _links(page, origin) if p not in seen)
    assert not wide, "pages scroll sideways:\n" + "\n".join(wide)
    return opened


def test_every_page_a_mentor_reaches_fits_a_phone(visit, demo):
    mentor = next(s for s in DEMO_USERS if s.roles[0] == "mentor")
    visit.sign_in(mentor.email, DEMO_PASSWORD, mentor.key_bytes)
    opened = crawl(visit, 390)
    # The mentor's own pages were among them: their profile, a client, a session.
    assert any(p.startswith("/mentors/me/") for p in opened), opened
    assert any(p.startswith("/meetings/") for p in opened), opened
    assert len(opened) >= 15, opened


def test_every_page_a_mentor_reaches_passes_axe_at_1280(visit, demo):
    mentor = next(s for s in DEMO_USERS if s.roles[0] == "mentor")
    visit.sign_in(mentor.email, DEMO_PASSWORD, mentor.key_bytes)
    crawl(visit, 1280)
