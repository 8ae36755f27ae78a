"""Reads of cases as lists: the case list (which ``CaseFilter`` filters and sorts) and
the waiting-for-match list.

Each is scoped to the acting user through the ``case_list`` rule (coordinators reach
every case, mentors only the people they are matched with) and costs a fixed number
of queries however many cases there are. Lists show references and coarse facts only:
nothing here decrypts a name, a date of birth or a narrative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as Switch
from django.db.models import DateTimeField, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from tandem.core.access import Scope
from tandem.core.text import counted

from .lifecycle import OPEN
from .models import URGENCY_RANK, Case, CaseStatus
from .permissions import CasePolicy

list_policy = CasePolicy("case_list")

PAGE_SIZE = 25

# Cases still waiting for support: counted from referral until they wait for a match,
# then from the moment they began waiting for one (status_changed_at).
WAITING_FROM_REFERRAL = (CaseStatus.REFERRED, CaseStatus.SCREENING, CaseStatus.ASSESSMENT)


# Annotations ---------------------------------------------------------------------------


def urgency_rank():
    """Urgent first, then priority, then routine (URGENCY_RANK)."""
    return Switch(
        *(When(urgency=urgency, then=Value(rank)) for urgency, rank in URGENCY_RANK.items()),
        default=Value(len(URGENCY_RANK)),
        output_field=IntegerField(),
    )


def waiting_since():
    """When the case's current wait began, or NULL for a case not waiting for support."""
    return Switch(
        When(status=CaseStatus.AWAITING_MATCH, then=F("status_changed_at")),
        When(status__in=WAITING_FROM_REFERRAL, then=F("received_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )


def status_order():
    return Switch(
        *(When(status=status, then=Value(i)) for i, status in enumerate(CaseStatus.values)),
        default=Value(len(CaseStatus.values)),
        output_field=IntegerField(),
    )


# Rows ----------------------------------------------------------------------------------


def age_band(age: int) -> str:
    """Coarse on purpose: a list never shows a date of birth or an exact age."""
    if age < 18:
        return "Under 18"
    if age <= 24:
        return "18 to 24"
    return "25 and over"


def waiting_text(since: dt.datetime | None, now: dt.datetime) -> str:
    if since is None:
        return ""
    days = max((now - since).days, 0)
    if days < 14:
        return counted(days, "%(count)d day", "%(count)d days")
    weeks = days // 7
    return f"{weeks} weeks"


@dataclass(frozen=True)
class CaseRow:
    case: Case
    age_band: str
    waiting: str  # "" when the case is not waiting for support
    next_review_due: dt.date | None  # None once the case has ended
    review_overdue: bool


def rows(cases, *, now: dt.datetime | None = None) -> list[CaseRow]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = []
    for case in cases:
        due = case.next_review_due if case.status in OPEN else None
        result.append(
            CaseRow(
                case=case,
                age_band=age_band(case.age_at_referral),
                waiting=waiting_text(case.waiting_since, now),
                next_review_due=due,
                review_overdue=bool(due and due < today),
            )
        )
    return result


# Lists ---------------------------------------------------------------------------------


def reaches_every_case(actor) -> bool:
    return Scope.ALL in list_policy.scopes(actor, "view")


def visible_cases(actor) -> QuerySet[Case]:
    return list_policy.queryset(actor, "view")


def case_list(*, actor) -> QuerySet[Case]:
    """The cases ``actor`` may list, with what their rows show and ``CaseFilter`` sorts by:
    ``urgency_rank``, ``waiting_since`` and ``status_rank``."""
    return (
        visible_cases(actor)
        .annotate(
            urgency_rank=urgency_rank(), waiting_since=waiting_since(), status_rank=status_order()
        )
        .select_related("concern_type", "area")
    )


def awaiting_match(*, actor) -> QuerySet[Case]:
    """Cases waiting for a match: urgent first, then the longest waiting (since the case
    began waiting for a match), with what matters for matching."""
    return (
        visible_cases(actor)
        .filter(status=CaseStatus.AWAITING_MATCH)
        .annotate(urgency_rank=urgency_rank(), waiting_since=F("status_changed_at"))
        .select_related("concern_type", "area", "preferred_language")
        .prefetch_related("languages")
        .order_by("urgency_rank", "status_changed_at", "pk")
    )
