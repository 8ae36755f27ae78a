"""What each role sees on its home page. Later capabilities add panels here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from .permissions import has_permission


@dataclass
class Panel:
    title: str
    body: str
    links: list[tuple[str, str]] = field(default_factory=list)


ROLE_PANELS: dict[str, Panel] = {
    "coordinator": Panel(
        "Coordinator",
        "Referrals, matching and casework will appear here as the scheme starts using "
        "Tandem. There are no cases yet.",
    ),
    "mentor": Panel(
        "Mentor",
        "Your matched clients, sessions, claims and supervision records will appear here. "
        "You have no matched clients yet.",
    ),
    "supervisor": Panel(
        "Supervisor",
        "Your supervisees and their supervision records will appear here. "
        "No supervisees have been assigned to you yet.",
    ),
    "safeguarding_lead": Panel(
        "Safeguarding lead",
        "The safeguarding concerns queue will appear here. There are no open concerns.",
    ),
    "referrer": Panel(
        "Referrer",
        "The referrals you make and their status will appear here. "
        "You have not made any referrals yet.",
    ),
    "board_member": Panel(
        "Board member",
        "The scheme's dashboards will appear here once there is enough activity to report "
        "without identifying anyone.",
    ),
    "evaluator": Panel(
        "Evaluator",
        "Aggregate figures and pseudonymised exports will appear here. "
        "Nothing is available for evaluation yet.",
    ),
    "administrator": Panel(
        "Administrator",
        "Manage who can sign in to Tandem and what roles they hold.",
    ),
}


def home_panels(user) -> list[Panel]:
    """The panels for every role the user holds, with the links their roles allow."""
    links: list[tuple[str, str]] = []
    if has_permission(user, "user_account", "view"):
        links.append(("Manage users", reverse("accounts:user_list")))
    if has_permission(user, "audit_log", "view"):
        links.append(("Search the audit log", reverse("audit:event_list")))
    panels = []
    for role, template in ROLE_PANELS.items():
        if role in user.roles:
            role_links = [link for link in links if link[0] in LINKS_BY_ROLE.get(role, ())]
            panels.append(Panel(template.title, template.body, role_links))
    return panels


LINKS_BY_ROLE = {
    "coordinator": ("Search the audit log",),
    "administrator": ("Manage users", "Search the audit log"),
}
