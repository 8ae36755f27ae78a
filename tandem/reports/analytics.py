"""Evaluation analytics: each outcome of support by what might explain it.

People whose processing is restricted (UK GDPR Article 18) are left out.

For every closed case the analytics read (in a fixed number of queries, nothing
decrypted) these outcomes:

- **planned exit**: support ended as planned (goals met in full or in part), yes or no;
- **goal attainment at closure**: the T-score of the case's last review (50 is the
  expected level; 10 points is one standard deviation);
- **vulnerability change**: between the first and the latest assessment, factors rated
  lower minus factors rated higher (positive is better; cases assessed once are left out);

and the factors that might explain them: the approach and the style used in the
sessions held (the most frequent approach; the mean style, rounded), the concern type,
the match's characteristics (a shared language, the same gender, a mentor with lived
experience) and the mentor's accreditation level. A fourth outcome, **wellbeing change**,
is the person's life satisfaction (the ONS question, 0 to 10), last answer minus first.

Each outcome by each factor is a table of groups with n, the proportion or mean and its
95% interval (``statistics``). Groups of 1 to 7 cases are withheld and every n shown is
rounded to 5 (``tandem.core.disclosure``); an estimate is shown only for a group the
control lets through. For each outcome, an adjusted comparison by approach controls for
concern type, pathway and age, and is labelled as an association, not a cause.

The page's figures (``figures()``) read every closed case and fit a regression for each
outcome: seconds at national scale, so they are kept for 15 minutes
(``tandem.reports.kept``) and the page says when they were computed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils import timezone

from tandem.assessments.models import FactorRating
from tandem.cases.models import STYLE_SCALE, Approach, Case, CaseStatus, ClosureOutcome, Review
from tandem.core.disclosure import THRESHOLD, rounded
from tandem.core.encryption import SubjectKeyDestroyed, with_data_keys
from tandem.matching.models import Match
from tandem.meetings.models import Session, SessionStatus
from tandem.mentors.models import Accreditation, MentorLanguage
from tandem.outcomes.models import Respondent, Response
from tandem.privacy.restrictions import restricted_cases

from . import kept, statistics

PLANNED = {ClosureOutcome.COMPLETED, ClosureOutcome.PARTIAL}
NOT_KNOWN = "Not known"
COVARIATES = ("concern_type", "pathway", "age")


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str
    binary: bool
    unit: str  # how a value reads: "%" for a share, "" for a score


@dataclass(frozen=True)
class Factor:
    key: str
    label: str


OUTCOMES: list[Outcome] = [
    Outcome("planned_exit", "Support ended as planned", True, "%"),
    Outcome("goal_attainment", "Goal attainment at closure (T-score)", False, ""),
    Outcome("vulnerability_change", "Vulnerability change (factors lower minus higher)", False, ""),
    Outcome("wellbeing_change", "Wellbeing change (life satisfaction, 0 to 10)", False, ""),
]
WELLBEING_INSTRUMENT, WELLBEING_SCALE = "ons4", "life_satisfaction"

FACTORS = (
    Factor("approach_used", "Approach used in sessions"),
    Factor("style_used", "Style used in sessions"),
    Factor("concern_type", "Concern type"),
    Factor("shared_language", "Mentor and person share a language"),
    Factor("same_gender", "Mentor and person of the same gender"),
    Factor("lived_experience", "Mentor with lived experience"),
    Factor("accreditation_level", "Mentor's accreditation level"),
)


def wellbeing_change(ids: list[int]) -> dict[int, float]:
    """Each case's change in life satisfaction (the ONS question, 0 to 10) from the first
    to the last time the person answered it; cases that answered once are left out. The
    scores are decrypted with every key read at once: two queries whatever the number."""
    responses = list(
        Response.objects.filter(
            case_id__in=ids,
            version__instrument__key=WELLBEING_INSTRUMENT,
            respondent=Respondent.PERSON,
        )
        .select_related("case")  # the key's subject is the case's person
        .order_by("case_id", "answered_at", "pk")
    )
    scores: dict[int, list[float]] = defaultdict(list)
    for response in with_data_keys(responses):
        try:
            value = json.loads(response.scores).get("subscales", {}).get(WELLBEING_SCALE)
        except SubjectKeyDestroyed:  # the person was erased: their answers with them
            continue
        if value is not None:
            scores[response.case_id].append(float(value))
    return {pk: values[-1] - values[0] for pk, values in scores.items() if len(values) >= 2}


def _yes_no(value: bool | None) -> str:
    return NOT_KNOWN if value is None else ("Yes" if value else "No")


def case_rows(*, closed_between: tuple | None = None) -> list[dict]:
    """One row per closed case with its outcomes and factors; ``closed_between`` (two
    moments, the second excluded) keeps the cases closed in that time."""
    closed = Case.objects.filter(status=CaseStatus.CLOSED)
    if closed_between:
        closed = closed.filter(closed_at__gte=closed_between[0], closed_at__lt=closed_between[1])
    cases = list(
        closed.exclude(restricted_cases())
        .values(
            "pk", "closure_outcome", "concern_type__name", "pathway", "age_at_referral", "gender"
        )
        .order_by("pk")
    )
    ids = [c["pk"] for c in cases]
    t_scores = {}
    for case_id, score in (
        Review.objects.filter(case_id__in=ids, t_score__isnull=False)
        .order_by("case_id", "reviewed_on", "pk")
        .values_list("case_id", "t_score")
    ):
        t_scores[case_id] = float(score)  # the last review wins
    ratings: dict[int, dict] = defaultdict(dict)  # case → assessment (date, pk) → factor → rank
    for case_id, assessed_on, assessment_id, factor_id, rank in FactorRating.objects.filter(
        assessment__case_id__in=ids
    ).values_list(
        "assessment__case_id",
        "assessment__assessed_on",
        "assessment_id",
        "factor_id",
        "level__rank",
    ):
        ratings[case_id].setdefault((assessed_on, assessment_id), {})[factor_id] = rank
    approaches: dict[int, Counter] = defaultdict(Counter)
    styles: dict[int, list[int]] = defaultdict(list)
    for case_id, approach, style in Session.objects.filter(
        case_id__in=ids, status=SessionStatus.HELD
    ).values_list("case_id", "approach", "style"):
        if approach:
            approaches[case_id][approach] += 1
        if style:
            styles[case_id].append(style)
    matches = {}
    for case_id, mentor_id, gender, lived in (
        Match.objects.filter(case_id__in=ids, started_at__isnull=False)
        .order_by("case_id", "started_at", "pk")
        .values_list("case_id", "mentor_id", "mentor__gender", "mentor__has_lived_experience")
    ):
        matches[case_id] = (mentor_id, gender, lived)
    mentor_ids = {m[0] for m in matches.values()}
    mentor_languages: dict[int, set[int]] = defaultdict(set)
    for mentor_id, language_id in MentorLanguage.objects.filter(
        mentor_id__in=mentor_ids
    ).values_list("mentor_id", "language_id"):
        mentor_languages[mentor_id].add(language_id)
    case_languages: dict[int, set[int]] = defaultdict(set)
    for case_id, language_id in Case.languages.through.objects.filter(case_id__in=ids).values_list(
        "case_id", "language_id"
    ):
        case_languages[case_id].add(language_id)
    levels = {}
    for mentor_id, name in (
        Accreditation.objects.filter(mentor_id__in=mentor_ids, revoked_on__isnull=True)
        .order_by("mentor_id", "awarded_on", "pk")
        .values_list("mentor_id", "level__name")
    ):
        levels[mentor_id] = name  # the latest award
    wellbeing = wellbeing_change(ids)

    approach_words = dict(Approach.choices)
    rows = []
    for case in cases:
        pk = case["pk"]
        match = matches.get(pk)
        assessed = [ratings[pk][key] for key in sorted(ratings.get(pk, {}))]
        change = None
        if len(assessed) >= 2:
            first, last = assessed[0], assessed[-1]
            both = [f for f in first if f in last and first[f] is not None and last[f] is not None]
            change = sum(last[f] < first[f] for f in both) - sum(last[f] > first[f] for f in both)
        used = approaches.get(pk)
        style = round(sum(styles[pk]) / len(styles[pk])) if styles.get(pk) else None
        row = {
            "planned_exit": case["closure_outcome"] in PLANNED,
            "goal_attainment": t_scores.get(pk),
            "vulnerability_change": change,
            "approach_used": approach_words[used.most_common(1)[0][0]] if used else NOT_KNOWN,
            "style_used": (
                STYLE_SCALE[round(sum(styles[pk]) / len(styles[pk]))]
                if styles.get(pk)
                else NOT_KNOWN
            ),
            "concern_type": case["concern_type__name"],
            "shared_language": _yes_no(
                bool(mentor_languages[match[0]] & case_languages[pk]) if match else None
            ),
            "same_gender": _yes_no(
                match[1] == case["gender"] if match and match[1] in ("female", "male") else None
            ),
            "lived_experience": _yes_no(match[2] if match else None),
            "accreditation_level": levels.get(match[0], NOT_KNOWN) if match else NOT_KNOWN,
            "pathway": case["pathway"],
            "age": case["age_at_referral"],
        }
        row["wellbeing_change"] = wellbeing.get(pk)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class GroupRow:
    group: str
    n: int | None  # rounded to 5; None when withheld
    estimate: statistics.Estimate | None  # None when withheld or not estimable


@dataclass(frozen=True)
class Table:
    outcome: Outcome
    factor: Factor
    groups: list[GroupRow]


def _estimate(outcome: Outcome, values: list) -> statistics.Estimate | None:
    if outcome.binary:
        return statistics.proportion(sum(bool(v) for v in values), len(values))
    return statistics.mean([float(v) for v in values]) if len(values) >= 2 else None


def tables(rows: list[dict]) -> list[Table]:
    out = []
    for outcome in OUTCOMES:
        for factor in FACTORS:
            groups: dict[str, list] = defaultdict(list)
            for row in rows:
                if row.get(outcome.key) is not None:
                    groups[row[factor.key]].append(row[outcome.key])
            shown = []
            for group in sorted(groups, key=lambda g: (g == NOT_KNOWN, g)):
                values = groups[group]
                if len(values) < THRESHOLD:
                    shown.append(GroupRow(group, None, None))
                else:
                    shown.append(GroupRow(group, rounded(len(values)), _estimate(outcome, values)))
            out.append(Table(outcome, factor, shown))
    return out


def adjusted(rows: list[dict]) -> list[tuple[Outcome, statistics.Adjusted | None]]:
    """Each outcome by approach used, adjusted for the covariates; cases whose approach is
    not known are left out, and approaches used in fewer than the threshold's cases too."""
    results = []
    for outcome in OUTCOMES:
        usable = [
            r for r in rows if r.get(outcome.key) is not None and r["approach_used"] != NOT_KNOWN
        ]
        sizes = Counter(r["approach_used"] for r in usable)
        usable = [r for r in usable if sizes[r["approach_used"]] >= THRESHOLD]
        result = statistics.adjusted_comparison(
            usable,
            outcome=outcome.key,
            factor="approach_used",
            covariates=COVARIATES,
            binary=outcome.binary,
        )
        results.append((outcome, result))
    return results


@dataclass(frozen=True)
class AdjustedRow:
    outcome: Outcome
    result: statistics.Adjusted | None
    n: int | None  # rounded to 5


@dataclass(frozen=True)
class Figures:
    """What the analytics page shows: nothing here can point at a person."""

    closed: int  # rounded to 5
    enough: bool
    tables: list[Table]
    adjusted: list[AdjustedRow]
    computed_at: dt.datetime


def compute() -> Figures:
    rows = case_rows()
    return Figures(
        closed=rounded(len(rows)),
        enough=len(rows) >= THRESHOLD,
        tables=tables(rows),
        adjusted=[
            AdjustedRow(outcome, result, rounded(result.n) if result else None)
            for outcome, result in adjusted(rows)
        ],
        computed_at=timezone.now(),
    )


def figures(*, refresh: bool = False) -> Figures:
    """The page's figures as computed within the last ``kept.KEEP_SECONDS``."""
    return kept.kept("analytics", compute, refresh=refresh)
