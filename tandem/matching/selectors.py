"""Matching's reads: the best mentors for one case with everything the pages show about
each (one place that reads the pool, scores it and explains the shown mentors), whether
one mentor may take one case, the cases waiting, the alternatives for a batch pair, and
each mentor's live matches for the register's caseload."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.utils import timezone

from tandem.cases.models import Case, CaseStatus
from tandem.cases.selectors import urgency_rank
from tandem.mentors.matchability import (
    Rules,
    mentor_matchability,
    prefetch_for_matchability,
)
from tandem.mentors.models import Mentor

from . import scoring
from .explain import Part, exclusion_words, explain, prefetch_for_explanation
from .features import cases_for_matching, load_cases, load_pool, weights_of
from .models import LIVE, BatchProposal, Match, MatchingPolicy, MatchStatus
from .poolcache import cached_pool


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
    # The whole pool is kept between requests; a few named mentors are read afresh.
    pool = cached_pool() if mentor_ids is None else load_pool(mentor_ids=mentor_ids)
    case = cases_for_matching(Case.objects.filter(pk=case.pk)).get()
    if not len(pool.pks):
        return Ranking(case, policy, 0, 0, {})
    waiting = load_cases([case], pool, policy)
    result = scoring.suggest(waiting.arrays, pool.arrays, weights_of(policy), 0, k=k)
    ids = [int(pool.pks[j]) for j in result.mentors]
    shown = prefetch_for_explanation(Mentor.objects.filter(pk__in=ids)).in_bulk()
    ranked = []
    for row, j in enumerate(result.mentors.tolist()):
        if (mentor := shown.get(int(pool.pks[j]))) is None:
            continue  # gone since the pool was read
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


# One pair ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairVerdict:
    allowed: bool
    reason: str  # why not, in words; empty when allowed
    score: int
    explanation: list[dict]
    spare: int = 0  # the mentor's places not held by a live match


def evaluate_pair(case: Case, mentor: Mentor) -> PairVerdict:
    """Whether ``mentor`` may take ``case`` now, and the score and its breakdown."""
    ranking = rank_mentors(case, k=1, mentor_ids=[mentor.pk])
    if not ranking.pool_size:
        return PairVerdict(False, f"{mentor} is not an active mentor.", 0, [])
    if not ranking.allowed:
        (name,) = ranking.excluded
        reason = exclusion_words(ranking.case, ranking.policy)[name]
        if name == "unavailable":
            # The register's own reasons in words ("Supervision overdue since …").
            one = prefetch_for_matchability(Mentor.objects.filter(pk=mentor.pk)).get()
            reason = "; ".join(mentor_matchability(one, Rules.load()).reasons) or reason
        return PairVerdict(False, f"{mentor} cannot take this case: {reason}.", 0, [])
    (ranked,) = ranking.mentors
    return PairVerdict(True, "", ranked.score, [p.as_dict() for p in ranked.parts], ranked.spare)


# The mentors held back ------------------------------------------------------------------

HELD_BACK_SHOWN = 20


@dataclass(frozen=True)
class HeldBackMentor:
    mentor: Mentor
    reasons: tuple[str, ...]  # the register's, in words ("Supervision overdue since …")


@dataclass(frozen=True)
class HeldBack:
    count: int  # every active mentor held back
    mentors: list[HeldBackMentor]  # the first ``HELD_BACK_SHOWN`` by name

    @property
    def more(self) -> int:
        return self.count - len(self.mentors)


def held_back(*, limit: int = HELD_BACK_SHOWN) -> HeldBack:
    """The active mentors the register says cannot take a case today (vetting,
    accreditation, code of conduct, no place left under the lowest cap that applies, and
    the rules of the capabilities above it, such as overdue supervision), with the
    reasons in words: how many, and the first ``limit`` by name. Suggestions and batch
    matching leave them all out. Read from the pool kept between requests (matchable,
    with a place left under the lowest cap: ``annotate_matchable``'s ``is_matchable``),
    then the shown mentors' reasons: a fixed number of queries, whatever the pool's
    size."""
    pool = cached_pool()
    blocked = pool.pks[~(pool.arrays.matchable & (pool.arrays.spare > 0))].tolist()
    if not blocked:
        return HeldBack(0, [])
    rules = Rules.load()
    shown = prefetch_for_matchability(Mentor.objects.filter(pk__in=blocked), rules.today).order_by(
        "full_name", "pk"
    )[:limit]
    return HeldBack(
        len(blocked),
        [HeldBackMentor(m, mentor_matchability(m, rules).reasons) for m in shown],
    )


# The cases waiting and a batch's alternatives ------------------------------------------


def unmatched_cases():
    """Cases awaiting a match with no live proposal, most urgent and longest waiting first."""
    return (
        Case.objects.filter(status=CaseStatus.AWAITING_MATCH)
        .exclude(matches__status__in=LIVE)
        .annotate(urgency_rank=urgency_rank())
        .order_by("urgency_rank", "status_changed_at", "pk")
    )


def waiting_cases():
    """``unmatched_cases`` with everything matching reads about them."""
    return cases_for_matching(unmatched_cases())


@dataclass(frozen=True)
class Alternative:
    mentor: Mentor
    score: int
    delta: int  # change to the batch total if this mentor replaces the current one
    places_left: int  # in this batch, after the other pairs
    explanation: list


def alternatives(batch: BatchProposal, case: Case, *, limit: int = 10) -> list[Alternative]:
    """Allowed mentors for ``case`` in this batch, best first, with the effect of each
    on the batch total and how many places each has left once the batch's other
    pairs are counted (a mentor with none cannot be chosen without freeing one)."""
    ranking = rank_mentors(case, k=limit)
    current = batch.pairs.filter(case=case).first()
    used: dict[int, int] = {}
    for mentor_id in batch.pairs.exclude(case=case).values_list("mentor_id", flat=True):
        used[mentor_id] = used.get(mentor_id, 0) + 1
    return [
        Alternative(
            mentor=r.mentor,
            score=r.score,
            delta=r.score - (current.score if current else 0),
            places_left=r.spare - used.get(r.mentor.pk, 0),
            explanation=r.parts,
        )
        for r in ranking.mentors
    ]


# The register's caseload ---------------------------------------------------------------


def live_match_count() -> Subquery:
    """The live matches (proposed, accepted or active) of the mentor in the outer query:
    the caseload their cap is measured against. A proposal holds a place until the
    mentor declines it, so two proposals can never overbook the same mentor. NULL for a
    mentor with none."""
    return Subquery(
        Match.objects.filter(mentor=OuterRef("pk"), status__in=LIVE)
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def match_facts(case) -> dict:
    """The case's live match, for the case page's guidance
    (``cases.guidance.register_fact_source``): one query."""
    live = (
        Match.objects.filter(case=case, status__in=LIVE)
        .order_by("-proposed_at", "-pk")
        .values("pk", "status")
        .first()
    )
    if live is None:
        return {"match_status": "", "match_id": None}
    return {"match_status": live["status"], "match_id": live["pk"]}


def answer_days() -> int:
    """Days a mentor has to answer a proposal before it counts as unanswered."""
    return settings.TANDEM_PROPOSAL_ANSWER_DAYS


def unanswered(matches: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    """The proposals among ``matches`` their mentor has left unanswered for more than
    ``answer_days()`` days."""
    now = now or timezone.now()
    return matches.filter(
        status=MatchStatus.PROPOSED, proposed_at__lt=now - dt.timedelta(days=answer_days())
    )
