"""Links to pages that may not be installed."""

from django.test import RequestFactory
from django.urls import resolve

from tandem.core.links import section_links, url_if_installed


def test_a_page_that_is_installed_gives_its_address():
    assert url_if_installed("mentors:detail", pk=7) == "/mentors/7/"


def test_a_page_that_is_not_installed_gives_no_address():
    assert url_if_installed("nowhere:page") == ""
    assert url_if_installed("mentors:detail") == ""  # not without its record


def test_section_links_leave_out_pages_not_installed_and_mark_the_current_one():
    request = RequestFactory().get("/mentors/expiries/")
    request.resolver_match = resolve(request.path)
    sections = [
        ("Pool", "mentors:pool"),
        ("Elsewhere", "nowhere:page"),
        ("Expiries", "mentors:expiries"),
    ]
    assert section_links(request, sections) == [
        {"text": "Pool", "href": "/mentors/", "active": False},
        {"text": "Expiries", "href": "/mentors/expiries/", "active": True},
    ]
