"""Reads of cases: the filtered case list and the waiting-for-match list, reviews and
follow-ups due, the consent in force, and what a referrer sees of their referrals.

The lists are scoped to the acting user through the ``case_list`` rule (coordinators
reach every case, mentors only the people they are matched with), a referrer's
through the ``referral`` rule, and cost a fixed number of queries however many cases
there are. Lists show references and coarse facts only:
nothing here decrypts a name, a date of birth or a narrative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as Switch
from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from tandem.core.access import Scope
from tandem.core.text import counted

from .lifecycle import OPEN
from .models import (
    URGENCY_RANK,
    Case,
    CaseEvent,
    CaseStatus,
    Consent,
    ConsentDecision,
    FollowUp,
)
from .permissions import CasePolicy

list_policy = CasePolicy("case_list")
referral_policy = CasePolicy("referral")

PAGE_SIZE = 25

# Cases still waiting for support: counted from referral until they wait for a match,
# then from the moment they began waiting for one (status_changed_at).
WAITING_FROM_REFERRAL = (CaseStatus.REFERRED, CaseStatus.SCREENING, CaseStatus.ASSESSMENT)


# The intake's first steps, as the home page counts them and the case list filters by
# them: a referral to screen (received, or screening begun with no outcome yet), and a
# screened referral whose consent is still to be recorded.
INTAKE_STEPS: dict[str, tuple[str, Q]] = {
    "screen": (
        "To screen",
        Q(status=CaseStatus.REFERRED) | Q(status=CaseStatus.SCREENING, screening_outcome=""),
    ),
    "consent": (
        "Screened, consent to record",
        Q(status=CaseStatus.SCREENING) & ~Q(screening_outcome=""),
    ),
}


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


def work_counts(*, actor) -> dict:
    """How many of the cases ``actor``'s list scope reaches are at each step of the
    coordinator's work, and when the longest wait for a match began: one query."""
    return visible_cases(actor).aggregate(
        to_screen=Count("pk", filter=INTAKE_STEPS["screen"][1]),
        consent=Count("pk", filter=INTAKE_STEPS["consent"][1]),
        assessment=Count("pk", filter=Q(status=CaseStatus.ASSESSMENT)),
        awaiting_match=Count("pk", filter=Q(status=CaseStatus.AWAITING_MATCH)),
        waiting_since=Min("status_changed_at", filter=Q(status=CaseStatus.AWAITING_MATCH)),
    )


# Reviews and follow-ups due -------------------------------------------------------------

# Reviews and follow-ups show in the coordinators' lists this many days before they fall due.
DUE_SOON_DAYS = 14


def reviews_due(*, actor, today: dt.date | None = None) -> QuerySet[Case]:
    """Open cases ``actor``'s list scope reaches whose next review is overdue or due
    within ``DUE_SOON_DAYS``, soonest first, with the date of their last review."""
    today = today or timezone.localdate()
    return (
        visible_cases(actor)
        .filter(
            status__in=OPEN,
            next_review_due__isnull=False,
            next_review_due__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        )
        .annotate(last_reviewed_on=Max("reviews__reviewed_on"), status_rank=status_order())
        .only("id", "reference", "status", "next_review_due", "record_uuid")
        .order_by("next_review_due", "reference")
    )


def follow_ups_due(*, actor, today: dt.date | None = None) -> QuerySet[FollowUp]:
    """Follow-ups not yet done on cases ``actor``'s list scope reaches, overdue or due
    within ``DUE_SOON_DAYS``, soonest first."""
    today = today or timezone.localdate()
    return (
        FollowUp.objects.filter(
            case__in=visible_cases(actor).values("pk"),
            completed_on__isnull=True,
            due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("case")
        .only("id", "kind", "due_on", "record_uuid", "case__id", "case__reference", "case__status")
        .order_by("due_on", "case__reference", "kind")
    )


# Consent -------------------------------------------------------------------------------


def current_consent(case: Case) -> Consent | None:
    """The consent in force: the latest given and not withdrawn."""
    return (
        case.consents.filter(decision=ConsentDecision.GIVEN, withdrawn_on__isnull=True)
        .order_by("-decided_on", "-pk")
        .first()
    )


def has_consent(case: Case) -> bool:
    """Whether consent is in force: given and not withdrawn."""
    return case.consents.filter(decision=ConsentDecision.GIVEN, withdrawn_on__isnull=True).exists()


def consent_requirement(case: Case) -> str | None:
    """A lifecycle requirement (``lifecycle.register_requirement``): consent in force."""
    if has_consent(case):
        return None
    return "Record the person's consent: none is in force."


# What a referrer sees ------------------------------------------------------------------

# What a referrer is told: a few plain words, nothing of assessments or support.
RECEIVED = "Received"
SCREENING = "Screening"
ACCEPTED = "Accepted"
IN_SUPPORT = "In support"
NOT_TAKEN_FORWARD = "Not taken forward"
CLOSED = "Closed"

REFERRER_STATUS: dict[str, str] = {
    CaseStatus.REFERRED: RECEIVED,
    CaseStatus.SCREENING: SCREENING,
    CaseStatus.ASSESSMENT: ACCEPTED,
    CaseStatus.AWAITING_MATCH: ACCEPTED,
    CaseStatus.MATCHED: ACCEPTED,
    CaseStatus.ACTIVE: IN_SUPPORT,
    CaseStatus.ON_HOLD: IN_SUPPORT,
    CaseStatus.CLOSING: IN_SUPPORT,
    CaseStatus.NOT_SUITABLE: NOT_TAKEN_FORWARD,
    CaseStatus.CONSENT_DECLINED: NOT_TAKEN_FORWARD,
    CaseStatus.ESCALATED: NOT_TAKEN_FORWARD,
    CaseStatus.CONSENT_WITHDRAWN: CLOSED,
    CaseStatus.CLOSED: CLOSED,
}

# The referrer's wording mapped back to one status, for the colour of its tag.
REFERRER_TAG_STATUS: dict[str, str] = {
    RECEIVED: CaseStatus.REFERRED,
    SCREENING: CaseStatus.SCREENING,
    ACCEPTED: CaseStatus.ASSESSMENT,
    IN_SUPPORT: CaseStatus.ACTIVE,
    NOT_TAKEN_FORWARD: CaseStatus.NOT_SUITABLE,
    CLOSED: CaseStatus.CLOSED,
}


def referrer_status(status: str) -> str:
    """The status of a referral in the words its referrer sees."""
    return REFERRER_STATUS[status]


@dataclass(frozen=True)
class ReferrerStatusChange:
    label: str
    at: dt.datetime

    @property
    def tag_status(self) -> str:
        return REFERRER_TAG_STATUS[self.label]


def status_events_queryset():
    """The timeline lines that changed a case's status, and only the columns a
    referrer's history needs (nothing encrypted is read)."""
    return (
        CaseEvent.objects.exclude(to_status="")
        .only("pk", "case_id", "to_status", "occurred_at")
        .order_by("occurred_at", "pk")
    )


def referrer_history(case: Case, status_events=None) -> list[ReferrerStatusChange]:
    """The referrer-facing status history, oldest first: "Received" on the day the
    referral arrived, then each change of the referrer's wording with its date (moves
    that read the same to a referrer, such as assessment to awaiting a match, are one
    line). ``status_events`` are the case's status events oldest first; by default they
    are read from the database."""
    if status_events is None:
        status_events = status_events_queryset().filter(case=case)
    history = [ReferrerStatusChange(RECEIVED, case.received_at)]
    for event in status_events:
        label = referrer_status(event.to_status)
        if label != history[-1].label:
            history.append(ReferrerStatusChange(label, event.occurred_at))
    current = referrer_status(case.status)
    if current != history[-1].label:  # a status set without a timeline line (imports)
        history.append(ReferrerStatusChange(current, case.status_changed_at))
    return history


def referrals_made(*, actor) -> QuerySet[Case]:
    """The referrals ``actor`` made, newest first, each with its status events prefetched
    (``status_events``) for ``referrer_history``."""
    return (
        referral_policy.queryset(actor, "view")
        .select_related("concern_type")
        .prefetch_related(
            Prefetch("events", queryset=status_events_queryset(), to_attr="status_events")
        )
        .only(
            "pk",
            "reference",
            "status",
            "status_changed_at",
            "received_at",
            "concern_type__name",
        )
        .order_by("-received_at", "-pk")
    )
