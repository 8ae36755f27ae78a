"""Checks of a page's HTML structure and Content-Security-Policy, shared by the tests of
the page shell here and of the pages built on it."""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

DASH = "\N{EN DASH}"  # between the page title and "Tandem"


class Page(HTMLParser):
    """Just enough of an HTML page to check its structure."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.h1_text: list[str] = []
        self.title = ""
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in {"h1", "title"}:
            self._in = tag
            if tag == "h1":
                self.h1_text.append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "h1":
            self.h1_text[-1] += data
        elif self._in == "title":
            self.title += data

    def find(self, tag: str, **attrs) -> list[dict[str, str | None]]:
        return [
            found
            for name, found in self.tags
            if name == tag and all(found.get(key) == value for key, value in attrs.items())
        ]


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_csp(response) -> dict[str, list[str]]:
    policy = csp_directives(response)
    every_value = [value for values in policy.values() for value in values]
    assert "'unsafe-inline'" not in every_value
    assert "'unsafe-eval'" not in every_value
    assert not any(value.startswith("'unsafe-") for value in every_value)
    assert policy["default-src"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "*" not in every_value
    return policy


def assert_page_obeys_csp(response) -> Page:
    """An HTML page whose header nonce matches its one inline script, with no
    inline styles or event handlers that the policy would block."""
    policy = assert_strict_csp(response)
    nonces = [v for v in policy["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1, policy["script-src"]
    nonce = nonces[0][len("'nonce-") : -1]

    html = response.content.decode()
    page = Page(html)
    scripts = page.find("script")
    inline = [script for script in scripts if "src" not in script]
    assert len(inline) == 1
    assert inline[0]["nonce"] == nonce
    for script in scripts:
        if "src" in script:
            assert script["src"].startswith("/static/")
            assert script.get("type") == "module"
    for _tag, attrs in page.tags:
        assert "style" not in attrs, f"inline style attribute on <{_tag}>"
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"inline event handler {handlers} on <{_tag}>"
    assert "<style" not in html
    return page


def assert_page_shell(page: Page, title: str):
    assert page.title.strip() == f"{title} {DASH} Tandem"
    assert len(page.h1_text) == 1, page.h1_text
    assert page.find("html", lang="en-GB", **{"class": "govuk-template"})
    assert page.find("a", href="#main-content", **{"class": "govuk-skip-link"})
    assert page.find("main", id="main-content")
    assert page.find("header", **{"class": "govuk-template__header"})
    assert page.find("footer", **{"class": "govuk-template__footer"})
    assert page.find("a", href=reverse("core:accessibility"), **{"class": "govuk-footer__link"})
    assert page.find("a", href=reverse("core:privacy"), **{"class": "govuk-footer__link"})
    assert page.find("link", rel="stylesheet", href="/static/tandem.css")
    assert page.find("script", type="module", src="/static/tandem.js")
