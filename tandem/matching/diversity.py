"""Whom the pool reflects: the ethnic groups of active mentors beside those of the people
referred, so the scheme sees whom it needs to recruit.

Ethnicity is special-category data held encrypted under each person's or mentor's own key
(``tandem.catalogues.ethnicity``), so the database cannot group it. Each aggregate reads
the rows it counts in one query, unwraps every key they need in one more
(``preload_data_keys``), and decrypts the group in Python per row: the page costs the same
number of queries however many rows there are. Counts are by the five high-level census
groups, and every table goes through the shared disclosure control
(``tandem.core.disclosure``) before anyone sees it: groups of 1 to 7 are withheld, with a
second group where the total would give them away, and other counts rounded to 5.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from tandem.cases.models import Case, CaseStatus
from tandem.catalogues import ethnicity as census
from tandem.core.disclosure import protect, shown
from tandem.core.encryption import EncryptionError, with_data_keys
from tandem.mentors.models import Mentor, MentorStatus

REFERRED_WITHIN = dt.timedelta(days=365)


def ethnicity_keys(records: Iterable) -> dict[int, str]:
    """Each record's aggregate row (its high-level group, "prefer not to say" or "not
    recorded"), decrypting per row after unwrapping every key in one query."""
    records = list(records)
    keys = {record.pk: census.aggregate_key("") for record in records}
    answered = [record for record in records if record.__dict__.get("ethnicity") is not None]
    for record in with_data_keys(answered):
        try:
            code = record.ethnicity or ""
        except EncryptionError:  # an erased person: nothing to count
            code = ""
        keys[record.pk] = census.aggregate_key(code)
    return keys


@dataclass(frozen=True)
class ComparisonRow:
    group: str
    cells: tuple[tuple[str, str], ...]  # (column, "45 (30%)", "0 (0%)" or "withheld")


@dataclass(frozen=True)
class Comparison:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]
    totals: tuple[tuple[str, str], ...]  # (column, protected total)


def _cell(value: int | None, total: int | None) -> str:
    if value is None:
        return shown(None)
    if total:
        return f"{value:,} ({round(100 * value / total)}%)"
    return f"{value:,}"


def comparison(caption: str, columns: dict[str, Counter]) -> Comparison:
    """A protected table: a row per ethnic group, a column per population, each column
    with its total (the columns count different people, so rows have no total)."""
    names = tuple(columns)
    counts = [[columns[name][key] for name in names] for key, _ in census.AGGREGATE_ROWS]
    table = protect(counts, row_totals=False, column_totals=True)
    totals = table.column_totals or ()
    rows = tuple(
        ComparisonRow(
            group=label,
            cells=tuple(
                (name, _cell(table.cells[i][j], totals[j])) for j, name in enumerate(names)
            ),
        )
        for i, (_, label) in enumerate(census.AGGREGATE_ROWS)
    )
    return Comparison(
        caption=caption,
        columns=names,
        rows=rows,
        totals=tuple((name, shown(total)) for name, total in zip(names, totals, strict=True)),
    )


def ethnicity_comparison(*, now: dt.datetime | None = None) -> Comparison:
    """Active mentors beside the people referred in the past year and the people waiting
    for a match now, by ethnic group. Four queries at most, whatever the numbers."""
    now = now or timezone.now()
    mentors = Mentor.objects.filter(status=MentorStatus.ACTIVE).only(
        "pk", "record_uuid", "ethnicity"
    )
    pool = Counter(ethnicity_keys(mentors).values())

    since = now - REFERRED_WITHIN
    cases = list(
        Case.objects.filter(Q(received_at__gte=since) | Q(status=CaseStatus.AWAITING_MATCH))
        .only("pk", "record_uuid", "ethnicity", "status", "received_at")
        .order_by()
    )
    keys = ethnicity_keys(cases)
    referred = Counter(keys[case.pk] for case in cases if case.received_at >= since)
    waiting = Counter(keys[case.pk] for case in cases if case.status == CaseStatus.AWAITING_MATCH)
    return comparison(
        "The pool and the people referred, by ethnic group",
        {
            "Active mentors": pool,
            "People referred in the past year": referred,
            "People waiting for a match": waiting,
        },
    )
