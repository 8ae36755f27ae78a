"""Pool gaps: the needs of waiting cases that the mentor pool cannot meet, grouped into
profiles a recruiter can act on ("female · Urdu · Islamic theology · Birmingham").

For every case awaiting a match with no live match, the feasible mentors are counted
in one vectorised pass over the whole waiting list (``scoring.allowed_pairs``), and a
second pass counts them as if every mentor's places were free, which tells "nobody
with this profile" from "such mentors exist but are full". A case with
``policy.few_feasible`` feasible mentors or fewer is a gap. Gaps with the same unmet
needs form a profile; profiles are ranked by how many people wait, then by the longest
wait, then by the fewest feasible mentors.

The number of queries does not depend on how many cases wait.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from tandem.cases.models import Case, MentorGenderPreference, Urgency
from tandem.core.disclosure import THRESHOLD, protect_counts, rounded, shown

from . import scoring
from .explain import by_count, exclusion_summary, exclusion_words
from .features import Pool, load_cases, weights_of
from .models import CaseNeeds, MatchingPolicy
from .poolcache import cached_pool
from .scoring import CaseArrays, MentorArrays, Weights
from .selectors import waiting_cases

# Nearly every mentor speaks English: a case that can be mentored in English has no
# language need worth recruiting for.
ENGLISH = "English"

GENDER_WORDS = {MentorGenderPreference.FEMALE: "female", MentorGenderPreference.MALE: "male"}


@dataclass(frozen=True, order=True)
class Need:
    """What a waiting case needs that the pool may lack; equal needs share a profile."""

    gender: str = ""  # "female", "male" or "" (any)
    languages: tuple[str, ...] = ()  # any one of these; () when English will do
    specialisms: tuple[str, ...] = ()  # the required specialism, or the concern's theology
    area: str = ""
    experience: str = ""  # "urgent: needs Accredited or above" when experience excludes

    @property
    def parts(self) -> list[str]:
        parts = [self.gender] if self.gender else []
        if self.languages:
            parts.append(" or ".join(self.languages))
        if self.specialisms:
            parts.append(" or ".join(self.specialisms))
        parts += [part for part in (self.area, self.experience) if part]
        return parts

    @property
    def label(self) -> str:
        return " · ".join(self.parts) or "no particular needs"


@dataclass(frozen=True)
class GapCase:
    pk: int
    reference: str
    waiting_since: dt.datetime
    feasible: int
    feasible_if_free: int


@dataclass(frozen=True)
class Profile:
    need: Need
    cases: tuple[GapCase, ...]  # longest waiting first
    feasible: int  # the most feasible mentors any of its cases has
    feasible_if_free: int  # the same, were every mentor's places free
    waiting_since: dt.datetime  # when the longest wait began
    top_exclusion: str  # the constraint that excludes most mentors, in words ("" if none)
    top_excluded: int  # how many mentors it excludes
    exclusions: str  # every exclusion for the longest-waiting case, in words

    @property
    def label(self) -> str:
        return self.need.label

    @property
    def waiting(self) -> int:
        return len(self.cases)


@dataclass(frozen=True)
class GapReport:
    profiles: list[Profile]
    waiting: int  # cases awaiting a match with no live match
    gaps: int  # of those, cases with few_feasible feasible mentors or fewer
    few_feasible: int
    mentors: int  # active mentors in the pool


def load_policy() -> MatchingPolicy:
    """The policy with its accreditation levels (so reading them costs no query)."""
    try:
        return MatchingPolicy.objects.select_related(
            "priority_min_level", "urgent_min_level", "high_risk_min_level"
        ).get(pk=1)
    except MatchingPolicy.DoesNotExist:
        return MatchingPolicy.load()


def feasible_counts(cases: CaseArrays, mentors: MentorArrays, weights: Weights) -> np.ndarray:
    """How many mentors may take each case now."""
    pair_case, _, _ = scoring.allowed_pairs(cases, mentors, weights)
    return np.bincount(pair_case, minlength=len(cases))


def with_places_free(mentors: MentorArrays) -> MentorArrays:
    """The pool as if no mentor held any match."""
    return replace(mentors, spare=mentors.cap.copy())


def experience_words(case: Case, min_rank: int, policy: MatchingPolicy) -> str:
    """Why the case needs an experienced mentor and which level, in words."""
    rules = (
        ("urgent", policy.urgent_min_level, case.urgency == Urgency.URGENT),
        ("priority", policy.priority_min_level, case.urgency == Urgency.PRIORITY),
        ("high concern", policy.high_risk_min_level, True),
    )
    for reason, level, applies in rules:
        if applies and level is not None and level.rank == min_rank:
            return f"{reason}: needs {level.name} or above"
    return "needs a more experienced mentor"


def need_of(case: Case, *, experience: str = "") -> Need:
    """The case's needs that matter for recruiting (languages and the concern's
    specialisms prefetched, as ``features.cases_for_matching`` does)."""
    languages: tuple[str, ...] = ()
    if not case.interpreter_needed:
        languages = tuple(sorted(language.name for language in case.languages.all()))
        if ENGLISH in languages:
            languages = ()
    required = CaseNeeds.of(case).required_specialism
    if required is not None:
        specialisms = (required.name,)
    else:
        specialisms = tuple(
            sorted(s.name for s in case.concern_type.specialisms.all() if s.is_theology)
        )
    return Need(
        gender=GENDER_WORDS.get(case.mentor_gender_preference, ""),
        languages=languages,
        specialisms=specialisms,
        area=case.area.name if case.area_id else "",
        experience=experience,
    )


def _top_exclusion(excluded: dict[str, int], words: dict[str, str]) -> tuple[str, int]:
    if not excluded:
        return "", 0
    name, count = by_count(excluded)[0]
    return words[name], count


def pool_gaps(
    cases: list[Case] | None = None,
    *,
    policy: MatchingPolicy | None = None,
    pool: Pool | None = None,
) -> GapReport:
    """The gaps among ``cases`` (by default every case awaiting a match with no live
    match, as ``selectors.waiting_cases()`` lists them), grouped and ranked."""
    policy = policy or load_policy()
    cases = list(waiting_cases() if cases is None else cases)
    if not cases:
        return GapReport([], 0, 0, policy.few_feasible, 0)
    pool = pool or cached_pool()
    waiting = load_cases(cases, pool, policy)
    weights = weights_of(policy)
    free = with_places_free(pool.arrays)
    feasible = feasible_counts(waiting.arrays, pool.arrays, weights)
    feasible_free = feasible_counts(waiting.arrays, free, weights)
    is_gap = feasible <= policy.few_feasible

    # Experience is part of the need only where it keeps mentors out: relaxing it
    # would add feasible mentors, now or once places are free.
    min_rank = waiting.arrays.min_rank
    experience_excludes = np.zeros(len(cases), dtype=bool)
    if (is_gap & (min_rank > 0)).any():
        relaxed = replace(waiting.arrays, min_rank=np.zeros_like(min_rank))
        experience_excludes = (min_rank > 0) & (
            (feasible_counts(relaxed, pool.arrays, weights) > feasible)
            | (feasible_counts(relaxed, free, weights) > feasible_free)
        )

    groups: dict[Need, list[int]] = defaultdict(list)
    for i in np.flatnonzero(is_gap).tolist():
        case = cases[i]
        experience = (
            experience_words(case, int(min_rank[i]), policy) if experience_excludes[i] else ""
        )
        groups[need_of(case, experience=experience)].append(i)

    profiles = []
    for need, members in groups.items():
        members.sort(key=lambda i: (cases[i].status_changed_at, cases[i].pk))
        first = members[0]
        suggestions = scoring.suggest(waiting.arrays, pool.arrays, weights, first, k=1)
        words = exclusion_words(cases[first], policy)
        top, top_count = _top_exclusion(suggestions.excluded, words)
        profiles.append(
            Profile(
                need=need,
                cases=tuple(
                    GapCase(
                        pk=cases[i].pk,
                        reference=cases[i].reference,
                        waiting_since=cases[i].status_changed_at,
                        feasible=int(feasible[i]),
                        feasible_if_free=int(feasible_free[i]),
                    )
                    for i in members
                ),
                feasible=int(feasible[members].max()),
                feasible_if_free=int(feasible_free[members].max()),
                waiting_since=cases[first].status_changed_at,
                top_exclusion=top,
                top_excluded=top_count,
                exclusions=exclusion_summary(suggestions.excluded, words),
            )
        )
    profiles.sort(key=lambda p: (-p.waiting, p.waiting_since, p.feasible, p.need))
    return GapReport(
        profiles=profiles,
        waiting=len(cases),
        gaps=int(is_gap.sum()),
        few_feasible=policy.few_feasible,
        mentors=len(pool.pks),
    )


# What board members see -------------------------------------------------------------------


@dataclass(frozen=True)
class ProtectedProfile:
    label: str
    waiting: str  # a protected count
    longest_wait_since: dt.datetime | None
    top_exclusion: str


def protected_profiles(report: GapReport) -> tuple[list[ProtectedProfile], str]:
    """The profiles as people without access to the cases may see them, and the protected
    number of gaps. A profile shared by fewer than ``THRESHOLD`` people would describe a
    handful of people by their needs and area, so those are merged into one row; the
    counts then go through the shared disclosure control with their total."""
    large = [p for p in report.profiles if p.waiting >= THRESHOLD]
    small = [p for p in report.profiles if p.waiting < THRESHOLD]
    counts = [p.waiting for p in large] + ([sum(p.waiting for p in small)] if small else [])
    protected, total = protect_counts(counts)
    rows = [
        ProtectedProfile(
            label=p.label,
            waiting=shown(value),
            longest_wait_since=p.waiting_since,
            top_exclusion=p.top_exclusion,
        )
        for p, value in zip(large, protected, strict=False)
    ]
    if small:
        rows.append(
            ProtectedProfile(
                label=f"Other needs, each shared by fewer than {THRESHOLD} people",
                waiting=shown(protected[-1]),
                longest_wait_since=None,
                top_exclusion="",
            )
        )
    return rows, shown(total)


def protected_count(count: int) -> str:
    """One count on its own: withheld from 1 to 7, otherwise rounded."""
    return shown(None if 0 < count < THRESHOLD else rounded(count))


@dataclass(frozen=True)
class NeedTable:
    caption: str
    heading: str
    rows: list[tuple[str, str]]  # (group, protected count)
    total: str


def protected_needs(report: GapReport, *, areas: list[str]) -> list[NeedTable]:
    """The gaps counted by one need at a time (the mentor gender needed, the area), each
    a fixed list of groups (every area of the scheme, so a row's presence tells nothing)
    with its total, through the shared disclosure control: a signal for recruiting even
    when every profile is too small to describe."""
    dimensions = (
        (
            "By the mentor gender needed",
            "Mentor gender",
            lambda need: need.gender or "any",
            ["female", "male", "any"],
        ),
        ("By area", "Area", lambda need: need.area or "not known", [*areas, "not known"]),
    )
    tables = []
    for caption, heading, key, listed in dimensions:
        counts: dict[str, int] = defaultdict(int)
        for profile in report.profiles:
            counts[key(profile.need)] += profile.waiting
        labels = listed + sorted(set(counts) - set(listed))
        protected, total = protect_counts([counts[label] for label in labels])
        tables.append(
            NeedTable(
                caption=caption,
                heading=heading,
                rows=[
                    (label[0].upper() + label[1:], shown(value))
                    for label, value in zip(labels, protected, strict=True)
                ],
                total=shown(total),
            )
        )
    return tables
