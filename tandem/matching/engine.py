"""Exact batch assignment of waiting cases to mentors.

The problem
-----------
There are ``n_cases`` cases awaiting a match and ``len(capacity)`` mentors; mentor ``j`` has
``capacity[j]`` spare places. Scoring (elsewhere) lists the *allowed* (case, mentor) pairs, each
with a non-negative integer score. A pair that is not listed is never used. Each case gets at
most one mentor and no mentor gets more cases than spare places.

The objective is lexicographic: first match as many cases as possible, then, among all
assignments that match that many, maximise the total score. A person left waiting is a worse
outcome than a slightly weaker pairing for someone else, so no amount of score may be bought at
the price of an unmatched case. Ordering the goals this way also means the result does not
depend on how scores are scaled.

The formulation
---------------
A bipartite min-cost flow, solved exactly by OR-Tools' ``SimpleMinCostFlow`` (cost-scaling
push-relabel):

- one node per case with supply 1, one node per mentor with demand ``capacity[j]``;
- one arc per allowed pair, capacity 1, unit cost ``max_score - score``.

Only the allowed pairs become arcs (never a dense case-by-mentor matrix), and pairs to mentors
with no spare place are dropped before building. ``solve_max_flow_with_min_cost`` finds the
maximum flow (the most cases that can be matched) and, among maximum flows, one of minimum cost.
Every maximum flow carries the same number ``F`` of units, so its cost is
``F * max_score - total_score``: minimising cost is maximising score, with costs kept
non-negative. Flow problems with integer capacities have integral optima, so the flow is an
assignment. The solver is deterministic: the same input gives the same output.
"""

from __future__ import annotations

import operator
import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

__all__ = ["Assignment", "assign", "assign_with_stats"]

_MAX_NODES = np.iinfo(np.int32).max  # OR-Tools node and arc indices are 32-bit.
_MAX_SCORE = 2**40  # Scaled by the node count, costs stay in int64 up to 2**22 nodes.


@dataclass(frozen=True, slots=True, eq=False)
class Assignment:
    """The optimal assignment and how long each stage took.

    ``mentor_of[i]`` is the mentor index of case ``i`` or -1 when it stays unmatched.
    ``solve_seconds`` times exactly the solver call; ``build_seconds`` covers validation and
    building the network; ``extract_seconds`` covers reading the flows back.
    """

    mentor_of: np.ndarray
    matched: int
    total_score: int
    build_seconds: float
    solve_seconds: float
    extract_seconds: float


def _int_array(name: str, values: object) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        return array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integers, got dtype {array.dtype}")
    return array


def _validate(
    n_cases: int,
    capacity: object,
    pair_case: object,
    pair_mentor: object,
    pair_score: object,
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_cases = operator.index(n_cases)
    if n_cases < 0:
        raise ValueError(f"n_cases must be non-negative, got {n_cases}")
    capacity = _int_array("capacity", capacity)
    case = _int_array("pair_case", pair_case)
    mentor = _int_array("pair_mentor", pair_mentor)
    score = _int_array("pair_score", pair_score)
    n_mentors = capacity.size
    if n_cases + n_mentors > _MAX_NODES:
        raise ValueError(f"too many cases and mentors ({n_cases} + {n_mentors})")

    if not case.size == mentor.size == score.size:
        raise ValueError(
            "pair_case, pair_mentor and pair_score must have equal lengths, got "
            f"{case.size}, {mentor.size} and {score.size}"
        )
    if n_mentors and capacity.min() < 0:
        raise ValueError(f"capacity must be non-negative, got {capacity.min()}")
    capacity = capacity.astype(np.int64, copy=False)
    if case.size == 0:
        return n_cases, capacity, case, mentor, score
    if case.size > _MAX_NODES:
        raise ValueError(f"too many pairs ({case.size})")
    if case.min() < 0 or case.max() >= n_cases:
        raise ValueError(
            f"pair_case must lie in [0, {n_cases}), got values from {case.min()} to {case.max()}"
        )
    if mentor.min() < 0 or mentor.max() >= n_mentors:
        raise ValueError(
            f"pair_mentor must lie in [0, {n_mentors}), got values from {mentor.min()} "
            f"to {mentor.max()}"
        )
    if score.min() < 0:
        raise ValueError(f"pair_score must be non-negative, got {score.min()}")
    if score.max() > _MAX_SCORE:
        raise ValueError(f"pair_score must be at most {_MAX_SCORE}, got {score.max()}")
    case = case.astype(np.int64, copy=False)
    mentor = mentor.astype(np.int64, copy=False)
    score = score.astype(np.int64, copy=False)

    # One int64 key per pair; sorted keys make duplicates adjacent. Scoring usually emits pairs
    # sorted by case then mentor, so an already increasing key skips the sort.
    key = case * n_mentors + mentor
    if key.size > 1 and not np.all(key[1:] > key[:-1]):
        key.sort()
        repeated = np.flatnonzero(key[1:] == key[:-1])
        if repeated.size:
            first = int(key[repeated[0]])
            raise ValueError(
                f"duplicate (case, mentor) pair ({first // n_mentors}, {first % n_mentors}); "
                f"{repeated.size} duplicate(s) in all"
            )
    return n_cases, capacity, case, mentor, score


def assign_with_stats(
    n_cases: int,
    capacity: object,
    pair_case: object,
    pair_mentor: object,
    pair_score: object,
) -> Assignment:
    """Like :func:`assign`, returning the assignment with its totals and stage timings."""
    started = time.perf_counter()
    n_cases, capacity, case, mentor, score = _validate(
        n_cases, capacity, pair_case, pair_mentor, pair_score
    )
    mentor_of = np.full(n_cases, -1, dtype=np.int64)

    if capacity.size and not capacity.all():
        open_pair = capacity[mentor] > 0
        if not open_pair.all():
            case, mentor, score = case[open_pair], mentor[open_pair], score[open_pair]
    if case.size == 0:
        return Assignment(mentor_of, 0, 0, time.perf_counter() - started, 0.0, 0.0)

    # Node i is case i, node n_cases + j is mentor j. Every case supplies one unit and every
    # mentor with a spare place absorbs up to its capacity; nodes without arcs stay idle.
    tails = case.astype(np.int32)
    heads = mentor.astype(np.int32)
    heads += n_cases
    costs = score.max() - score
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        tails, heads, np.broadcast_to(np.int64(1), case.shape), costs
    )
    open_mentor = np.flatnonzero(capacity)
    solver.set_nodes_supplies(
        np.concatenate([np.arange(n_cases), open_mentor + n_cases]).astype(np.int32),
        np.concatenate([np.ones(n_cases, dtype=np.int64), -capacity[open_mentor]]),
    )
    built = time.perf_counter()

    status = solver.solve_max_flow_with_min_cost()
    solved = time.perf_counter()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow solver returned {status.name}, not OPTIMAL")

    used = solver.flows(arcs) > 0
    matched_case = case[used]
    mentor_of[matched_case] = mentor[used]
    matched = int(matched_case.size)
    total_score = int(score[used].sum(dtype=np.int64))
    if matched != solver.maximum_flow():
        raise RuntimeError(f"flow of {solver.maximum_flow()} but {matched} pairs used")
    extracted = time.perf_counter()
    return Assignment(
        mentor_of=mentor_of,
        matched=matched,
        total_score=total_score,
        build_seconds=built - started,
        solve_seconds=solved - built,
        extract_seconds=extracted - solved,
    )


def assign(
    n_cases: int,
    capacity: object,
    pair_case: object,
    pair_mentor: object,
    pair_score: object,
) -> np.ndarray:
    """Assign cases to mentors: as many matches as possible, then the highest total score.

    ``capacity[j]`` is mentor ``j``'s number of spare places. ``pair_case``, ``pair_mentor`` and
    ``pair_score`` are equal-length integer arrays listing the allowed pairs and their
    non-negative scores; each (case, mentor) pair appears at most once. Returns an int64 array of
    length ``n_cases`` holding each case's mentor index, or -1 for a case left unmatched.
    Pairs sorted by case, then mentor, are fastest: the duplicate check needs no sort and the
    solver works faster on arcs grouped by case.

    Raises ``ValueError`` for malformed input and ``RuntimeError`` if the solver does not
    report an optimal solution.
    """
    return assign_with_stats(n_cases, capacity, pair_case, pair_mentor, pair_score).mentor_of
