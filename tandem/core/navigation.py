"""Navigation plumbing: each entry shows only to users whose roles can open it. The
entries themselves name app pages, so the site layer lists them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model
from django.urls import reverse

from .links import url_if_installed
from .permissions import PermissionPolicy, has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    rule: tuple[str, str] | None = None  # resource, action; None means any signed-in user


def navigation_for(request, items: Iterable[NavItem]) -> list[dict]:
    # Error pages may be rendered for a request that never reached the authentication
    # middleware, so there may be no user at all.
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or not getattr(user, "is_verified", lambda: False)()
    ):
        return []
    entries = []
    for item in items:
        if item.rule is not None and not has_permission(user, *item.rule):
            continue
        url = reverse(item.url_name)
        entries.append(
            {
                "text": item.label,
                "href": url,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return entries


def record_tabs(
    request,
    obj: Model,
    tabs: Iterable[tuple[str, str, str]],
    policy: Callable[[str], PermissionPolicy],
) -> list[dict]:
    """The tabs of one record's pages, from (text, URL name, resource) triples: those
    whose resource ``policy`` lets the user view for ``obj`` and whose page is installed,
    the current one marked active."""
    links = []
    for text, url_name, resource in tabs:
        if not policy(resource).has_object_permission(request.user, "view", obj):
            continue
        if href := url_if_installed(url_name, pk=obj.pk):
            links.append({"text": text, "href": href, "active": request.path == href})
    return links
