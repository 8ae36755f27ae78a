"""Navigation plumbing: each entry shows only to users whose roles can open it. The
entries themselves name app pages, so the site layer lists them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse

from .permissions import has_permission


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
