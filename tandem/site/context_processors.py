"""The primary navigation. It names pages of every app, so it is assembled here, above
them all; the plumbing that shows each entry only to those who may open it is core's."""

from __future__ import annotations

from django.urls import reverse

from tandem.core.navigation import NavItem, navigation_for
from tandem.core.permissions import has_permission

NAVIGATION: list[NavItem] = [
    NavItem("Home", "site:home"),
    NavItem("Cases", "cases:list", ("case_list", "view")),
    NavItem("Your referrals", "cases:my_referrals", ("referral", "view")),
    NavItem("Matching", "matching:batch_list", ("matching_batch", "view")),
    NavItem("Your matches", "matching:my_matches", ("mentor_profile", "view")),
    NavItem("Your sessions", "meetings:my_sessions", ("mentor_profile", "view")),
    NavItem("Claims", "meetings:claim_queue", ("claim_queue", "view")),
    NavItem("Your claims", "meetings:my_claims", ("mentor_profile", "view")),
    NavItem("Mentors", "mentors:pool", ("mentor_pool", "view")),
    NavItem("Your mentor profile", "mentors:my_profile", ("mentor_profile", "view")),
    NavItem("Catalogues", "catalogues:index", ("catalogue", "view")),
    NavItem("Users", "accounts:user_list", ("user_account", "view")),
    NavItem("Sharing", "privacy:sharing_log", ("sharing_log", "view")),
    NavItem("Audit log", "audit:event_list", ("audit_log", "view")),
    NavItem("Your account", "accounts:account", ("own_account", "view")),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "navigation": navigation_for(request, NAVIGATION),
        # The header's "Find a person" box, for those who may search (base.html).
        "person_search_url": (
            reverse("cases:search") if has_permission(user, "person_search", "view") else ""
        ),
    }
