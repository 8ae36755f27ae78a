"""The board's dashboard: the scheme's figures for a date range, quarter by quarter.

Sections: referrals by source, concern type and area; waiting time from referral to
match; caseload at the end of each quarter by status; matches made; sessions held; the
approaches and styles recorded for sessions held; outcomes of the cases closed in the
range in each frame; and, as they stand now, the pool's gaps and its composition.

Every count goes through the shared disclosure control (``tandem.core.disclosure``):
counts from 1 to 7 are withheld, another count is withheld wherever a withheld one could
be worked out from the totals, and every count shown is rounded to 5. Medians, means and
shares are shown only for groups whose count is shown. Charts draw these protected
figures, never the raw ones. People whose processing is restricted (UK GDPR Article 18)
are left out.

The figures are read in a fixed number of queries for a given range: counts are grouped
per quarter in the database; the caseload takes one query per quarter (the status each
open case had at the quarter's end, from its status history); medians read one column.

The computed dashboard is kept for 15 minutes for each range (``tandem.reports.kept``),
forgotten early when a restriction or an erasure changes who is counted.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case as Choose
from django.db.models import CharField, Count, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone

from tandem.cases.models import STYLE_SCALE, Approach, Case, CaseEvent, CaseStatus
from tandem.catalogues.models import Area, ConcernType, ReferralSource
from tandem.core.disclosure import THRESHOLD, protect, rounded, shown
from tandem.matching.models import Match
from tandem.meetings.models import Session, SessionStatus
from tandem.privacy.restrictions import restricted_cases

from . import analytics, kept, statistics
from .charts import ChartSpec

MAX_YEARS = 5
NOT_KNOWN = "Not known"
NOT_RECORDED = "Not recorded"
ENDED = {
    CaseStatus.CLOSED,
    CaseStatus.NOT_SUITABLE,
    CaseStatus.CONSENT_DECLINED,
    CaseStatus.CONSENT_WITHDRAWN,
    CaseStatus.ESCALATED,
}
OPEN_STATUSES = [status for status in CaseStatus if status not in ENDED]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# The range and its quarters ---------------------------------------------------------------


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(day: dt.date) -> dt.date:
    start = quarter_start(day)
    return dt.date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last four complete quarters."""
    today = today or timezone.localdate()
    end = quarter_start(today) - dt.timedelta(days=1)
    start = quarter_start(end)
    for _ in range(3):
        start = quarter_start(start - dt.timedelta(days=1))
    return start, end


@dataclass(frozen=True)
class Quarter:
    start: dt.date
    label: str  # "Jan to Mar 2026" with an en dash

    @property
    def short(self) -> str:  # "Q1 2026"
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"


def quarters(start: dt.date, end: dt.date) -> list[Quarter]:
    out = []
    day = quarter_start(start)
    while day <= end:
        last = next_quarter(day) - dt.timedelta(days=1)
        months = f"{MONTHS[day.month - 1]}\u2013{MONTHS[last.month - 1]}"
        out.append(Quarter(day, f"{months} {day.year}"))
        day = next_quarter(day)
    return out


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _quarter_of(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return quarter_start(value)


# What the page and the PDF show -----------------------------------------------------------


@dataclass
class TableView:
    caption: str
    heading: str  # the first column's heading
    columns: list[str]  # the other columns' headings
    rows: list[tuple[str, list[str]]]  # (label, the cells as shown)
    footer: tuple[str, list[str]] | None = None  # the totals row


@dataclass
class Figure:
    title: str
    summary: str  # one line in words
    table: TableView
    chart: ChartSpec | None = None  # drawn from the protected figures only
    svg: str = ""  # the chart for the page


@dataclass
class Section:
    key: str
    title: str
    intro: str
    figures: list[Figure] = field(default_factory=list)
    board_only: bool = False  # pool gaps: people who may see pool gaps only


@dataclass
class Dashboard:
    start: dt.date
    end: dt.date
    computed_at: dt.datetime
    sections: list[Section]
    threshold: int = THRESHOLD


# Protected tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One line of a chart: its label and its protected values (None: withheld)."""

    label: str
    values: list[int | None]


def _crosstab(
    labels: list[str], qs: list[Quarter], counts: dict[tuple[str, dt.date], int]
) -> tuple[list[Series], list[int | None], list[int | None], int | None]:
    """Groups by quarter with both totals: the protected series (one per group), each
    group's total, each quarter's total and the grand total."""
    matrix = [[counts.get((label, q.start), 0) for q in qs] for label in labels]
    table = protect(matrix)
    series = [Series(label, list(table.cells[i])) for i, label in enumerate(labels)]
    return series, list(table.row_totals or ()), list(table.column_totals or ()), table.total


def _cells(values) -> list[str]:
    return [shown(v) for v in values]


def _trend(noun: str, values: list[int | None], qs: list[Quarter], total: int | None) -> str:
    """A sentence (without its full stop) on the protected figures: from the first quarter
    to the last where both are shown, else the range's total, else that there are too few
    to show."""
    if total == 0:
        return f"No {noun} in this range"
    if len(qs) > 1 and values and values[0] is not None and values[-1] is not None:
        first, last = values[0], values[-1]
        if last > first:
            verb = f"rose from about {first:,} in {qs[0].label} to about {last:,} in {qs[-1].label}"
        elif last < first:
            verb = f"fell from about {first:,} in {qs[0].label} to about {last:,} in {qs[-1].label}"
        else:
            verb = f"stayed at about {first:,} from {qs[0].label} to {qs[-1].label}"
        return f"{noun[0].upper()}{noun[1:]} {verb}"
    if total is not None:
        return f"About {total:,} {noun} in this range"
    return f"Too few {noun} in this range to show them without identifying anyone"


def _largest(series: list[Series], totals: list[int | None]) -> str | None:
    shown_totals = [(t, s.label) for s, t in zip(series, totals, strict=True) if t]
    if not shown_totals:
        return None
    return max(shown_totals, key=lambda pair: (pair[0], [-ord(c) for c in pair[1]]))[1]


def _group_figure(
    title: str,
    noun: str,
    heading: str,
    labels: list[str],
    qs: list[Quarter],
    counts: dict[tuple[str, dt.date], int],
    most: str,
) -> tuple[Figure, list[Series], list[int | None]]:
    series, row_totals, column_totals, total = _crosstab(labels, qs, counts)
    biggest = _largest(series, row_totals)
    summary = _trend(noun, column_totals, qs, total)
    if biggest and total:
        summary += f"; {most} {biggest}"
    summary += "."
    table = TableView(
        caption=title,
        heading=heading,
        columns=[q.label for q in qs] + ["Total"],
        rows=[
            (s.label, [*_cells(s.values), shown(t)])
            for s, t in zip(series, row_totals, strict=True)
        ],
        footer=("All", [*_cells(column_totals), shown(total)]),
    )
    return Figure(title, summary, table), series, column_totals


def _names(model, used: set[str]) -> list[str]:
    rows = model.objects.order_by("position", "name").values_list("name", "is_active")
    return [name for name, active in rows if active or name in used]


# The sections -----------------------------------------------------------------------------


def _cases():
    return Case.objects.exclude(restricted_cases())


def _referrals(qs: list[Quarter], begin: dt.datetime, until: dt.datetime) -> list[tuple]:
    base = _cases().filter(received_at__gte=begin, received_at__lt=until)
    out = []
    for column, title, heading, model, most in (
        (
            "referral_source__name",
            "Referrals by source",
            "Source",
            ReferralSource,
            "most came from",
        ),
        (
            "concern_type__name",
            "Referrals by concern type",
            "Concern type",
            ConcernType,
            "the commonest concern was",
        ),
        ("area__name", "Referrals by area", "Area", Area, "most came from"),
    ):
        counts: dict[tuple[str, dt.date], int] = defaultdict(int)
        for row in (
            base.annotate(quarter=TruncQuarter("received_at"))
            .values("quarter", column)
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[(row[column] or NOT_KNOWN, _quarter_of(row["quarter"]))] += row["n"]
        used = {label for label, _ in counts}
        labels = _names(model, used)
        if NOT_KNOWN in used:
            labels.append(NOT_KNOWN)
        out.append(_group_figure(title, "referrals", heading, labels, qs, counts, most))
    return out


def _by_quarter(
    qs: list[Quarter], counts: dict[dt.date, int]
) -> tuple[list[int | None], int | None]:
    """One count per quarter with the range's total, protected together."""
    table = protect([[counts.get(q.start, 0) for q in qs]], row_totals=True, column_totals=False)
    return list(table.cells[0]), (table.row_totals or (None,))[0]


def _matches(qs, begin, until):
    made = (
        Match.objects.filter(started_at__gte=begin, started_at__lt=until)
        .exclude(case__in=Case.objects.filter(restricted_cases()))
        .order_by()
    )
    counts: dict[dt.date, int] = defaultdict(int)
    for row in (
        made.annotate(quarter=TruncQuarter("started_at")).values("quarter").annotate(n=Count("pk"))
    ):
        counts[_quarter_of(row["quarter"])] += row["n"]
    values, total = _by_quarter(qs, counts)
    matches = Figure(
        "Matches made",
        _trend("matches made", values, qs, total) + ".",
        TableView(
            caption="Matches made per quarter",
            heading="",
            columns=[q.label for q in qs] + ["Total"],
            rows=[("Matches made", [*_cells(values), shown(total)])],
        ),
    )
    # Waiting: weeks from referral to the match starting, by the quarter of the match.
    waits: dict[dt.date, list[float]] = defaultdict(list)
    for received, started in made.values_list("case__received_at", "started_at"):
        waits[_quarter_of(started)].append(max((started - received).total_seconds(), 0) / 604800)
    medians = [
        shown(None)
        if v is None
        else (f"{pystats.median(waits[q.start]):.1f}" if waits.get(q.start) else "none")
        for q, v in zip(qs, values, strict=True)
    ]
    every = [w for q in qs for w in waits.get(q.start, [])]
    overall = f"{pystats.median(every):.1f}" if total is not None and every else shown(total)
    if total == 0:
        overall, summary = "none", "Nobody was matched in this range."
    elif total is not None and every:
        summary = (
            f"Half the people matched in this range waited {overall} weeks or less from "
            "referral to their match."
        )
    else:
        summary = "Too few matches in this range to show the wait without identifying anyone."
    waiting = Figure(
        "Waiting time from referral to match",
        summary,
        TableView(
            caption="Median weeks from referral to match, by the quarter of the match",
            heading="",
            columns=[q.label for q in qs] + ["Whole range"],
            rows=[
                ("Matches made", [*_cells(values), shown(total)]),
                ("Median weeks waited", [*medians, overall]),
            ],
        ),
    )
    median_values = [  # None where withheld; 0 (no bar) where nobody was matched
        None if v is None else (pystats.median(waits[q.start]) if waits.get(q.start) else 0)
        for q, v in zip(qs, values, strict=True)
    ]
    return matches, values, waiting, median_values


def _sessions(qs, begin, until):
    held = (
        Session.objects.filter(status=SessionStatus.HELD, starts_at__gte=begin, starts_at__lt=until)
        .exclude(case__in=Case.objects.filter(restricted_cases()))
        .annotate(quarter=TruncQuarter("starts_at"))
        .order_by()
    )
    totals: dict[dt.date, int] = defaultdict(int)
    approaches: dict[tuple[str, dt.date], int] = defaultdict(int)
    styles: dict[tuple[str, dt.date], int] = defaultdict(int)
    approach_words = dict(Approach.choices)
    for row in held.values("quarter", "approach", "style").annotate(n=Count("pk")):
        q = _quarter_of(row["quarter"])
        totals[q] += row["n"]
        approaches[(approach_words.get(row["approach"], NOT_RECORDED), q)] += row["n"]
        styles[(STYLE_SCALE.get(row["style"], NOT_RECORDED), q)] += row["n"]
    values, total = _by_quarter(qs, totals)
    sessions = Figure(
        "Sessions held",
        _trend("sessions held", values, qs, total) + ".",
        TableView(
            caption="Sessions held per quarter",
            heading="",
            columns=[q.label for q in qs] + ["Total"],
            rows=[("Sessions held", [*_cells(values), shown(total)])],
        ),
    )
    mixes = []
    for title, heading, words, counts in (
        (
            "Approach recorded for sessions held",
            "Approach",
            list(approach_words.values()),
            approaches,
        ),
        ("Style recorded for sessions held", "Style", list(STYLE_SCALE.values()), styles),
    ):
        labels = words + ([NOT_RECORDED] if any(k[0] == NOT_RECORDED for k in counts) else [])
        series, row_totals, column_totals, grand = _crosstab(labels, qs, counts)
        biggest = _largest(series, row_totals)
        summary = (
            f"Over the range, the most sessions held were recorded as {biggest.lower()}."
            if biggest
            else "Too few sessions in this range to show the mix without identifying anyone."
        )
        table = TableView(
            caption=f"{title}, per quarter",
            heading=heading,
            columns=[q.label for q in qs] + ["Total"],
            rows=[
                (s.label, [*_cells(s.values), shown(t)])
                for s, t in zip(series, row_totals, strict=True)
            ],
            footer=("All sessions held", [*_cells(column_totals), shown(grand)]),
        )
        mixes.append((Figure(title, summary, table), series))
    return sessions, values, mixes


def _caseload(qs: list[Quarter]):
    counts: dict[tuple[str, dt.date], int] = {}
    words = dict(CaseStatus.choices)
    for q in qs:
        end = _moment(next_quarter(q.start))
        latest = (
            CaseEvent.objects.filter(case_id=OuterRef("pk"), occurred_at__lt=end)
            .exclude(to_status="")
            .order_by("-occurred_at", "-pk")
            .values("to_status")[:1]
        )
        for row in (
            _cases()
            .filter(received_at__lt=end)
            .annotate(
                then=Coalesce(
                    Subquery(latest, output_field=CharField()),
                    Choose(
                        When(status_changed_at__lt=end, then=F("status")),
                        default=Value(CaseStatus.REFERRED),
                        output_field=CharField(),
                    ),
                )
            )
            .values("then")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            if row["then"] not in ENDED:
                key = (words.get(row["then"], row["then"]), q.start)
                counts[key] = counts.get(key, 0) + row["n"]
    labels = [words[s] for s in OPEN_STATUSES]
    matrix = [[counts.get((label, q.start), 0) for q in qs] for label in labels]
    table = protect(matrix, row_totals=False, column_totals=True)
    series = [Series(label, list(table.cells[i])) for i, label in enumerate(labels)]
    totals = list(table.column_totals or ())
    if totals and totals[0] is not None and totals[-1] is not None and len(qs) > 1:
        summary = _trend("open cases", totals, qs, None) + "."
    elif totals and totals[-1] is not None:
        summary = f"About {totals[-1]:,} cases were open at the end of {qs[-1].label}."
    else:
        summary = "Too few open cases to show them without identifying anyone."
    figure = Figure(
        "Caseload: open cases at the end of each quarter",
        summary,
        TableView(
            caption="Open cases at the end of each quarter, by status",
            heading="Status",
            columns=[q.label for q in qs],
            rows=[(s.label, _cells(s.values)) for s in series],
            footer=("All open cases", _cells(totals)),
        ),
    )
    return figure, series


def _outcomes(begin: dt.datetime, until: dt.datetime) -> Figure:
    rows = analytics.case_rows(closed_between=(begin, until))
    table_rows = []
    for outcome in analytics.OUTCOMES:
        values = [r[outcome.key] for r in rows if r.get(outcome.key) is not None]
        if len(values) < THRESHOLD:
            table_rows.append((outcome.label, [shown(None if values else 0), "", ""]))
            continue
        if outcome.binary:
            est = statistics.proportion(sum(bool(v) for v in values), len(values))
            figure, low, high = (f"{x * 100:.0f}%" for x in (est.value, est.low, est.high))
        else:
            est = statistics.mean([float(v) for v in values])
            figure, low, high = (f"{x:.1f}" for x in (est.value, est.low, est.high))
        table_rows.append(
            (outcome.label, [f"{rounded(len(values)):,}", figure, f"{low} to {high}"])
        )
    planned = table_rows[0][1][1]
    summary = (
        f"Support ended as planned for {planned} of the cases closed in this range."
        if planned
        else "Too few cases closed in this range to show their outcomes without identifying anyone."
    )
    return Figure(
        "Outcomes of the cases closed in the range",
        summary,
        TableView(
            caption="Outcomes of the cases closed in the range, in each frame",
            heading="Outcome",
            columns=["Cases", "Figure", "95% interval"],
            rows=table_rows,
        ),
    )


def _pool() -> list[Figure]:
    from tandem.matching.diversity import ethnicity_comparison
    from tandem.matching.gaps import pool_gaps, protected_count, protected_needs, protected_profiles

    report = pool_gaps()
    profiles, gaps_total = protected_profiles(report)
    waiting, mentors = protected_count(report.waiting), protected_count(report.mentors)
    figures = [
        Figure(
            "Pool gaps: people waiting who few mentors can take",
            (
                f"People waiting for a match: {waiting}; of them, gaps (few mentors able to "
                f"take them): {gaps_total}; active mentors: {mentors}."
                if report.waiting
                else f"Nobody is waiting for a match; the pool has {mentors} active mentors."
            ),
            TableView(
                caption="Gaps by what people need",
                heading="What they need",
                columns=["People waiting"],
                rows=[(p.label, [p.waiting]) for p in profiles],
                footer=("All gaps", [gaps_total]),
            ),
        )
    ]
    areas = list(Area.objects.order_by("name").values_list("name", flat=True))
    for need in protected_needs(report, areas=areas) if report.profiles else []:
        figures.append(
            Figure(
                f"Gaps {need.caption.lower()}",
                f"Gaps counted {need.caption.lower()}.",
                TableView(
                    caption=f"Gaps {need.caption.lower()}",
                    heading=need.heading,
                    columns=["People waiting"],
                    rows=[(label, [count]) for label, count in need.rows],
                    footer=("All gaps", [need.total]),
                ),
            )
        )
    comparison = ethnicity_comparison()
    figures.append(
        Figure(
            comparison.caption,
            "The pool's ethnic groups beside the people referred and those waiting.",
            TableView(
                caption=comparison.caption,
                heading="Ethnic group",
                columns=list(comparison.columns),
                rows=[(row.group, [cell for _, cell in row.cells]) for row in comparison.rows],
                footer=("All", [total for _, total in comparison.totals]),
            ),
        )
    )
    return figures


def _draw(figure: Figure, key: str, labels: list[str], series, unit: str, whole=True) -> None:
    from . import charts

    figure.chart = ChartSpec(
        key=key,
        title=figure.title,
        labels=tuple(labels),
        series=tuple((s.label, tuple(s.values)) for s in series),
        unit=unit,
        whole=whole,
    )
    figure.svg = charts.svg(figure.chart, label=f"{figure.title}. {figure.summary}")


def compute(start: dt.date, end: dt.date) -> Dashboard:
    qs = quarters(start, end)
    begin, until = _moment(start), _moment(end + dt.timedelta(days=1))
    labels = [q.short for q in qs]

    referrals = Section(
        "referrals",
        "Referrals",
        "People referred, by the quarter their referral was received.",
    )
    for (figure, series, _), key in zip(
        _referrals(qs, begin, until), ("source", "concern", "area"), strict=True
    ):
        _draw(figure, f"referrals-{key}", labels, series, "Referrals")
        referrals.figures.append(figure)

    matches, match_values, waiting, medians = _matches(qs, begin, until)
    _draw(waiting, "waiting", labels, [Series("Median weeks", medians)], "Median weeks", False)
    _draw(matches, "matches", labels, [Series("Matches made", match_values)], "Matches")
    sessions, session_values, mixes = _sessions(qs, begin, until)
    _draw(sessions, "sessions", labels, [Series("Sessions held", session_values)], "Sessions")
    caseload, caseload_series = _caseload(qs)
    _draw(caseload, "caseload", labels, caseload_series, "Open cases")
    mix_figures = []
    for (figure, series), key in zip(mixes, ("approach", "style"), strict=True):
        _draw(figure, key, labels, series, "Sessions held")
        mix_figures.append(figure)

    sections = [
        referrals,
        Section(
            "waiting",
            "Waiting times",
            "Weeks from the referral being received to the match starting.",
            [waiting],
        ),
        Section(
            "caseload",
            "Caseload",
            "Cases referred and not yet ended, by the status each had at the quarter's end.",
            [caseload],
        ),
        Section("matches", "Matches made", "Matches that started, by quarter.", [matches]),
        Section(
            "sessions", "Sessions held", "Sessions held with the people supported.", [sessions]
        ),
        Section(
            "approaches",
            "Approaches and styles",
            "The approach and the style the mentor recorded for each session held.",
            mix_figures,
        ),
        Section(
            "outcomes",
            "Outcomes in each frame",
            "For the cases closed in the range: support ended as planned, goal attainment at "
            "closure, change in assessed vulnerability, and change in the person's life "
            "satisfaction. Each figure has a 95% interval; these are the scheme's records, not "
            "a measure of cause.",
            [_outcomes(begin, until)],
        ),
        Section(
            "pool",
            "The mentor pool: gaps and composition",
            "As the pool stands now, whatever the range: who is waiting that few mentors can "
            "take, and the pool's ethnic groups beside the people referred.",
            _pool(),
            board_only=True,
        ),
    ]
    return Dashboard(start=start, end=end, computed_at=timezone.now(), sections=sections)


# Kept between requests ---------------------------------------------------------------------


def kept_as(start: dt.date, end: dt.date) -> str:
    return f"dashboard:{start.isoformat()}:{end.isoformat()}"


def dashboard(start: dt.date, end: dt.date, *, refresh: bool = False) -> Dashboard:
    """The dashboard for the range, as computed within the last ``kept.KEEP_SECONDS``."""
    return kept.kept(kept_as(start, end), lambda: compute(start, end), refresh=refresh)
