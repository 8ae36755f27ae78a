"""Reads of claims, each scoped to the acting user through the claim policies, in a
fixed number of queries however many claims there are. Receipts are listed without
their content (the file itself is read only when downloaded)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from ..models import Claim, ClaimRate, ClaimStatus, MeetingsPolicy, Receipt, Session, SessionStatus
from ..money import Amount, claim_amount
from ..permissions import claim_queue, claims, session_claims

RECEIPT_LISTING = Receipt.objects.only(
    "pk", "claim_id", "filename", "content_type", "size", "uploaded_at", "record_uuid"
)


def claimable_statuses() -> list[str]:
    """Held sessions, and did-not-attends when the scheme pays for them."""
    statuses = [SessionStatus.HELD]
    if MeetingsPolicy.current().pays_did_not_attend:
        statuses.append(SessionStatus.DID_NOT_ATTEND)
    return statuses


@dataclass(frozen=True)
class SessionClaim:
    """What a session's page says about claiming for it."""

    claim: Claim | None  # the session's claim, when the user may read it
    can_claim: bool  # no claim yet, and the user may make one now


def session_claim(user, session: Session) -> SessionClaim:
    existing = Claim.objects.filter(session=session).only("pk", "status", "mentor").first()
    if existing is not None:
        readable = claims.has_object_permission(user, "view", existing)
        return SessionClaim(claim=existing if readable else None, can_claim=False)
    return SessionClaim(
        claim=None,
        can_claim=session.starts_at <= timezone.now()
        and session.status in claimable_statuses()
        and session_claims.has_object_permission(user, "create", session),
    )


def claim_queryset() -> QuerySet:
    return Claim.objects.select_related(
        "mentor", "session", "session__case", "session__place_type", "decided_by"
    ).prefetch_related(Prefetch("receipts", queryset=RECEIPT_LISTING))


def current_rates() -> dict[int, tuple[Decimal, Decimal]]:
    return {r.level_id: (r.hourly_rate, r.mileage_rate) for r in ClaimRate.objects.all()}


def amount_of(claim: Claim, estimate_rates: tuple[Decimal, Decimal] | None = None) -> Amount:
    """What the claim is worth: at the rates it was submitted with, or, for a claim not
    yet submitted, an estimate at ``estimate_rates`` (today's rates for the mentor)."""
    hourly, mileage = claim.hourly_rate, claim.mileage_rate
    if claim.submitted_at is None and estimate_rates is not None:
        hourly, mileage = estimate_rates
    return claim_amount(
        session_hours=claim.session_hours,
        travel_hours=claim.travel_hours,
        miles=claim.miles,
        expenses=claim.expenses,
        hourly_rate=hourly,
        mileage_rate=mileage,
    )


@dataclass
class MonthOfClaims:
    month: dt.date
    claims: list = field(default_factory=list)

    @property
    def submittable(self) -> int:
        return sum(1 for c in self.claims if c.status in (ClaimStatus.DRAFT, ClaimStatus.QUERIED))

    @property
    def total(self) -> Decimal:
        return sum((c.amount.total for c in self.claims), Decimal("0.00"))


def own_claims_by_month(user, estimate_rates) -> list[MonthOfClaims]:
    """The user's own claims (as a mentor), newest month first, each with its amount."""
    rows = (
        claims.queryset(user, "view", claim_queryset())
        .filter(mentor__user=user)
        .order_by("-month", "-session__starts_at", "-pk")
    )
    months: dict[dt.date, MonthOfClaims] = {}
    for claim in rows:
        claim.amount = amount_of(claim, estimate_rates)
        months.setdefault(claim.month, MonthOfClaims(claim.month)).claims.append(claim)
    return list(months.values())


def claimable_sessions(user) -> list[Session]:
    """The user's sessions that can be claimed for and have no claim yet, newest first."""
    return list(
        session_claims.queryset(user, "create")
        .filter(
            mentor__user=user,
            status__in=claimable_statuses(),
            starts_at__lte=timezone.now(),
            claim__isnull=True,
        )
        .select_related("case", "place_type")
        .order_by("-starts_at", "-pk")[:50]
    )


def queue_months(user) -> list[dt.date]:
    """Months that have claims beyond drafts, newest first."""
    return list(
        claim_queue.queryset(user, "view")
        .exclude(status=ClaimStatus.DRAFT)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )


# What the queue shows and totals: a national month holds thousands of claims, and
# loading every column of four rows per claim (the session's and the case's encrypted
# ones among them) was most of the page's time.
QUEUE_FIELDS = (
    "month",
    "status",
    "submitted_at",
    "session_hours",
    "travel_hours",
    "miles",
    "expenses",
    "hourly_rate",
    "mileage_rate",
    "mentor__full_name",
    "session__starts_at",
    "session__case__reference",
)


def queue(user, month: dt.date, status: str = "") -> tuple[list[Claim], dict[str, int]]:
    """The month's claims beyond drafts (or of one status), oldest submission first, and
    how many there are of each status."""
    base = claim_queue.queryset(user, "view").filter(month=month).exclude(status=ClaimStatus.DRAFT)
    counts = {
        row["status"]: row["n"] for row in base.values("status").annotate(n=Count("pk")).order_by()
    }
    rows = (
        base.select_related("mentor", "session", "session__case")
        .only(*QUEUE_FIELDS)
        .annotate(receipt_count=Count("receipts"))
    )
    if status:
        rows = rows.filter(status=status)
    result = list(rows.order_by("submitted_at", "mentor__full_name", "pk"))
    for claim in result:
        claim.amount = amount_of(claim)
    return result, counts


def approved_for_export(user, month: dt.date) -> list[Claim]:
    rows = (
        claim_queue.queryset(user, "view")
        .filter(month=month, status=ClaimStatus.APPROVED)
        .select_related("mentor", "session", "session__case")
        .order_by("mentor__full_name", "session__starts_at", "pk")
    )
    result = list(rows)
    for claim in result:
        claim.amount = amount_of(claim)
    return result


def totals_by_status(rows: list[Claim]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for claim in rows:
        totals[claim.status] += claim.amount.total
    return dict(totals)
