"""Links to pages that may not be installed.

An app links onward to pages of apps that can be left out of a scheme's installation
(a case without matching, the register without its pool pages): a link to a page that
is not installed is left out rather than broken.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def url_if_installed(name: str, **kwargs) -> str:
    """The address of the page ``name``, or "" when no installed app provides it."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def section_links(request, sections: list[tuple[str, str]]) -> list[dict]:
    """A group of pages' own sub-navigation from (text, URL name) pairs: the installed
    pages, with the current one marked active."""
    links = []
    for text, name in sections:
        if href := url_if_installed(name):
            links.append(
                {"text": text, "href": href, "active": request.resolver_match.view_name == name}
            )
    return links
