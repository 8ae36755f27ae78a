"""Reads of the mentor pool as a whole: the list (which ``PoolFilter`` filters and
sorts), the expiry list and the composition summary. Each is scoped to the acting user
through the ``mentor_pool`` rule and costs a fixed number of queries, however many
mentors there are.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from tandem.catalogues.models import Area, Language, Specialism

from .matchability import Rules, annotate_matchable, mentor_matchability, prefetch_for_matchability
from .models import (
    Accreditation,
    AgeBand,
    CheckOutcome,
    Gender,
    Mentor,
    MentorLanguage,
    MentorSpecialism,
    MentorStatus,
    VettingCheck,
)
from .permissions import MentorPolicy

pool_policy = MentorPolicy("mentor_pool")

PAGE_SIZE = 25
EXPIRY_WINDOW_DAYS = 60
EXPIRY_SOON_DAYS = 30

ENCRYPTED_PROFILE_FIELDS = (
    "phone",
    "motivation",
    "experience",
    "faith_background",
    "cultural_background",
    "lived_experience",
)


# The pool ------------------------------------------------------------------------------


def pool_mentors(*, actor) -> QuerySet[Mentor]:
    """The mentors ``actor`` may see in the pool; ``PoolFilter`` filters and sorts them."""
    return pool_policy.queryset(actor, "view")


def with_pool_rows(mentors: QuerySet[Mentor]) -> QuerySet[Mentor]:
    """Everything a row of the pool shows, prefetched: a fixed number of queries per page."""
    # The list shows none of the encrypted text: leave it in the database.
    mentors = mentors.defer(*ENCRYPTED_PROFILE_FIELDS)
    return prefetch_for_matchability(mentors).prefetch_related(
        "areas",
        Prefetch("languages", queryset=MentorLanguage.objects.select_related("language")),
        Prefetch("specialisms", queryset=MentorSpecialism.objects.select_related("specialism")),
    )


@dataclass(frozen=True)
class PoolRow:
    mentor: Mentor
    matchable: bool
    first_reason: str
    other_reasons: int


def pool_rows(mentors, rules: Rules) -> list[PoolRow]:
    """One row per mentor of a page; ``rules`` is loaded once by the caller."""
    rows = []
    for mentor in mentors:
        result = mentor_matchability(mentor, rules)
        rows.append(
            PoolRow(
                mentor=mentor,
                matchable=result.matchable,
                first_reason=result.reasons[0] if result.reasons else "",
                other_reasons=max(len(result.reasons) - 1, 0),
            )
        )
    return rows


# Expiries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryRow:
    mentor: Mentor
    record: str
    kind: str  # "check" or "accreditation"
    expires_on: dt.date
    state: str  # "expired", "soon" (within 30 days) or "later" (within 60 days)
    days: int  # days since it expired, or until it expires


def _state(expires_on: dt.date, today: dt.date) -> str:
    # As in matchability.is_current: a record has expired on its expiry date.
    if expires_on <= today:
        return "expired"
    if expires_on <= today + dt.timedelta(days=EXPIRY_SOON_DAYS):
        return "soon"
    return "later"


def expiring_checks(*, actor, today: dt.date, horizon: dt.date) -> QuerySet[VettingCheck]:
    """The latest check of each type per mentor who has not left, when it is a pass
    that has expired or expires by ``horizon``. A newer check of the same type (a
    renewal, or a pending re-check) replaces the old one."""
    latest = (
        VettingCheck.objects.filter(mentor=OuterRef("mentor"), check_type=OuterRef("check_type"))
        .order_by("-checked_on", "-pk")
        .values("pk")[:1]
    )
    return (
        VettingCheck.objects.filter(
            mentor__in=pool_mentors(actor=actor).exclude(status=MentorStatus.LEFT).values("pk"),
            check_type__is_active=True,
            outcome=CheckOutcome.PASSED,
            expires_on__isnull=False,
            expires_on__lte=horizon,
        )
        .filter(pk=Subquery(latest))
        .select_related("mentor", "check_type")
        .defer("reference_number")
    )


def expiring_accreditations(*, actor, today: dt.date, horizon: dt.date) -> QuerySet[Accreditation]:
    """Per mentor who has not left, the unrevoked accreditation that runs longest, when
    it has expired or expires by ``horizon``. A renewal that runs on hides the old one."""
    runs_longer = Accreditation.objects.filter(
        mentor=OuterRef("mentor"), revoked_on__isnull=True
    ).filter(
        Q(expires_on__gt=OuterRef("expires_on"))
        | Q(expires_on=OuterRef("expires_on"), pk__gt=OuterRef("pk"))
    )
    return (
        Accreditation.objects.filter(
            mentor__in=pool_mentors(actor=actor).exclude(status=MentorStatus.LEFT).values("pk"),
            revoked_on__isnull=True,
            awarded_on__lte=today,
            expires_on__lte=horizon,
        )
        .filter(~Exists(runs_longer))
        .select_related("mentor", "level")
    )


def expiry_rows(*, actor, today: dt.date | None = None) -> list[ExpiryRow]:
    """Checks and accreditations expired or expiring within 60 days, soonest first.
    Two queries however many there are."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
    rows = [
        ExpiryRow(
            mentor=check.mentor,
            record=check.check_type.name,
            kind="check",
            expires_on=check.expires_on,
            state=_state(check.expires_on, today),
            days=abs((check.expires_on - today).days),
        )
        for check in expiring_checks(actor=actor, today=today, horizon=horizon)
    ]
    rows += [
        ExpiryRow(
            mentor=accreditation.mentor,
            record=f"Accreditation at {accreditation.level.name.lower()} level",
            kind="accreditation",
            expires_on=accreditation.expires_on,
            state=_state(accreditation.expires_on, today),
            days=abs((accreditation.expires_on - today).days),
        )
        for accreditation in expiring_accreditations(actor=actor, today=today, horizon=horizon)
    ]
    rows.sort(key=lambda row: (row.expires_on, row.mentor.full_name, row.record))
    return rows


# Composition ---------------------------------------------------------------------------


@dataclass
class CountTable:
    """Counts of active mentors, and of those who can take a case today, by one attribute."""

    caption: str
    heading: str
    note: str = ""
    rows: list[tuple[str, int, int]] = field(default_factory=list)


def _table(caption, heading, labels, active: Counter, matchable: Counter, note="") -> CountTable:
    """Rows in catalogue order; every catalogue entry appears, so gaps show as zero."""
    table = CountTable(caption=caption, heading=heading, note=note)
    table.rows = [(label, active[key], matchable[key]) for key, label in labels]
    return table


def composition(*, actor, today: dt.date | None = None) -> dict:
    """Counts by status, and for active and for matchable mentors by each profile
    attribute. A fixed number of grouped queries."""
    today = today or timezone.localdate()
    pool = pool_mentors(actor=actor)
    by_status = Counter(
        dict(pool.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    )
    active = pool.filter(status=MentorStatus.ACTIVE)
    matchable_ids = (
        annotate_matchable(active, today=today).filter(is_matchable=True).order_by().values("pk")
    )
    is_matchable = Q(pk__in=matchable_ids)

    # Attributes held on the mentor row: one grouped query for all four.
    counts = {
        name: (Counter(), Counter())
        for name in ("gender", "age_band", "has_lived_experience", "offers_online")
    }
    grouped = (
        active.order_by()
        .values("gender", "age_band", "has_lived_experience", "offers_online")
        .annotate(n=Count("pk"), m=Count("pk", filter=is_matchable))
    )
    for group in grouped:
        for name, (in_active, in_matchable) in counts.items():
            in_active[group[name]] += group["n"]
            in_matchable[group[name]] += group["m"]

    # Attributes in related rows: one grouped query each, named from the catalogue.
    def related(model, key):
        rows = (
            model.objects.filter(mentor__in=active.values("pk"))
            .order_by()
            .values(key)
            .annotate(
                n=Count("mentor", distinct=True),
                m=Count("mentor", distinct=True, filter=Q(mentor__in=matchable_ids)),
            )
        )
        in_active, in_matchable = Counter(), Counter()
        for row in rows:
            in_active[row[key]] = row["n"]
            in_matchable[row[key]] = row["m"]
        return in_active, in_matchable

    total_active = by_status[MentorStatus.ACTIVE]
    total_matchable = sum(counts["gender"][1].values())
    several = "A mentor with more than one is counted in each row."
    yes_no = [(True, "Yes"), (False, "No")]
    tables = [
        _table(
            "Languages",
            "Language",
            Language.objects.values_list("pk", "name"),
            *related(MentorLanguage, "language_id"),
            note=f"Any proficiency. {several}",
        ),
        _table(
            "Gender",
            "Gender",
            [*Gender.choices, ("", "Not recorded")],
            *counts["gender"],
        ),
        _table(
            "Age band",
            "Age band",
            [*AgeBand.choices, ("", "Not recorded")],
            *counts["age_band"],
        ),
        _table(
            "Specialisms",
            "Specialism",
            Specialism.objects.values_list("pk", "name"),
            *related(MentorSpecialism, "specialism_id"),
            note=several,
        ),
        _table(
            "Areas served",
            "Area",
            Area.objects.values_list("pk", "name"),
            *related(Mentor.areas.through, "area_id"),
            note=several,
        ),
        _table(
            "Lived experience",
            "Lived experience",
            yes_no,
            *counts["has_lived_experience"],
        ),
        _table(
            "Online sessions",
            "Offers online sessions",
            yes_no,
            *counts["offers_online"],
        ),
    ]
    return {
        "by_status": [(label, by_status[value]) for value, label in MentorStatus.choices],
        "total": sum(by_status.values()),
        "total_active": total_active,
        "total_matchable": total_matchable,
        "tables": tables,
    }
