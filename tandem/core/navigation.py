"""Primary navigation: each entry shows only to users whose roles can open it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from .permissions import has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    rule: tuple[str, str] | None = None  # resource, action; None means any signed-in user


NAVIGATION: list[NavItem] = [
    NavItem("Home", "core:home"),
    NavItem("Cases", "cases:list", ("case_list", "view")),
    NavItem("Your referrals", "cases:my_referrals", ("referral", "view")),
    NavItem("Matching", "matching:batch_list", ("matching_batch", "view")),
    NavItem("Your matches", "matching:my_matches", ("mentor_profile", "view")),
    NavItem("Claims", "meetings:claim_queue", ("claim_queue", "view")),
    NavItem("Your claims", "meetings:my_claims", ("mentor_profile", "view")),
    NavItem("Mentors", "mentors:pool", ("mentor_pool", "view")),
    NavItem("Your mentor profile", "mentors:my_profile", ("mentor_profile", "view")),
    NavItem("Users", "accounts:user_list", ("user_account", "view")),
    NavItem("Audit log", "audit:event_list", ("audit_log", "view")),
    NavItem("Your account", "accounts:account", ("own_account", "view")),
]


def navigation_for(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return []
    items = []
    for item in NAVIGATION:
        if item.rule is not None and not has_permission(user, *item.rule):
            continue
        url = reverse(item.url_name)
        items.append(
            {
                "text": item.label,
                "href": url,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return items
