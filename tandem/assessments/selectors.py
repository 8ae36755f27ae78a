"""Reads of assessments: the shape of a framework, a case's assessments, and the
comparison between them.

Every function here loads what it needs in a fixed number of queries, whatever the
number of assessments a case has. The comparison itself (``direction``, ``contrast``,
``build_comparison``) is pure: it works on objects already in memory, so it can be
tested without a database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from tandem.core.text import counted

from .models import (
    Assessment,
    AssessmentDraft,
    AssessmentKind,
    Dimension,
    Factor,
    FactorRating,
    Framework,
    RatingLevel,
)

# The shape of a framework --------------------------------------------------------------


def evidence_levels(levels: Iterable[RatingLevel]) -> frozenset[str]:
    """The codes of the levels whose rating must be backed by written evidence: the
    upper half of the known levels (with the default scale, moderate and high). A
    rating of concern is a professional judgement others will act on, so it has to say
    what it rests on; "not known" has no rank and needs none."""
    known = sorted((level for level in levels if level.rank is not None), key=lambda lv: lv.rank)
    return frozenset(level.code for level in known[len(known) // 2 :])


@dataclass(frozen=True)
class Scale:
    """What the pages need to know about a rating scale to colour its levels: which
    levels need evidence, and the top and bottom ranks."""

    evidence_codes: frozenset[str] = frozenset()
    top_rank: int | None = None
    bottom_rank: int | None = None

    @classmethod
    def of(cls, levels: Iterable[RatingLevel]) -> Scale:
        levels = list(levels)
        ranks = [level.rank for level in levels if level.rank is not None]
        return cls(
            evidence_codes=evidence_levels(levels),
            top_rank=max(ranks, default=None),
            bottom_rank=min(ranks, default=None),
        )


@dataclass(frozen=True)
class FrameworkShape:
    """A framework with its dimensions (in order), their factors and its rating scale."""

    framework: Framework
    dimensions: list[tuple[Dimension, list[Factor]]]
    levels: list[RatingLevel]

    @property
    def factors(self) -> list[Factor]:
        return [factor for _, factors in self.dimensions for factor in factors]

    @property
    def evidence_levels(self) -> frozenset[str]:
        return evidence_levels(self.levels)

    @property
    def scale(self) -> Scale:
        return Scale.of(self.levels)

    @property
    def evidence_labels(self) -> list[str]:
        """The labels of the levels that need evidence, lower case, in scale order."""
        codes = self.evidence_levels
        return [level.label.lower() for level in self.levels if level.code in codes]

    def level(self, code: str) -> RatingLevel | None:
        return next((level for level in self.levels if level.code == code), None)


def _framework_queryset() -> QuerySet[Framework]:
    return Framework.objects.prefetch_related(
        Prefetch(
            "dimensions",
            queryset=Dimension.objects.order_by("position").prefetch_related(
                Prefetch("factors", queryset=Factor.objects.order_by("number"))
            ),
        ),
        Prefetch("levels", queryset=RatingLevel.objects.order_by("position")),
    )


def _shape(framework: Framework) -> FrameworkShape:
    return FrameworkShape(
        framework=framework,
        dimensions=[(d, list(d.factors.all())) for d in framework.dimensions.all()],
        levels=list(framework.levels.all()),
    )


def default_framework_shape() -> FrameworkShape | None:
    """The default framework (``is_default``) with everything needed to show its form,
    or None when no framework is the default."""
    framework = _framework_queryset().filter(is_default=True).first()
    return _shape(framework) if framework else None


def framework_shape(framework: Framework) -> FrameworkShape:
    return _shape(_framework_queryset().get(pk=framework.pk))


# A case's assessments ------------------------------------------------------------------


def _ratings_prefetch() -> Prefetch:
    return Prefetch(
        "ratings",
        queryset=FactorRating.objects.select_related("level", "factor__dimension").order_by(
            "factor__dimension__position", "factor__number"
        ),
    )


def case_assessments(case) -> QuerySet[Assessment]:
    """The case's assessments, newest first. Reached through the case so that each
    assessment knows its case (which its encrypted fields need) without a query."""
    return case.assessments.select_related("assessor", "framework").order_by("-assessed_on", "-pk")


def latest_assessment(case, *, with_ratings: bool = False) -> Assessment | None:
    queryset = case_assessments(case)
    if with_ratings:
        queryset = queryset.prefetch_related(_ratings_prefetch())
    return queryset.first()


def assessment_detail(case, assessment_id: int) -> Assessment | None:
    """One of the case's assessments with its ratings, or None."""
    return (
        case_assessments(case)
        .prefetch_related(_ratings_prefetch())
        .filter(pk=assessment_id)
        .first()
    )


def ratings_by_dimension(assessment: Assessment) -> list[tuple[Dimension, list[FactorRating]]]:
    """An assessment's ratings (prefetched) grouped by dimension, in framework order."""
    groups: list[tuple[Dimension, list[FactorRating]]] = []
    for rating in sorted(
        assessment.ratings.all(),
        key=lambda r: (r.factor.dimension.position, r.factor.number),
    ):
        if not groups or groups[-1][0].pk != rating.factor.dimension_id:
            groups.append((rating.factor.dimension, []))
        groups[-1][1].append(rating)
    return groups


# The comparison ------------------------------------------------------------------------


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    SAME = "same"
    NEWLY_KNOWN = "newly_known"
    NOW_UNKNOWN = "now_unknown"
    NOT_RATED = "not_rated"

    @property
    def label(self) -> str:
        return DIRECTION_LABELS[self]


DIRECTION_LABELS = {
    Direction.HIGHER: "Higher concern",
    Direction.LOWER: "Lower concern",
    Direction.SAME: "No change",
    Direction.NEWLY_KNOWN: "Newly known",
    Direction.NOW_UNKNOWN: "Now unknown",
    Direction.NOT_RATED: "Not rated before",
}


def direction(then: RatingLevel | None, now: RatingLevel | None) -> Direction:
    """How a factor moved between two ratings. Ranks order the known levels (higher is
    more concern); "not known" has no rank, so a move to or from it is not a rise or a
    fall but a change in what is known."""
    if then is None or now is None:
        return Direction.NOT_RATED
    if then.rank is None and now.rank is None:
        return Direction.SAME
    if then.rank is None:
        return Direction.NEWLY_KNOWN
    if now.rank is None:
        return Direction.NOW_UNKNOWN
    if now.rank > then.rank:
        return Direction.HIGHER
    if now.rank < then.rank:
        return Direction.LOWER
    return Direction.SAME


@dataclass(frozen=True)
class FactorChange:
    factor: Factor
    then: FactorRating | None
    now: FactorRating | None
    direction: Direction

    @property
    def rating_changed(self) -> bool:
        return self.direction is not Direction.SAME

    @property
    def narrative_changed(self) -> bool:
        before = self.then.narrative if self.then else ""
        after = self.now.narrative if self.now else ""
        return before.strip() != after.strip()

    @property
    def changed(self) -> bool:
        """The rating moved or the evidence was rewritten: worth reading side by side."""
        return self.rating_changed or self.narrative_changed


# Summary order: what a reader looks for first.
SUMMARY_ORDER = [
    (Direction.LOWER, "lower"),
    (Direction.HIGHER, "higher"),
    (Direction.SAME, "unchanged"),
    (Direction.NEWLY_KNOWN, "newly known"),
    (Direction.NOW_UNKNOWN, "now unknown"),
    (Direction.NOT_RATED, "not rated before"),
]
ALWAYS_COUNTED = {Direction.LOWER, Direction.HIGHER, Direction.SAME}


@dataclass(frozen=True)
class Contrast:
    """The later assessment set against an earlier one, factor by factor."""

    earlier: Assessment
    later: Assessment
    since: str  # "since intake", "since the previous assessment"
    dimensions: list[tuple[Dimension, list[FactorChange]]]
    comparable: bool = True

    @property
    def heading(self) -> str:
        return self.since[0].upper() + self.since[1:]

    @property
    def changes(self) -> list[FactorChange]:
        return [change for _, changes in self.dimensions for change in changes]

    @property
    def changed(self) -> list[FactorChange]:
        return [change for change in self.changes if change.changed]

    @property
    def rating_changed(self) -> list[FactorChange]:
        return [change for change in self.changes if change.rating_changed]

    @property
    def evidence_rewritten(self) -> list[FactorChange]:
        """Same rating, different evidence: worth a look, less than a change of rating."""
        return [c for c in self.changes if not c.rating_changed and c.narrative_changed]

    @property
    def counts(self) -> dict[Direction, int]:
        counts = dict.fromkeys(Direction, 0)
        for change in self.changes:
            counts[change.direction] += 1
        return counts

    @property
    def summary(self) -> str:
        """For example "5 factors lower, 2 higher, 15 unchanged since intake"."""
        counts = self.counts
        parts = [
            (counts[d], words) for d, words in SUMMARY_ORDER if d in ALWAYS_COUNTED or counts[d]
        ]
        first_count, first_words = parts[0]
        first = counted(first_count, "%(count)d factor", "%(count)d factors")
        text = ", ".join([f"{first} {first_words}", *(f"{n} {w}" for n, w in parts[1:])])
        return f"{text} {self.since}"


@dataclass(frozen=True)
class Comparison:
    count: int  # assessments recorded for the case
    latest: Assessment | None = None
    previous: Assessment | None = None
    intake: Assessment | None = None
    since_previous: Contrast | None = None
    # None when the previous assessment is the intake (or there is no intake).
    since_intake: Contrast | None = None
    contrasts: list[Contrast] = field(default_factory=list)
    # The latest framework's rating scale (for the colour of tags).
    scale: Scale = field(default_factory=Scale)

    @property
    def possible(self) -> bool:
        return self.since_previous is not None


def contrast(
    *,
    earlier: Assessment,
    later: Assessment,
    earlier_ratings: Sequence[FactorRating],
    later_ratings: Sequence[FactorRating],
    dimensions: Sequence[tuple[Dimension, Sequence[Factor]]],
    since: str,
) -> Contrast:
    """Set ``later`` against ``earlier``, factor by factor, in the order of ``dimensions``
    (the later assessment's framework). Two assessments made with different frameworks
    cannot be compared factor by factor."""
    then_by_factor: Mapping[int, FactorRating] = {r.factor_id: r for r in earlier_ratings}
    now_by_factor: Mapping[int, FactorRating] = {r.factor_id: r for r in later_ratings}
    comparable = earlier.framework_id == later.framework_id
    grouped = []
    for dimension, factors in dimensions:
        changes = []
        for factor in factors:
            then = then_by_factor.get(factor.pk) if comparable else None
            now = now_by_factor.get(factor.pk)
            changes.append(
                FactorChange(
                    factor=factor,
                    then=then,
                    now=now,
                    direction=direction(then.level if then else None, now.level if now else None),
                )
            )
        grouped.append((dimension, changes))
    return Contrast(
        earlier=earlier, later=later, since=since, dimensions=grouped, comparable=comparable
    )


def build_comparison(
    *,
    count: int,
    latest: Assessment | None,
    previous: Assessment | None,
    intake: Assessment | None,
    ratings: Mapping[int, Sequence[FactorRating]],
    dimensions: Sequence[tuple[Dimension, Sequence[Factor]]],
    scale: Scale | None = None,
) -> Comparison:
    """The comparison of the latest assessment with the previous one and with the
    intake. ``ratings`` maps an assessment's id to its ratings; ``dimensions`` is the
    latest assessment's framework. Pure: no queries."""
    if latest is None or previous is None:
        return Comparison(count=count, latest=latest, intake=intake)

    def against(earlier: Assessment, since: str) -> Contrast:
        return contrast(
            earlier=earlier,
            later=latest,
            earlier_ratings=ratings.get(earlier.pk, ()),
            later_ratings=ratings.get(latest.pk, ()),
            dimensions=dimensions,
            since=since,
        )

    intake_is_previous = intake is not None and intake.pk == previous.pk
    since_previous = against(
        previous, "since intake" if intake_is_previous else "since the previous assessment"
    )
    since_intake = None
    if intake is not None and intake.pk not in (previous.pk, latest.pk):
        since_intake = against(intake, "since intake")
    return Comparison(
        count=count,
        latest=latest,
        previous=previous,
        intake=intake,
        since_previous=since_previous,
        since_intake=since_intake,
        contrasts=[c for c in (since_previous, since_intake) if c is not None],
        scale=scale or Scale(),
    )


def compare_assessments(case) -> Comparison:
    """What changed, factor by factor, between the case's latest assessment and the one
    before it, and between the latest and the initial assessment (intake).

    A fixed number of queries whatever the number of assessments: the count, the latest
    two, the intake, the ratings of those (at most three) and the latest framework's
    dimensions and factors."""
    count = case.assessments.count()
    if count < 2:
        latest = latest_assessment(case) if count else None
        return Comparison(count=count, latest=latest, intake=latest)
    latest, previous = list(case_assessments(case)[:2])
    intake = (
        case_assessments(case)
        .filter(kind=AssessmentKind.INTAKE)
        .order_by("assessed_on", "pk")
        .first()
    )
    shown = {a.pk: a for a in (latest, previous, intake) if a is not None}
    # The same assessment may appear twice (the intake is the previous one): prefetch
    # once, on distinct instances, and share the ratings.
    prefetch_related_objects(
        list(shown.values()),
        Prefetch("ratings", queryset=FactorRating.objects.select_related("level")),
    )
    ratings = {pk: list(a.ratings.all()) for pk, a in shown.items()}
    shape = framework_shape(latest.framework)
    return build_comparison(
        count=count,
        latest=latest,
        previous=shown[previous.pk],
        intake=shown[intake.pk] if intake else None,
        ratings=ratings,
        dimensions=shape.dimensions,
        scale=shape.scale,
    )


# What the case lifecycle and the case page need to know ---------------------------------


def current_assessments(case) -> QuerySet[Assessment]:
    """The case's assessments that count: the one place that says which do. Only a
    completed assessment (every factor rated, a summary and a plan) counts; a draft is
    kept apart (``AssessmentDraft``) and never does, so ``Assessment`` rows are
    completed ones by construction."""
    return case.assessments.all()


def has_current_assessment(case) -> bool:
    """Whether the case has an assessment that counts (``current_assessments``)."""
    return current_assessments(case).exists()


def assessment_requirement(case) -> str | None:
    """A lifecycle requirement (``cases.lifecycle.register_requirement``): a case waits
    for a match only once it has been assessed."""
    if has_current_assessment(case):
        return None
    draft = AssessmentDraft.objects.filter(case=case).only("dimensions_done").first()
    if draft is not None:
        return (
            "Complete the assessment of the person: it is a draft, with "
            f"{draft.dimensions_done} of {draft.dimensions_total} dimensions rated."
        )
    return "Complete an assessment of the person: the case has none yet."


def assessment_facts(case) -> dict:
    """What the case page's guidance needs (``cases.guidance.register_fact_source``):
    whether the case has a completed assessment and, when none but a draft, how far the
    draft has got (dimensions with every factor rated, of all)."""
    assessed = has_current_assessment(case)
    progress = None
    if not assessed:
        draft = (
            AssessmentDraft.objects.filter(case=case)
            .values_list("dimensions_done", "dimensions_total")
            .first()
        )
        progress = tuple(draft) if draft else None
    return {"assessed": assessed, "assessment_progress": progress}


# Drafts ----------------------------------------------------------------------------------


def draft_progress(shape: FrameworkShape, answers: Mapping[str, str]) -> tuple[int, int]:
    """(dimensions with every factor given a rating of the scale, all dimensions) for a
    draft's ``answers`` (the form's field names: ``rating_<factor id>``). Pure."""
    codes = {level.code for level in shape.levels}
    done = sum(
        1
        for _, factors in shape.dimensions
        if factors and all(answers.get(f"rating_{f.pk}") in codes for f in factors)
    )
    return done, len(shape.dimensions)


def case_draft(case) -> AssessmentDraft | None:
    """The case's draft assessment, if any, with who started and last saved it."""
    return (
        AssessmentDraft.objects.select_related("started_by", "updated_by").filter(case=case).first()
    )


def draft_answers(draft: AssessmentDraft) -> dict[str, str]:
    """A draft's answers as the form's data; an unreadable document reads as none."""
    try:
        answers = json.loads(draft.answers or "{}")
    except ValueError:
        return {}
    if not isinstance(answers, dict):
        return {}
    return {str(k): str(v) for k, v in answers.items() if isinstance(v, str)}


def kind_for(case) -> str:
    """The kind the case's next assessment will be: the intake when it has none yet."""
    if case.assessments.exists():
        return AssessmentKind.REASSESSMENT
    return AssessmentKind.INTAKE
