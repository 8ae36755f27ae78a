"""What each role sees on its home page: a panel per role held, with the links that
role may follow. Capabilities add their links and facts here as they arrive."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from .permissions import has_permission


@dataclass(frozen=True)
class Link:
    text: str
    url_name: str
    rule: tuple[str, str]


@dataclass(frozen=True)
class PanelSpec:
    title: str
    body: str
    links: tuple[Link, ...] = ()


@dataclass
class Panel:
    title: str
    body: str
    links: list[tuple[str, str]] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)
    empty: str = ""


POOL = ("mentor_pool", "view")
AUDIT = ("audit_log", "view")
CASES = ("case_list", "view")
REFER = ("referral", "create")

ROLE_PANELS: dict[str, PanelSpec] = {
    "coordinator": PanelSpec(
        "Coordinator",
        "Take referrals through screening, consent, assessment, support and closure; "
        "recruit, vet, train and accredit mentors. Matching is not in Tandem yet.",
        (
            Link("Cases", "cases:list", CASES),
            Link("Waiting for a match", "cases:awaiting_match", CASES),
            Link("Reviews due", "cases:reviews_due", CASES),
            Link("Follow-ups due", "cases:follow_ups_due", CASES),
            Link("Enter a referral", "cases:refer", REFER),
            Link("Mentor pool", "mentors:pool", POOL),
            Link("Recruitment pipeline", "mentors:pipeline", POOL),
            Link("Checks and accreditations expiring", "mentors:expiries", POOL),
            Link("Who is in the pool", "mentors:composition", POOL),
            Link("Changes mentors have asked for", "mentors:change_requests", POOL),
            Link("Add an applicant", "mentors:add", ("mentor", "change")),
            Link("Search the audit log", "audit:event_list", AUDIT),
        ),
    ),
    "mentor": PanelSpec(
        "Mentor",
        "Keep your profile, availability and declarations up to date, and check your "
        "vetting and accreditation. You have no matched clients yet.",
        (Link("Your mentor profile", "mentors:my_profile", ("mentor_profile", "view")),),
    ),
    "supervisor": PanelSpec(
        "Supervisor",
        "The mentors you supervise. Supervision records are not in Tandem yet.",
    ),
    "safeguarding_lead": PanelSpec(
        "Safeguarding lead",
        "The safeguarding concerns queue will appear here. There are no open concerns.",
    ),
    "referrer": PanelSpec(
        "Referrer",
        "Refer someone to the scheme and follow the status of your referrals. You see "
        "each referral's status only: what happens in support stays confidential.",
        (
            Link("Make a referral", "cases:refer", REFER),
            Link("Your referrals", "cases:my_referrals", ("referral", "view")),
        ),
    ),
    "board_member": PanelSpec(
        "Board member",
        "The scheme's dashboards will appear here once there is enough activity to report "
        "without identifying anyone.",
    ),
    "evaluator": PanelSpec(
        "Evaluator",
        "Aggregate figures and pseudonymised exports will appear here. "
        "Nothing is available for evaluation yet.",
    ),
    "administrator": PanelSpec(
        "Administrator",
        "Manage who can sign in to Tandem and what roles they hold.",
        (
            Link("Manage users", "accounts:user_list", ("user_account", "view")),
            Link("Search the audit log", "audit:event_list", AUDIT),
        ),
    ),
}


def _supervisees(user) -> list[tuple[str, str]]:
    from tandem.mentors.permissions import mentors

    return [
        (mentor.full_name, reverse("mentors:detail", kwargs={"pk": mentor.pk}))
        for mentor in mentors.queryset(user, "view").filter(supervisor=user).exclude(status="left")
    ]


def home_panels(user) -> list[Panel]:
    """The panels for every role the user holds, with the links their roles allow."""
    panels = []
    for role, spec in ROLE_PANELS.items():
        if role not in user.roles:
            continue
        links = [
            (link.text, reverse(link.url_name))
            for link in spec.links
            if has_permission(user, *link.rule)
        ]
        panel = Panel(spec.title, spec.body, links)
        if role == "supervisor":
            panel.items = _supervisees(user)
            panel.empty = "No mentors have been assigned to you for supervision yet."
        panels.append(panel)
    return panels
