"""What each role sees on its home page: a panel per role held, with the links that
role may follow. Capabilities add their links and facts here as they arrive."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from tandem.core.permissions import has_permission
from tandem.matching.models import MatchStatus
from tandem.matching.permissions import matches
from tandem.mentors.permissions import mentors
from tandem.safeguarding.selectors import queue_rows


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
MATCHES = ("match_list", "view")
BATCHES = ("matching_batch", "view")
GAPS = ("pool_gaps", "view")
FAIRNESS = ("matching_fairness", "view")
ADVICE = ("advice_question", "answer")
RAISE = ("concern_raise", "create")
RAISE_LINK = Link("Raise a safeguarding concern", "safeguarding:raise", RAISE)

ROLE_PANELS: dict[str, PanelSpec] = {
    "coordinator": PanelSpec(
        "Coordinator",
        "Take referrals through screening, consent, assessment, support and closure; "
        "match each person with the right mentor; recruit, vet, train and accredit mentors.",
        (
            RAISE_LINK,
            Link("Cases", "cases:list", CASES),
            Link("Waiting for a match", "cases:awaiting_match", CASES),
            Link("Propose matches for every waiting case", "matching:batch_list", BATCHES),
            Link("Matches and proposals", "matching:match_list", MATCHES),
            Link("Pool gaps: whom to recruit", "matching:gaps", GAPS),
            Link("Fairness of matching", "matching:fairness", FAIRNESS),
            Link("Matching policy", "matching:policy", ("matching_policy", "view")),
            Link("Meetings policy", "meetings:policy", ("meetings_policy", "change")),
            Link("Safeguarding policy", "safeguarding:policy", ("safeguarding_policy", "change")),
            Link("Supervision policy", "supervision:policy", ("supervision_policy", "change")),
            Link("Contact overdue", "meetings:contact_overdue", ("contact_monitoring", "view")),
            Link(
                "Rehabilitation: releases, contact after release and the panel",
                "rehabilitation:overview",
                ("rehabilitation_overview", "view"),
            ),
            Link(
                "Rehabilitation policy",
                "rehabilitation:policy",
                ("rehabilitation_policy", "change"),
            ),
            Link(
                "Lone-working alerts",
                "meetings:lone_working_alerts",
                ("lone_working_alert", "view"),
            ),
            Link("Claims to check, by month", "meetings:claim_queue", ("claim_queue", "view")),
            Link("Reviews due", "cases:reviews_due", CASES),
            Link("Follow-ups due", "cases:follow_ups_due", CASES),
            Link("Enter a referral", "cases:refer", REFER),
            Link("Mentor pool", "mentors:pool", POOL),
            Link("Recruitment pipeline", "mentors:pipeline", POOL),
            Link("Checks and accreditations expiring", "mentors:expiries", POOL),
            Link("Who is in the pool", "mentors:composition", POOL),
            Link("Changes mentors have asked for", "mentors:change_requests", POOL),
            Link("Add an applicant", "mentors:add", ("mentor", "change")),
            Link("Areas, languages and other lists", "catalogues:index", ("catalogue", "view")),
            Link("Search the audit log", "audit:event_list", AUDIT),
            Link("Questions for specialist advice", "meetings:advice_queue", ADVICE),
        ),
    ),
    "mentor": PanelSpec(
        "Mentor",
        "Answer proposals, see the people you mentor, keep your profile, availability and "
        "declarations up to date, and check your vetting and accreditation.",
        (
            RAISE_LINK,
            Link("Your proposals and matches", "matching:my_matches", MATCHES),
            Link("Your cases", "cases:list", CASES),
            Link("Your claims", "meetings:my_claims", ("mentor_profile", "view")),
            Link("Your mentor profile", "mentors:my_profile", ("mentor_profile", "view")),
            Link(
                "Your supervision and wellbeing check-in",
                "supervision:mine",
                ("own_supervision", "view"),
            ),
            Link(
                "Check in and out (lone working)",
                "meetings:lone_working_today",
                ("lone_working", "view"),
            ),
            Link("Your sessions in your calendar", "meetings:calendar", ("calendar_feed", "view")),
            Link(
                "Specialist advice: ask, or answer for your specialism",
                "meetings:advice_queue",
                ADVICE,
            ),
        ),
    ),
    "supervisor": PanelSpec(
        "Supervisor",
        "The mentors you supervise: record their supervision, see their live cases, when "
        "they last met someone, when their next supervision is due and their wellbeing.",
        (
            Link(
                "Mentors you supervise",
                "supervision:oversight",
                ("supervision_oversight", "view"),
            ),
            RAISE_LINK,
        ),
    ),
    "safeguarding_lead": PanelSpec(
        "Safeguarding lead",
        "Open safeguarding concerns, those waiting to be acknowledged first, each by its deadline.",
        (
            Link("All open concerns", "safeguarding:queue", ("concern_queue", "view")),
            Link(
                "Safeguarding policy and deputy lead",
                "safeguarding:policy",
                ("safeguarding_policy", "change"),
            ),
        ),
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
        "How fairly and how well people are matched, and which mentors the scheme needs. "
        "Small numbers are suppressed so that nobody can be identified.",
        (
            Link("Pool gaps: whom to recruit", "matching:gaps", GAPS),
            Link("Fairness of matching", "matching:fairness", FAIRNESS),
        ),
    ),
    "evaluator": PanelSpec(
        "Evaluator",
        "Aggregate figures, with small numbers suppressed. Pseudonymised exports will appear here.",
        (Link("Fairness of matching", "matching:fairness", FAIRNESS),),
    ),
    "administrator": PanelSpec(
        "Administrator",
        "Manage who can sign in to Tandem and what roles they hold.",
        (
            Link("Manage users", "accounts:user_list", ("user_account", "view")),
            Link("Areas, languages and other lists", "catalogues:index", ("catalogue", "view")),
            Link("Search the audit log", "audit:event_list", AUDIT),
        ),
    ),
}


def _supervisees(user) -> list[tuple[str, str]]:
    return [
        (mentor.full_name, reverse("mentors:detail", kwargs={"pk": mentor.pk}))
        for mentor in mentors.queryset(user, "view").filter(supervisor=user).exclude(status="left")
    ]


def _proposals(user) -> list[tuple[str, str]]:
    """The mentor's proposals waiting for their answer."""
    return [
        (
            f"Proposal for {match.case.reference}: accept or decline",
            reverse("matching:match_detail", kwargs={"pk": match.pk}),
        )
        for match in matches.queryset(user, "view")
        .filter(mentor__user=user, status=MatchStatus.PROPOSED)
        .select_related("case")
    ]


def _concerns(user) -> list[tuple[str, str]]:
    """The lead's open concerns, due first, overdue ones said so (one query)."""
    items = []
    for row in queue_rows(user):
        concern = row["concern"]
        about = concern.case.reference if concern.case_id else "a mentor"
        state = "OVERDUE, not acknowledged" if row["overdue"] else concern.get_status_display()
        items.append(
            (
                f"{concern.reference} ({concern.get_urgency_display().lower()}), about "
                f"{about}: {state}",
                reverse("safeguarding:detail", kwargs={"pk": concern.pk}),
            )
        )
    return items


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
        if role == "mentor":
            panel.items = _proposals(user)
            panel.empty = "No proposals are waiting for your answer."
        if role == "safeguarding_lead":
            panel.items = _concerns(user)
            panel.empty = "There are no open concerns."
        if role == "supervisor":
            panel.items = _supervisees(user)
            panel.empty = "No mentors have been assigned to you for supervision yet."
        panels.append(panel)
    return panels
