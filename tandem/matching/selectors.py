"""The best mentors for one case, with everything the pages show about each: one
place that reads the pool, scores it and explains the shown mentors."""

from __future__ import annotations

from dataclasses import dataclass, field

from tandem.cases.models import Case
from tandem.mentors.models import Mentor

from . import scoring
from .explain import Part, explain, prefetch_for_explanation
from .features import cases_for_matching, load_cases, load_pool, weights_of
from .models import MatchingPolicy


@dataclass(frozen=True)
class Ranked:
    mentor: Mentor  # prefetched for explanation, with ``current_caseload`` set
    score: int
    spare: int  # places not held by a live match
    parts: list[Part]


@dataclass(frozen=True)
class Ranking:
    case: Case  # loaded with what matching reads
    policy: MatchingPolicy
    pool_size: int
    allowed: int
    excluded: dict[str, int]
    mentors: list[Ranked] = field(default_factory=list)


def rank_mentors(case: Case, *, k: int, mentor_ids: list[int] | None = None) -> Ranking:
    """The ``k`` best allowed mentors for ``case`` (among ``mentor_ids`` when given),
    best first, explained; and who was excluded for what."""
    policy = MatchingPolicy.load()
    pool = load_pool(mentor_ids=mentor_ids)
    case = cases_for_matching(Case.objects.filter(pk=case.pk)).get()
    if not len(pool.pks):
        return Ranking(case, policy, 0, 0, {})
    waiting = load_cases([case], pool, policy)
    result = scoring.suggest(waiting.arrays, pool.arrays, weights_of(policy), 0, k=k)
    ids = [int(pool.pks[j]) for j in result.mentors]
    shown = prefetch_for_explanation(Mentor.objects.filter(pk__in=ids)).in_bulk()
    ranked = []
    for row, j in enumerate(result.mentors.tolist()):
        mentor = shown[int(pool.pks[j])]
        mentor.current_caseload = int(pool.arrays.cap[j] - pool.arrays.spare[j])
        ranked.append(
            Ranked(
                mentor=mentor,
                score=int(result.scores[row]),
                spare=int(pool.arrays.spare[j]),
                parts=explain(case, mentor, result.parts[row], result.contributions[row]),
            )
        )
    return Ranking(case, policy, len(pool.pks), result.allowed, result.excluded, ranked)
