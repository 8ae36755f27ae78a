"""Reads of the mentor pool as a whole: the list (which ``PoolFilter`` filters and
sorts), the expiry list and the composition summary. Each is scoped to the acting user
through the ``mentor_pool`` rule and costs a fixed number of queries, however many
mentors there are.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from tandem.catalogues.models import Area, Language, Specialism
from tandem.core.dates import long_date

from .matchability import (
    Rules,
    annotate_matchable,
    current_accreditation,
    is_current,
    latest_checks,
    mentor_matchability,
    prefetch_for_matchability,
)
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
    VettingCheckType,
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
        "comparison": _composition_comparisons[0]() if _composition_comparisons else None,
    }


# The pool beside the people referred (by ethnic group): cases are not the mentors app's
# to read, so the app that reads both (tandem.matching) registers the comparison, already
# through the shared disclosure control.
_composition_comparisons: list[Callable[[], object]] = []


def register_composition_comparison(comparison: Callable[[], object]) -> None:
    """Let ``comparison()`` give the pool composition page its comparison table."""
    if _composition_comparisons:
        raise ImproperlyConfigured("A composition comparison is already registered.")
    _composition_comparisons.append(comparison)


# Vetting and the pipeline board ----------------------------------------------------------


def vetting_problems(mentor: Mentor, rules: Rules) -> list[str]:
    """Why ``mentor``'s vetting is not complete: one line per required check type whose
    latest check is missing, pending, failed (with its date and reason) or expired.
    Reads ``mentor.checks.all()``, so prefetch the checks for many mentors."""
    latest = latest_checks(mentor)
    problems = []
    for check_type in rules.required_types:
        check = latest.get(check_type.pk)
        if check is None:
            problems.append(f"{check_type.name}: no check recorded")
        elif check.outcome == CheckOutcome.FAILED:
            problems.append(
                f"{check_type.name} failed on {long_date(check.checked_on)}: {check.failure_reason}"
            )
        elif check.outcome == CheckOutcome.PENDING:
            problems.append(f"{check_type.name} is pending")
        elif not is_current(check.expires_on, rules.today):
            problems.append(f"{check_type.name} expired on {long_date(check.expires_on)}")
    return problems


# The pipeline board shows the same rules as the pipeline's guards.
# Each status section lists at most this many mentors, longest in the status first.
BOARD_LIMIT = 50
STAGES_WITH_CHECKS = (MentorStatus.APPLICANT, MentorStatus.VETTING)


@dataclass(frozen=True)
class BoardEntry:
    mentor: Mentor
    days_in_status: int
    next_step: str = ""
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    count: int
    entries: tuple[BoardEntry, ...]

    @property
    def hidden(self) -> int:
        return self.count - len(self.entries)


def _next_step(mentor: Mentor, rules: Rules) -> tuple[str, tuple[str, ...]]:
    if mentor.status in STAGES_WITH_CHECKS:
        problems = vetting_problems(mentor, rules)
        total = len(rules.required_types)
        passed = total - len(problems)
        summary = f"{passed} of {total} required checks passed"
        failed = tuple(p.split(":", 1)[0] for p in problems if " failed on " in p)
        if mentor.status == MentorStatus.APPLICANT:
            return f"Start vetting ({summary})", failed
        if not problems:
            return f"{summary}: ready for training", ()
        return summary, failed
    if mentor.status == MentorStatus.TRAINING:
        if current_accreditation(mentor, rules.today) is not None:
            return "Accredited: ready to become active", ()
        return "Complete training, then award an accreditation", ()
    return "", ()


def pipeline_board(*, limit: int = BOARD_LIMIT, today=None) -> list[BoardColumn]:
    """One column per status with its count and its longest-waiting mentors.

    A fixed number of queries whatever the size of the pool: the counts, one ranked
    query for every column's mentors, their checks and accreditations, and the rules.
    """
    rules = Rules.load(today)
    counts = dict(
        Mentor.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    ranked = (
        Mentor.objects.annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[F("status_changed_at").asc(), F("pk").asc()],
            )
        )
        .filter(position__lte=limit)
        .order_by("status_changed_at", "pk")
        .only("pk", "full_name", "status", "status_changed_at", "record_uuid")
        .prefetch_related(
            Prefetch(
                "checks",
                queryset=VettingCheck.objects.filter(mentor__status__in=STAGES_WITH_CHECKS).only(
                    "pk",
                    "mentor_id",
                    "check_type_id",
                    "outcome",
                    "checked_on",
                    "expires_on",
                    "failure_reason",
                    "record_uuid",
                ),
            ),
            Prefetch(
                "accreditations",
                queryset=Accreditation.objects.filter(
                    mentor__status=MentorStatus.TRAINING
                ).select_related("level"),
            ),
        )
    )
    by_status: dict[str, list[BoardEntry]] = {status: [] for status in MentorStatus.values}
    for mentor in ranked:
        changed_on = timezone.localdate(mentor.status_changed_at)
        next_step, problems = _next_step(mentor, rules)
        by_status[mentor.status].append(
            BoardEntry(
                mentor=mentor,
                days_in_status=max(0, (rules.today - changed_on).days),
                next_step=next_step,
                problems=problems,
            )
        )
    return [
        BoardColumn(
            status=status,
            label=MentorStatus(status).label,
            count=counts.get(status, 0),
            entries=tuple(by_status[status]),
        )
        for status in MentorStatus.values
    ]


# Reminders due ----------------------------------------------------------------------------

THRESHOLDS = (7, 30, 60)  # days before expiry, most urgent first
EXPIRED = "expired"
EXPIRED_GRACE_DAYS = 30


@dataclass(frozen=True)
class Due:
    key: str
    mentor: Mentor
    what: str  # "enhanced criminal-records check with barred list", "accreditation"
    expires_on: dt.date
    threshold: str  # "60", "30", "7" or "expired"

    def _fact(self) -> str:
        verb = "expired on" if self.threshold == EXPIRED else "expires on"
        return f"{self.what} {verb} {long_date(self.expires_on)}"

    def message(self, *, own: bool) -> str:
        """In the app, coordinators see whose it is (they see every mentor anyway)."""
        return f"Your {self._fact()}." if own else f"{self.mentor.full_name}'s {self._fact()}."

    def email_subject(self, *, own: bool) -> str:
        whose = "your" if own else "a mentor's"
        return f"Reminder: {whose} {self._fact()}"

    def email_sentence(self, *, own: bool) -> str:
        """Emails name no one: a coordinator signs in to see who."""
        whose = "Your" if own else "A mentor's"
        return f"{whose} {self._fact()}."


def due_threshold(expires_on: dt.date, today: dt.date) -> str | None:
    """The most urgent threshold reached on ``today``, or None when nothing is due."""
    days_left = (expires_on - today).days
    if days_left <= 0:
        return EXPIRED if -days_left <= EXPIRED_GRACE_DAYS else None
    for threshold in THRESHOLDS:
        if days_left <= threshold:
            return str(threshold)
    return None


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _mentors():
    return (
        Mentor.objects.exclude(status=MentorStatus.LEFT)
        .select_related("user")
        .only("pk", "full_name", "status", "user__id", "user__is_active", "user__email")
        .prefetch_related(
            Prefetch(
                "checks",
                queryset=VettingCheck.objects.only(
                    "pk", "mentor_id", "check_type_id", "outcome", "checked_on", "expires_on"
                ),
            ),
            Prefetch(
                "accreditations",
                queryset=Accreditation.objects.filter(revoked_on__isnull=True).only(
                    "pk", "mentor_id", "awarded_on", "expires_on", "revoked_on"
                ),
            ),
        )
        .order_by("pk")
    )


def due_reminders(*, today: dt.date) -> list[Due]:
    """Everything due today, before looking at who has already been told."""
    check_types = {t.pk: t for t in VettingCheckType.objects.filter(is_active=True)}
    due: list[Due] = []
    for mentor in _mentors():
        for type_id, check in latest_checks(mentor).items():
            check_type = check_types.get(type_id)
            if check_type is None or check.outcome != CheckOutcome.PASSED or not check.expires_on:
                continue
            threshold = due_threshold(check.expires_on, today)
            if threshold:
                due.append(
                    Due(
                        key=f"check:{check.pk}:{check.expires_on:%Y-%m-%d}:{threshold}",
                        mentor=mentor,
                        what=_lower_first(check_type.name),
                        expires_on=check.expires_on,
                        threshold=threshold,
                    )
                )
        # The accreditation in force (or last in force): the one lasting longest.
        accreditation = max(
            (a for a in mentor.accreditations.all() if a.awarded_on <= today),
            key=lambda a: (a.expires_on, a.pk),
            default=None,
        )
        if accreditation is not None:
            threshold = due_threshold(accreditation.expires_on, today)
            if threshold:
                due.append(
                    Due(
                        key=f"accreditation:{accreditation.pk}:"
                        f"{accreditation.expires_on:%Y-%m-%d}:{threshold}",
                        mentor=mentor,
                        what="accreditation",
                        expires_on=accreditation.expires_on,
                        threshold=threshold,
                    )
                )
    return due
