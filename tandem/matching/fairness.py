"""Fairness in matching: how long people wait for a match, and how good their match is,
by concern type, gender, age band, area and ethnic group, with small numbers withheld.

A person is counted once in a group however many matches they had; waiting times and
scores are per match. A match counts once the mentor accepted it (accepted, active or
ended). Its wait runs from the case entering "awaiting match" (the latest such status
change before the proposal) to the proposal; people still waiting have waited since
their case last entered "awaiting match".

Disclosure control is the shared one (``tandem.core.disclosure``): each column of counts
with its total is protected together, so a count of 1 to ``SMALL_COUNT - 1`` people is
withheld, and so is a second count (or the total) wherever the withheld one could be
worked out from the total; other counts are rounded to the nearest 5. A median rests on
its own group: it is withheld when fewer than ``SMALL_COUNT`` people are behind it. The
tables are fixed: there is no filtering that would let one table be subtracted from
another.

Two queries read every row needed (one for matches, one for people waiting), two more
read and unwrap the ethnic group of the people counted (encrypted, so decrypted per row in
Python), and the tables are computed from them: the page costs the same however much data
there is.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from tandem.cases.models import Case, CaseEvent, CaseStatus, ClientGender
from tandem.cases.selectors import age_band
from tandem.catalogues import ethnicity as census
from tandem.catalogues.models import Area, ConcernType
from tandem.core.disclosure import ROUND_TO, THRESHOLD, WITHHELD, protect, rounded, shown

from .diversity import ethnicity_keys
from .models import Match, MatchStatus

SMALL_COUNT = THRESHOLD  # cells based on fewer people than this are withheld
__all__ = ["ROUND_TO", "SMALL_COUNT", "WITHHELD", "fairness_tables", "rounded"]
NONE = "no data"
REACHED = (MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.ENDED)
AGE_BANDS = ("Under 18", "18 to 24", "25 and over")
NOT_KNOWN = "Not known"


# Disclosure control ----------------------------------------------------------------------


def is_small(count: int) -> bool:
    return 0 < count < SMALL_COUNT


def column_withheld(counts: list[int]) -> tuple[set[int], bool]:
    """A column of group counts and its total, through the shared disclosure control:
    the positions of the groups withheld, and whether the total is withheld."""
    table = protect([[count] for count in counts], row_totals=False, column_totals=True)
    groups = {i for i, _ in table.withheld if i < len(counts)}
    return groups, (len(counts), 0) in table.withheld


def withheld_counts(counts: list[int]) -> set[int]:
    """Positions of ``counts`` to withhold (see ``column_withheld``)."""
    return column_withheld(counts)[0]


def count_text(count: int, withheld: bool) -> str:
    return shown(None if withheld else rounded(count))


# Tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Matched:
    """One match that reached acceptance."""

    person: int
    days: float | None  # waiting to the proposal; None when the start is not known
    score: int
    groups: dict[str, str]  # dimension → group


@dataclass(frozen=True)
class Waiting:
    """One person still waiting for a match."""

    person: int
    days: float
    groups: dict[str, str]


@dataclass(frozen=True)
class Row:
    group: str
    matched: str
    median_days: str
    median_score: str
    waiting: str
    median_waiting: str


@dataclass(frozen=True)
class Table:
    dimension: str
    caption: str
    rows: list[Row]
    total: Row


def median_text(values: list[float], people: int) -> str:
    """The median, rounded to a whole number, unless too few people are behind it."""
    if not values:
        return NONE
    if is_small(people):
        return WITHHELD
    return f"{round(statistics.median(values)):,}"


@dataclass
class _Group:
    people: set
    days: list
    days_people: set
    scores: list
    waiting: list

    @classmethod
    def empty(cls) -> _Group:
        return cls(set(), [], set(), [], [])


def _summarise(label: str, group: _Group, matched_withheld: bool, waiting_withheld: bool) -> Row:
    return Row(
        group=label,
        matched=count_text(len(group.people), matched_withheld),
        median_days=(
            median_text(group.days, len(group.days_people))
            if group.days or not group.people
            else NOT_KNOWN.lower()
        ),
        median_score=median_text(group.scores, len(group.people)),
        waiting=count_text(len(group.waiting), waiting_withheld),
        median_waiting=median_text(group.waiting, len(group.waiting)),
    )


def build_table(
    dimension: str,
    caption: str,
    groups: Iterable[str],
    matched: Iterable[Matched],
    waiting: Iterable[Waiting],
) -> Table:
    """One fixed table: a row per group in ``groups`` order (a group found in the data
    but not listed is added at the end), and the total."""
    by_group: dict[str, _Group] = {label: _Group.empty() for label in groups}
    total = _Group.empty()
    for match in matched:
        group = by_group.setdefault(match.groups[dimension], _Group.empty())
        for into in (group, total):
            into.people.add(match.person)
            into.scores.append(match.score)
            if match.days is not None:
                into.days.append(match.days)
                into.days_people.add(match.person)
    for person in waiting:
        group = by_group.setdefault(person.groups[dimension], _Group.empty())
        for into in (group, total):
            into.waiting.append(person.days)
    labels = list(by_group)
    matched_withheld, matched_total_withheld = column_withheld(
        [len(by_group[label].people) for label in labels]
    )
    waiting_withheld, waiting_total_withheld = column_withheld(
        [len(by_group[label].waiting) for label in labels]
    )
    rows = [
        _summarise(label, by_group[label], i in matched_withheld, i in waiting_withheld)
        for i, label in enumerate(labels)
    ]
    return Table(
        dimension=dimension,
        caption=caption,
        rows=rows,
        total=_summarise("All people", total, matched_total_withheld, waiting_total_withheld),
    )


# From the database -----------------------------------------------------------------------

DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("concern_type", "By concern type"),
    ("gender", "By the person's gender"),
    ("age_band", "By age band at referral"),
    ("area", "By area"),
    ("ethnicity", "By ethnic group"),
)


ETHNIC_GROUPS = dict(census.AGGREGATE_ROWS)


def _groups_of(
    concern: dict[int, str], area: dict[int, str], ethnicity: dict[int, str]
) -> Callable[[dict], dict[str, str]]:
    gender = dict(ClientGender.choices)

    def groups(row: dict) -> dict[str, str]:
        return {
            "concern_type": concern.get(row["concern_type_id"], NOT_KNOWN),
            "gender": gender.get(row["gender"], NOT_KNOWN),
            "age_band": age_band(row["age_at_referral"]),
            "area": area.get(row["area_id"], NOT_KNOWN),
            "ethnicity": ETHNIC_GROUPS[ethnicity.get(row["pk"], census.NOT_RECORDED)],
        }

    return groups


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return max((end - start).total_seconds(), 0.0) / 86400


def fairness_tables(*, now: dt.datetime | None = None) -> list[Table]:
    """The fixed tables of the fairness view, in four queries."""
    now = now or timezone.now()
    concern_rows = list(
        ConcernType.objects.order_by("position", "name").values_list("pk", "name", "is_active")
    )
    concern = {pk: name for pk, name, _ in concern_rows}
    areas = dict(Area.objects.order_by("name").values_list("pk", "name"))
    counted = Case.objects.filter(
        Q(status=CaseStatus.AWAITING_MATCH) | Q(matches__status__in=REACHED)
    ).distinct()
    ethnicity = ethnicity_keys(counted.only("pk", "record_uuid", "ethnicity").order_by())
    groups_of = _groups_of(concern, areas, ethnicity)

    entered = (
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"),
            to_status=CaseStatus.AWAITING_MATCH,
            occurred_at__lte=OuterRef("proposed_at"),
        )
        .order_by("-occurred_at", "-pk")
        .values("occurred_at")[:1]
    )
    matched = []
    for row in (
        Match.objects.filter(status__in=REACHED)
        .annotate(entered=Subquery(entered))
        .values(
            "case_id",
            "score",
            "proposed_at",
            "entered",
            "case__concern_type_id",
            "case__gender",
            "case__age_at_referral",
            "case__area_id",
        )
    ):
        case = {key.removeprefix("case__"): value for key, value in row.items()}
        case["pk"] = row["case_id"]
        matched.append(
            Matched(
                person=row["case_id"],
                days=_days(row["entered"], row["proposed_at"]) if row["entered"] else None,
                score=row["score"],
                groups=groups_of(case),
            )
        )
    waiting = [
        Waiting(person=row["pk"], days=_days(row["status_changed_at"], now), groups=groups_of(row))
        for row in Case.objects.filter(status=CaseStatus.AWAITING_MATCH).values(
            "pk", "status_changed_at", "concern_type_id", "gender", "age_at_referral", "area_id"
        )
    ]

    used = {m.groups["concern_type"] for m in matched} | {w.groups["concern_type"] for w in waiting}
    listed = {
        "concern_type": [name for _, name, active in concern_rows if active or name in used],
        "gender": [label for _, label in ClientGender.choices],
        "age_band": list(AGE_BANDS),
        "area": list(areas.values()),
        "ethnicity": list(ETHNIC_GROUPS.values()),
    }
    return [
        build_table(dimension, caption, listed[dimension], matched, waiting)
        for dimension, caption in DIMENSIONS
    ]
