"""Success in several frames, side by side, for one case.

Each frame answers "did it work?" from one point of view, and none is summed into
another: the assessed vulnerability (factors lower, higher and unchanged in each
dimension), goal attainment by whose goal it is (T-scores at each review), the person's
own wellbeing and trust (their answers over time), engagement (sessions held against
planned, the did-not-attend rate, the longest gap between held sessions), the exit
outcome, the 6- and 12-month follow-ups and the referrer's view.

``success_frames`` reads a fixed number of queries whatever the case's history (the
test pins it): the assessments' comparison (tandem.assessments), goals and their scores,
sessions (dates and statuses only), follow-ups and the answers with their versions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from tandem.assessments.selectors import Direction, compare_assessments
from tandem.cases.gas import ScoreError, rounded, t_score
from tandem.cases.models import Case, FollowUp, Goal, GoalOwner, GoalScore
from tandem.core.encryption import preload_data_keys
from tandem.meetings.models import Session, SessionStatus

from .models import Respondent, Response

APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"


@dataclass(frozen=True)
class DimensionChange:
    name: str
    lower: int
    higher: int
    unchanged: int
    other: int


@dataclass(frozen=True)
class Series:
    """One score over time: ``points`` are (date, value, occasion label)."""

    name: str
    higher_is_better: bool
    points: list[tuple[dt.date, float | None, str]]
    scale: tuple[int, int] | None = None

    @property
    def change(self) -> float | None:
        values = [v for _, v, _ in self.points if v is not None]
        if len(values) < 2:
            return None
        return round(values[-1] - values[0], 2)

    @property
    def change_words(self) -> str:
        change = self.change
        if change is None:
            return "Not enough answers to show a change"
        if change == 0:
            return "No change since the first answer"
        better = (change > 0) == self.higher_is_better
        return f"{change:+g} since the first answer ({'better' if better else 'worse'})"


@dataclass
class Engagement:
    planned: int = 0
    held: int = 0
    did_not_attend: int = 0
    cancelled: int = 0
    longest_gap_days: int | None = None
    first_held: dt.date | None = None
    last_held: dt.date | None = None

    @property
    def did_not_attend_rate(self) -> int | None:
        due = self.held + self.did_not_attend
        return round(100 * self.did_not_attend / due) if due else None


@dataclass
class Frames:
    vulnerability_since: str = ""
    vulnerability: list[DimensionChange] = field(default_factory=list)
    assessments: int = 0
    goals: list[Series] = field(default_factory=list)
    wellbeing: list[Series] = field(default_factory=list)
    trust: list[Series] = field(default_factory=list)
    referrer: list[Series] = field(default_factory=list)
    reflections: list[Series] = field(default_factory=list)
    engagement: Engagement = field(default_factory=Engagement)
    exit_outcome: str = ""
    closed_on: dt.date | None = None
    follow_ups: list[FollowUp] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)


def _vulnerability(case: Case, frames: Frames) -> None:
    comparison = compare_assessments(case)
    frames.assessments = comparison.count
    contrast = comparison.since_intake or comparison.since_previous
    if contrast is None or not contrast.comparable:
        return
    frames.vulnerability_since = contrast.since
    for dimension, changes in contrast.dimensions:
        counts = defaultdict(int)
        for change in changes:
            counts[change.direction] += 1
        frames.vulnerability.append(
            DimensionChange(
                name=dimension.name,
                lower=counts[Direction.LOWER],
                higher=counts[Direction.HIGHER],
                unchanged=counts[Direction.SAME],
                other=sum(
                    n
                    for d, n in counts.items()
                    if d not in (Direction.LOWER, Direction.HIGHER, Direction.SAME)
                ),
            )
        )


def _goals(case: Case, frames: Frames) -> None:
    goals = {
        pk: (weight, owner)
        for pk, weight, owner in Goal.objects.filter(case=case).values_list("pk", "weight", "owner")
    }
    by_review: dict[tuple[dt.date, int], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for review_id, reviewed_on, goal_id, score in GoalScore.objects.filter(
        review__case=case
    ).values_list("review_id", "review__reviewed_on", "goal_id", "score"):
        weight, owner = goals[goal_id]
        by_review[(reviewed_on, review_id)][owner].append((weight, score))
    for owner, label in GoalOwner.choices:
        points = []
        for (reviewed_on, _), scored in sorted(by_review.items()):
            if owner not in scored:
                continue
            try:
                points.append((reviewed_on, float(rounded(t_score(scored[owner]))), "Review"))
            except ScoreError:
                continue
        if points:
            frames.goals.append(
                Series(name=f"{label}{APOSTROPHE}s goals", higher_is_better=True, points=points)
            )


def _engagement(case: Case, frames: Frames) -> None:
    now = timezone.now()
    rows = Session.objects.filter(case=case, starts_at__lte=now).values_list("status", "starts_at")
    engagement = Engagement()
    held_dates = []
    for status, starts_at in rows:
        if status == SessionStatus.RESCHEDULED:
            continue
        engagement.planned += 1
        if status == SessionStatus.HELD:
            engagement.held += 1
            held_dates.append(timezone.localtime(starts_at).date())
        elif status == SessionStatus.DID_NOT_ATTEND:
            engagement.did_not_attend += 1
        elif status == SessionStatus.CANCELLED:
            engagement.cancelled += 1
    held_dates.sort()
    if held_dates:
        engagement.first_held, engagement.last_held = held_dates[0], held_dates[-1]
        end = case.closed_at.date() if case.closed_at else timezone.localdate()
        gaps = [(b - a).days for a, b in zip(held_dates, [*held_dates[1:], end], strict=True)]
        engagement.longest_gap_days = max(gaps)
    frames.engagement = engagement


def _answers(case: Case, frames: Frames) -> None:
    responses = list(
        Response.objects.filter(case=case)
        .select_related("case", "version__instrument")
        .order_by("answered_at", "pk")
    )
    preload_data_keys(r.encryption_subject() for r in responses)
    series: dict[tuple[str, str], list] = defaultdict(list)
    meta: dict[tuple[str, str], tuple[str, bool, tuple[int, int], str]] = {}
    for response in responses:
        definition = response.version.parsed
        scores = json.loads(response.scores)
        instrument = response.version.instrument
        when = timezone.localtime(response.answered_at).date()
        occasion = response.get_occasion_display()
        scored = [(s, scores["subscales"].get(s.code)) for s in definition.subscales]
        if definition.total is not None:
            scored.append((definition.total, scores.get("total")))
        for scale, value in scored:
            key = (instrument.key, scale.code)
            series[key].append((when, value, occasion))
            meta[key] = (
                scale.name,
                scale.higher_is_better,
                (definition.scale_min, definition.scale_max),
                response.respondent,
            )
        frames.answers.append(
            {
                "instrument": instrument.name,
                "version": response.version.number,
                "respondent": response.get_respondent_display(),
                "occasion": occasion,
                "via": response.get_answered_via_display(),
                "answered_on": when,
                "answered": scores["answered"],
                "items": scores["items"],
            }
        )
    for key, points in series.items():
        name, higher, scale, respondent = meta[key]
        one = Series(name=name, higher_is_better=higher, points=points, scale=scale)
        if respondent == Respondent.REFERRER:
            frames.referrer.append(one)
        elif respondent == Respondent.MENTOR:
            frames.reflections.append(one)
        elif key[0] == "trust" or "trust" in name.lower():
            frames.trust.append(one)
        else:
            frames.wellbeing.append(one)


def success_frames(case: Case) -> Frames:
    frames = Frames()
    _vulnerability(case, frames)
    _goals(case, frames)
    _engagement(case, frames)
    _answers(case, frames)
    frames.exit_outcome = case.get_closure_outcome_display() if case.closure_outcome else ""
    frames.closed_on = timezone.localtime(case.closed_at).date() if case.closed_at else None
    frames.follow_ups = list(FollowUp.objects.filter(case=case).order_by("due_on"))
    return frames
