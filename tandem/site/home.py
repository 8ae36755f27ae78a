"""What each role sees on its home page: a panel per role held, its work queues first
(each a count linking to the list it counts) and then the links that role may follow.
Capabilities add their queues, links and facts here as they arrive.

Each queue costs one query (or two), whatever the data: a panel's query count depends
on the roles held, never on how many cases, matches or sessions there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Min, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from tandem.cases import selectors as case_selectors
from tandem.cases.models import CaseStatus
from tandem.cases.services.lists import case_list_audit
from tandem.core.access import matrix
from tandem.core.dates import long_date
from tandem.core.encryption import preload_data_keys
from tandem.core.links import url_if_installed
from tandem.core.permissions import has_permission
from tandem.core.text import counted
from tandem.matching import selectors as match_selectors
from tandem.matching.models import WORKING, Match, MatchStatus
from tandem.matching.permissions import match_list as match_list_policy
from tandem.matching.permissions import matches
from tandem.meetings.models import Session, SessionStatus
from tandem.meetings.permissions import session_claims, sessions
from tandem.meetings.selectors.claims import claimable_statuses
from tandem.meetings.selectors.monitoring import contact_overdue
from tandem.mentors import selectors as mentor_selectors
from tandem.mentors.models import Mentor, MentorStatus
from tandem.mentors.permissions import mentors
from tandem.safeguarding.selectors import concern_queue, queue_rows
from tandem.supervision.rules import annotate_schedule, is_overdue, mentor_due_on


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


@dataclass(frozen=True)
class Queue:
    """One line of a work queue: how many, of what, and the list that shows them."""

    count: int
    text: str  # agrees with ``count``: "referral to screen", "referrals to screen"
    href: str
    detail: str = ""  # "the longest waiting since 3 November 2026"
    urgent: bool = False  # overdue work: shown as such when there is any


@dataclass
class Panel:
    title: str
    body: str
    links: list[tuple[str, str]] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)
    empty: str = ""
    queues: list[Queue] = field(default_factory=list)
    items_title: str = ""
    supervisees: list[dict] = field(default_factory=list)
    referrals: list[dict] = field(default_factory=list)
    referrals_total: int = 0


POOL = ("mentor_pool", "view")
AUDIT = ("audit_log", "view")
CASES = ("case_list", "view")
REFER = ("referral", "create")
MATCHES = ("match_list", "view")
BATCHES = ("matching_batch", "view")
GAPS = ("pool_gaps", "view")
ANALYTICS = ("evaluation_analytics", "view")
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
            Link("Board dashboard", "reports:dashboard", ("board_dashboard", "view")),
            Link("Matching policy", "matching:policy", ("matching_policy", "view")),
            Link("Meetings policy", "meetings:policy", ("meetings_policy", "change")),
            Link("Safeguarding policy", "safeguarding:policy", ("safeguarding_policy", "change")),
            Link("Supervision policy", "supervision:policy", ("supervision_policy", "change")),
            Link("Supervision due and overdue", "supervision:due", ("supervision_due", "view")),
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
            Link(
                "Questionnaires",
                "outcomes:instruments",
                ("questionnaire_instrument", "view"),
            ),
            Link("Enter a referral", "cases:refer", REFER),
            Link("Mentor pool", "mentors:pool", POOL),
            Link("Recruitment pipeline", "mentors:pipeline", POOL),
            Link("Who is in the pool", "mentors:composition", POOL),
            Link("Changes mentors have asked for", "mentors:change_requests", POOL),
            Link("Add an applicant", "mentors:add", ("mentor", "change")),
            Link("Areas, languages and other lists", "catalogues:index", ("catalogue", "view")),
            Link("Search the audit log", "audit:event_list", AUDIT),
            Link("Questions for specialist advice", "meetings:advice_queue", ADVICE),
            Link("Sharing log", "privacy:sharing_log", ("sharing_log", "view")),
            Link(
                "Requests for information",
                "privacy:request_list",
                ("information_request", "view"),
            ),
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
            Link("A copy of your records", "privacy:my_records", ("own_records", "view")),
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
            Link("What works for whom", "reports:analytics", ANALYTICS),
        ),
    ),
    "evaluator": PanelSpec(
        "Evaluator",
        "Aggregate figures, with small numbers suppressed, and pseudonymised exports for "
        "analysis: no names, references or free text, and nobody in a group smaller than five.",
        (
            Link("Fairness of matching", "matching:fairness", FAIRNESS),
            Link("What works for whom", "reports:analytics", ANALYTICS),
            Link(
                "Pseudonymised evaluation exports",
                "reports:exports",
                ("evaluation_export", "view"),
            ),
        ),
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
    "data_protection_officer": PanelSpec(
        "Data protection officer",
        "Decide requests for information, check what has been shared outside the scheme "
        "and on which lawful basis, and see who looked at what. Every page you open is "
        "recorded in the audit log.",
        (
            Link("Find a person's records by reference", "privacy:find", ("case_sharing", "view")),
            Link(
                "Requests for information",
                "privacy:request_list",
                ("information_request", "view"),
            ),
            Link("Sharing log", "privacy:sharing_log", ("sharing_log", "view")),
            Link("Retention and legal holds", "privacy:retention", ("retention", "view")),
            Link("Search the audit log", "audit:event_list", AUDIT),
        ),
    ),
}


# Work queues ---------------------------------------------------------------------------


def _url(name: str, **query) -> str:
    """The address of list ``name`` filtered by ``query``, or "" when not installed."""
    href = url_if_installed(name)
    if href and query:
        href += "?" + urlencode(query, doseq=True)
    return href


def _queue(count, singular, plural, name, query=None, **extra) -> Queue | None:
    href = _url(name, **(query or {}))
    if not href:
        return None
    return Queue(count, counted(count, singular, plural), href, **extra)


def _since(moment: dt.datetime | None, words: str) -> str:
    if moment is None:
        return ""
    return f"{words} {long_date(timezone.localdate(moment))}"


def coordinator_queues(user, *, now: dt.datetime) -> list[Queue]:
    """The coordinator's work, intake first, then matching, case work and the register."""
    today = timezone.localdate(now)
    queues: list[Queue | None] = []
    if has_permission(user, *CASES):
        work = case_selectors.work_counts(actor=user)
        queues += [
            _queue(
                work["to_screen"],
                "referral to screen",
                "referrals to screen",
                "cases:list",
                {"intake": "screen", "sort": "received_asc"},
            ),
            _queue(
                work["consent"],
                "screened referral waiting for consent",
                "screened referrals waiting for consent",
                "cases:list",
                {"intake": "consent", "sort": "received_asc"},
            ),
            _queue(
                work["assessment"],
                "case to assess",
                "cases to assess",
                "cases:list",
                {"status": CaseStatus.ASSESSMENT, "sort": "waiting"},
            ),
            _queue(
                work["awaiting_match"],
                "person waiting for a match",
                "people waiting for a match",
                "cases:list",
                {"status": CaseStatus.AWAITING_MATCH, "sort": "waiting"},
                detail=_since(work["waiting_since"], "the longest waiting since"),
            ),
        ]
    if has_permission(user, *MATCHES):
        stale = match_selectors.unanswered(
            match_list_policy.queryset(user, "view", Match.objects.all()), now=now
        ).aggregate(n=Count("pk"), oldest=Min("proposed_at"))
        days = match_selectors.answer_days()
        queues.append(
            _queue(
                stale["n"],
                f"proposal unanswered for more than {days} days",
                f"proposals unanswered for more than {days} days",
                "matching:match_list",
                {"status": MatchStatus.PROPOSED, "unanswered": "on"},
                detail=_since(stale["oldest"], "the oldest proposed on"),
                urgent=True,
            )
        )
    if has_permission(user, *CASES):
        queues += [
            _queue(
                case_selectors.reviews_due(actor=user, today=today).count(),
                "review due",
                "reviews due",
                "cases:reviews_due",
                detail=f"overdue or due within {case_selectors.DUE_SOON_DAYS} days",
            ),
            _queue(
                case_selectors.follow_ups_due(actor=user, today=today).count(),
                "follow-up due",
                "follow-ups due",
                "cases:follow_ups_due",
                detail=f"overdue or due within {case_selectors.DUE_SOON_DAYS} days",
            ),
        ]
    if has_permission(user, "contact_monitoring", "view"):
        overdue, _ = contact_overdue(user, now=now)
        queues.append(
            _queue(
                overdue.count(),
                "person whose contact is overdue",
                "people whose contact is overdue",
                "meetings:contact_overdue",
                urgent=True,
            )
        )
    if has_permission(user, "concern_queue", "view"):
        queues.append(_concern_queue(user))
    if has_permission(user, *POOL):
        horizon = today + dt.timedelta(days=mentor_selectors.EXPIRY_WINDOW_DAYS)
        expiring = (
            mentor_selectors.expiring_checks(actor=user, today=today, horizon=horizon).count()
            + mentor_selectors.expiring_accreditations(
                actor=user, today=today, horizon=horizon
            ).count()
        )
        queues += [
            _queue(
                mentor_selectors.pool_mentors(actor=user)
                .filter(status=MentorStatus.APPLICANT)
                .count(),
                "applicant waiting",
                "applicants waiting",
                "mentors:pool",
                {"status": MentorStatus.APPLICANT},
            ),
            _queue(
                expiring,
                "check or accreditation expired or expiring",
                "checks and accreditations expired or expiring",
                "mentors:expiries",
                detail=f"within {mentor_selectors.EXPIRY_WINDOW_DAYS} days",
            ),
        ]
    return [queue for queue in queues if queue is not None]


def _concern_queue(user) -> Queue | None:
    return _queue(
        concern_queue(user).count(),
        "open safeguarding concern",
        "open safeguarding concerns",
        "safeguarding:queue",
        urgent=True,
    )


# A mentor's supervision shows on their home page from this many days before it is due.
SUPERVISION_SOON_DAYS = 14


def mentor_queues(user, *, now: dt.datetime) -> list[Queue]:
    """A mentor's own work: sessions, proposals, claims and supervision."""
    today = timezone.localdate(now)
    queues: list[Queue | None] = []
    planned = sessions.queryset(
        user, "view", Session.objects.filter(status=SessionStatus.PLANNED, mentor__user=user)
    ).aggregate(
        upcoming=Count("pk", filter=Q(starts_at__gt=now)),
        next_at=Min("starts_at", filter=Q(starts_at__gt=now)),
        to_record=Count("pk", filter=Q(starts_at__lte=now)),
    )
    next_at = planned["next_at"]
    queues += [
        _queue(
            planned["upcoming"],
            "session planned",
            "sessions planned",
            "meetings:my_sessions",
            detail=(
                f"the next on {long_date(timezone.localdate(next_at))} at "
                f"{timezone.localtime(next_at):%H:%M}"
                if next_at
                else ""
            ),
        ),
        _queue(
            planned["to_record"],
            "session to record",
            "sessions to record",
            "meetings:my_sessions",
            detail="planned sessions whose time has passed",
            urgent=True,
        ),
    ]
    proposals = (
        matches.queryset(user, "view")
        .filter(mentor__user=user, status=MatchStatus.PROPOSED)
        .count()
    )
    queues.append(
        _queue(
            proposals,
            "proposal waiting for your answer",
            "proposals waiting for your answer",
            "matching:my_matches",
            urgent=True,
        )
    )
    if has_permission(user, "mentor_profile", "view"):
        claimable = (
            session_claims.queryset(user, "create")
            .filter(
                mentor__user=user,
                status__in=claimable_statuses(),
                starts_at__lte=now,
                claim__isnull=True,
            )
            .count()
        )
        queues.append(
            _queue(
                claimable,
                "session you can claim for",
                "sessions you can claim for",
                "meetings:my_claims",
            )
        )
    if has_permission(user, "own_supervision", "view"):
        own = annotate_schedule(Mentor.objects.filter(user=user), today).first()
        due = mentor_due_on(own) if own else None
        soon = due is not None and due <= today + dt.timedelta(days=SUPERVISION_SOON_DAYS)
        if soon and (href := url_if_installed("supervision:mine")):
            overdue = is_overdue(due, today)
            queues.append(
                Queue(
                    1,
                    "supervision overdue" if overdue else "supervision due soon",
                    href,
                    detail=("was due on " if overdue else "due on ") + long_date(due),
                    urgent=overdue,
                )
            )
    return [queue for queue in queues if queue is not None]


def _supervisees_with_cases(user) -> list[tuple[str, str]]:
    """The supervisor's mentors, each with the cases they work on, linked (three queries:
    the mentors, their cases and their keys)."""
    working = Prefetch(
        "matches",
        queryset=Match.objects.filter(status__in=WORKING)
        .select_related("case")
        .only("pk", "mentor_id", "case__id", "case__reference")
        .order_by("case__reference"),
        to_attr="working",
    )
    supervised = list(
        mentors.queryset(user, "view")
        .filter(supervisor=user)
        .exclude(status=MentorStatus.LEFT)
        .prefetch_related(working)
        .order_by("pk")
    )
    preload_data_keys(mentor.encryption_subject() for mentor in supervised)
    rows = []
    for mentor in sorted(supervised, key=lambda m: (m.full_name.casefold(), m.pk)):
        rows.append(
            {
                "text": mentor.full_name,
                "href": reverse("mentors:detail", kwargs={"pk": mentor.pk}),
                "cases": [
                    (m.case.reference, reverse("cases:detail", kwargs={"pk": m.case.pk}))
                    for m in mentor.working
                ],
            }
        )
    return rows


REFERRALS_SHOWN = 10


def _referrals(user, request=None) -> tuple[list[dict], int]:
    """The referrer's latest referrals, with the person's name (which they supplied) and
    the status in the words a referrer sees, and how many they have made in all."""
    made = case_selectors.referral_policy.queryset(user, "view")
    total = made.count()
    latest = list(
        made.only(
            "pk", "reference", "status", "received_at", "record_uuid", "first_name", "last_name"
        ).order_by("-received_at", "-pk")[:REFERRALS_SHOWN]
    )
    if not latest:
        return [], total
    preload_data_keys(case.encryption_subject() for case in latest)
    case_list_audit(
        actor=user, filters=["referred_by"], reason="referrer home page", request=request
    )
    rows = [
        {
            "name": f"{case.first_name} {case.last_name}",
            "reference": case.reference,
            "received": case.received_at,
            "status": case_selectors.referrer_status(case.status),
            "tag_status": case_selectors.REFERRER_TAG_STATUS[
                case_selectors.referrer_status(case.status)
            ],
            "href": reverse("cases:referral_status", kwargs={"pk": case.pk}),
        }
        for case in latest
    ]
    return rows, total


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


# Pages linked on the home page of everyone the matrix lets see them.
DASHBOARD_PAGES = (("Board dashboard", "reports:dashboard"),)


def _dashboard_links(user) -> list[tuple[str, str]]:
    links = []
    for text, name in DASHBOARD_PAGES:
        rule = matrix().urls.get(name, "")
        resource, _, action = rule.partition(".")
        if action and has_permission(user, resource, action) and (href := url_if_installed(name)):
            links.append((text, href))
    return links


# What each role's panel adds to its links, in a fixed number of queries.
Filler = Callable[[Panel, object, dt.datetime, object], None]


def _fill_coordinator(panel, user, now, request):
    panel.queues = coordinator_queues(user, now=now)


def _fill_mentor(panel, user, now, request):
    panel.queues = mentor_queues(user, now=now)
    panel.items = _proposals(user)
    panel.items_title = "Proposals waiting for your answer"
    panel.empty = "No proposals are waiting for your answer."


def _fill_supervisor(panel, user, now, request):
    panel.supervisees = _supervisees_with_cases(user)
    panel.empty = "No mentors have been assigned to you for supervision yet."


def _fill_lead(panel, user, now, request):
    queue = _concern_queue(user) if has_permission(user, "concern_queue", "view") else None
    panel.queues = [queue] if queue else []
    panel.items = _concerns(user)
    panel.items_title = "Open concerns, the most pressing first"
    panel.empty = "There are no open concerns."


def _fill_referrer(panel, user, now, request):
    if has_permission(user, "referral", "view"):
        panel.referrals, panel.referrals_total = _referrals(user, request)
    panel.empty = "You have not made a referral yet."


def _fill_dashboard(panel, user, now, request):
    panel.links = _dashboard_links(user) + panel.links


FILLERS: dict[str, Filler] = {
    "coordinator": _fill_coordinator,
    "mentor": _fill_mentor,
    "supervisor": _fill_supervisor,
    "safeguarding_lead": _fill_lead,
    "referrer": _fill_referrer,
    "board_member": _fill_dashboard,
    "evaluator": _fill_dashboard,
}


def home_panels(user, request=None) -> list[Panel]:
    """The panels for every role the user holds: their work queues and the links their
    roles allow."""
    now = timezone.now()
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
        if filler := FILLERS.get(role):
            filler(panel, user, now, request)
        panels.append(panel)
    return panels
