"""The assignment engine: feasibility, lexicographic optimality, determinism and input checks.

Optimality is checked against two independent solvers: brute force over every assignment for
tiny instances, and scipy's Hungarian-type ``linear_sum_assignment`` on a slot-expanded matrix for
slightly bigger ones.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from tandem.matching.engine import Assignment, assign, assign_with_stats


@dataclass(frozen=True)
class Instance:
    n_cases: int
    capacity: list[int]
    pairs: dict[tuple[int, int], int]  # (case, mentor) -> score

    def arrays(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        keys = list(self.pairs)
        return (
            self.n_cases,
            np.array(self.capacity, dtype=np.int64),
            np.array([c for c, _ in keys], dtype=np.int64),
            np.array([m for _, m in keys], dtype=np.int64),
            np.array([self.pairs[k] for k in keys], dtype=np.int64),
        )


def check_feasible(instance: Instance, mentor_of: np.ndarray) -> tuple[int, int]:
    """Assert the result respects every constraint; return (matched, total score)."""
    assert mentor_of.dtype == np.int64
    assert mentor_of.shape == (instance.n_cases,)
    load = [0] * len(instance.capacity)
    matched = score = 0
    for case, mentor in enumerate(mentor_of.tolist()):
        if mentor == -1:
            continue
        assert (case, mentor) in instance.pairs, f"unlisted pair ({case}, {mentor}) used"
        load[mentor] += 1
        matched += 1
        score += instance.pairs[case, mentor]
    for mentor, (used, spare) in enumerate(zip(load, instance.capacity, strict=True)):
        assert used <= spare, f"mentor {mentor} given {used} cases for {spare} places"
    return matched, score


def brute_force(instance: Instance) -> tuple[int, int]:
    """Best (matched, total score) over every assignment, lexicographically."""
    options = [
        [-1, *(m for m in range(len(instance.capacity)) if (c, m) in instance.pairs)]
        for c in range(instance.n_cases)
    ]
    best = (0, 0)
    for choice in itertools.product(*options):
        chosen = [m for m in choice if m != -1]
        if any(chosen.count(m) > spare for m, spare in enumerate(instance.capacity)):
            continue
        value = (
            len(chosen),
            sum(instance.pairs[c, m] for c, m in enumerate(choice) if m != -1),
        )
        best = max(best, value)
    return best


def slot_assignment(instance: Instance) -> tuple[int, int]:
    """Best (matched, total score) via scipy on a matrix with one column per mentor place."""
    slots = [m for m, spare in enumerate(instance.capacity) for _ in range(spare)]
    if instance.n_cases == 0 or not slots:
        return 0, 0
    max_score = max(instance.pairs.values(), default=0)
    # Allowed pairs cost max_score - score (0..max_score); forbidden ones cost more than any
    # n_cases allowed pairs together, so one more allowed pair always beats any score gain.
    big = (instance.n_cases + 1) * (max_score + 1)
    cost = np.full((instance.n_cases, len(slots)), big, dtype=np.int64)
    for col, mentor in enumerate(slots):
        for case in range(instance.n_cases):
            if (case, mentor) in instance.pairs:
                cost[case, col] = max_score - instance.pairs[case, mentor]
    rows, cols = linear_sum_assignment(cost)
    allowed = [(r, slots[c]) for r, c in zip(rows, cols, strict=True) if cost[r, c] < big]
    return len(allowed), sum(instance.pairs[p] for p in allowed)


@st.composite
def instances(draw, max_cases: int, max_mentors: int) -> Instance:
    n_cases = draw(st.integers(0, max_cases))
    n_mentors = draw(st.integers(0, max_mentors))
    capacity = draw(st.lists(st.integers(0, 3), min_size=n_mentors, max_size=n_mentors))
    density = draw(st.sampled_from([0.2, 0.5, 1.0]))
    pairs = {}
    for case in range(n_cases):
        for mentor in range(n_mentors):
            if draw(st.floats(0, 1)) < density:
                pairs[case, mentor] = draw(st.integers(0, 20))
    return Instance(n_cases, capacity, pairs)


def random_arrays(
    n_cases: int, n_mentors: int, per_case: int, max_score: int, seed: int
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    capacity = rng.integers(0, 4, n_mentors)
    key = np.unique(
        np.repeat(np.arange(n_cases), per_case) * n_mentors
        + rng.integers(0, n_mentors, n_cases * per_case)
    )
    score = rng.integers(0, max_score + 1, key.size)
    return n_cases, capacity, key // n_mentors, key % n_mentors, score


# Hand-made instances


def test_capacity_is_respected_and_best_scores_win():
    # Three cases want one mentor with two places: the two highest scores are matched.
    result = assign(3, [2], [0, 1, 2], [0, 0, 0], [5, 9, 7])
    assert result.tolist() == [-1, 0, 0]


def test_more_matches_beat_a_higher_score():
    # Case 0 would score 100 with mentor 0, but mentor 0 is case 1's only option: matching both
    # (total 2) is preferred to matching case 0 alone (total 100).
    result = assign(2, [1, 1], [0, 0, 1], [0, 1, 0], [100, 1, 1])
    assert result.tolist() == [1, 0]


def test_score_decides_between_equally_large_matchings():
    # Both matchings pair both cases; the crossed one scores 8 + 7 against 5 + 6.
    result = assign(2, [1, 1], [0, 0, 1, 1], [0, 1, 0, 1], [5, 8, 7, 6])
    assert result.tolist() == [1, 0]


def test_cases_without_a_listed_pair_stay_unmatched():
    result = assign(3, [3], [1], [0], [4])
    assert result.tolist() == [-1, 0, -1]


def test_mentors_without_spare_places_are_never_used():
    result = assign(2, [0, 1], [0, 0, 1], [0, 1, 0], [50, 1, 50])
    assert result.tolist() == [1, -1]


def test_stats_report_the_assignment():
    stats = assign_with_stats(3, [1, 1], [0, 1, 2, 2], [0, 0, 1, 0], [3, 4, 2, 9])
    assert isinstance(stats, Assignment)
    assert stats.mentor_of.tolist() == [-1, 0, 1]
    assert (stats.matched, stats.total_score) == (2, 6)
    assert min(stats.build_seconds, stats.solve_seconds, stats.extract_seconds) >= 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.matched = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("n_cases", "capacity", "pairs"),
    [
        (0, [], []),
        (0, [2, 1], []),
        (4, [], []),
        (4, [1, 2], []),
        (2, [0, 0], [(0, 0, 3), (1, 1, 4)]),
    ],
)
def test_nothing_to_match_leaves_every_case_unmatched(n_cases, capacity, pairs):
    case, mentor, score = ([p[k] for p in pairs] for k in range(3))
    stats = assign_with_stats(n_cases, capacity, case, mentor, score)
    assert stats.mentor_of.dtype == np.int64
    assert stats.mentor_of.tolist() == [-1] * n_cases
    assert (stats.matched, stats.total_score) == (0, 0)


def test_accepts_lists_and_narrow_integer_types():
    expected = assign(2, [1, 1], [0, 1], [1, 0], [2, 3])
    narrow = assign(
        2,
        np.array([1, 1], dtype=np.uint8),
        np.array([0, 1], dtype=np.int16),
        np.array([1, 0], dtype=np.uint32),
        np.array([2, 3], dtype=np.int32),
    )
    assert expected.tolist() == narrow.tolist() == [1, 0]


def test_does_not_modify_its_input():
    arrays = random_arrays(50, 20, 6, 9, seed=3)
    rng = np.random.default_rng(0)
    order = rng.permutation(arrays[2].size)
    n_cases, capacity, case, mentor, score = (arrays[0], *(a.copy() for a in arrays[1:]))
    case, mentor, score = case[order], mentor[order], score[order]
    before = [a.copy() for a in (capacity, case, mentor, score)]
    assign(n_cases, capacity, case, mentor, score)
    for original, now in zip(before, (capacity, case, mentor, score), strict=True):
        assert np.array_equal(original, now)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, [1], [], [], []), "n_cases must be non-negative, got -1"),
        ((2, [1], [0, 1], [0], [1, 1]), "must have equal lengths, got 2, 1 and 2"),
        ((2, [1], [0], [0], [1, 2]), "must have equal lengths, got 1, 1 and 2"),
        ((2, [1], [2], [0], [1]), "pair_case must lie in [0, 2), got values from 2 to 2"),
        ((2, [1], [-1, 1], [0, 0], [1, 1]), "pair_case must lie in [0, 2), got values from -1"),
        ((0, [1], [0], [0], [1]), "pair_case must lie in [0, 0)"),
        ((2, [1, 1], [0], [2], [1]), "pair_mentor must lie in [0, 2), got values from 2 to 2"),
        ((2, [1, 1], [0], [-3], [1]), "pair_mentor must lie in [0, 2), got values from -3"),
        ((2, [], [0], [0], [1]), "pair_mentor must lie in [0, 0)"),
        ((2, [1], [0, 1], [0, 0], [4, -2]), "pair_score must be non-negative, got -2"),
        ((2, [1, -1], [0], [0], [1]), "capacity must be non-negative, got -1"),
        ((2, [1], [0], [0], [2**41]), "pair_score must be at most"),
        ((2, [1], [0, 1, 0], [0, 0, 0], [1, 2, 3]), "duplicate (case, mentor) pair (0, 0)"),
        ((3, [1, 1], [0, 1, 1], [1, 0, 0], [1, 2, 3]), "duplicate (case, mentor) pair (1, 0)"),
        ((2, [1], [0.0], [0], [1]), "pair_case must hold integers, got dtype float64"),
        ((2, [1], [0], [0], [1.5]), "pair_score must hold integers, got dtype float64"),
        ((2, [1.0], [0], [0], [1]), "capacity must hold integers"),
        ((2, [1], [[0]], [[0]], [[1]]), "pair_case must be one-dimensional, got shape (1, 1)"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        assign(*args)


def test_duplicates_are_counted():
    with pytest.raises(ValueError, match=r"; 2 duplicate\(s\) in all"):
        assign(2, [1, 1], [1, 0, 1, 0, 0], [1, 0, 1, 0, 1], [1, 1, 1, 1, 1])


def test_non_integer_case_count_is_refused():
    with pytest.raises(TypeError):
        assign(2.0, [1], [0], [0], [1])  # type: ignore[arg-type]


# Determinism


def test_same_input_gives_the_same_output():
    # Scores 0..3 leave many optimal assignments; the engine must always pick the same one.
    arrays = random_arrays(400, 150, 12, 3, seed=7)
    first = assign_with_stats(*arrays)
    second = assign_with_stats(*(a.copy() if isinstance(a, np.ndarray) else a for a in arrays))
    assert first.matched > 0
    assert np.array_equal(first.mentor_of, second.mentor_of)
    assert (first.matched, first.total_score) == (second.matched, second.total_score)


def test_pair_order_does_not_change_the_optimum():
    n_cases, capacity, case, mentor, score = random_arrays(400, 150, 12, 50, seed=11)
    order = np.random.default_rng(1).permutation(case.size)
    sorted_stats = assign_with_stats(n_cases, capacity, case, mentor, score)
    shuffled = assign_with_stats(n_cases, capacity, case[order], mentor[order], score[order])
    assert (sorted_stats.matched, sorted_stats.total_score) == (
        shuffled.matched,
        shuffled.total_score,
    )


# Properties against independent solvers


@settings(max_examples=300, deadline=None, derandomize=True)
@given(instances(max_cases=6, max_mentors=4))
def test_optimal_against_brute_force(instance):
    stats = assign_with_stats(*instance.arrays())
    assert check_feasible(instance, stats.mentor_of) == (stats.matched, stats.total_score)
    assert (stats.matched, stats.total_score) == brute_force(instance)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(instances(max_cases=12, max_mentors=6))
def test_optimal_against_slot_expanded_hungarian(instance):
    stats = assign_with_stats(*instance.arrays())
    assert check_feasible(instance, stats.mentor_of) == (stats.matched, stats.total_score)
    assert (stats.matched, stats.total_score) == slot_assignment(instance)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(instances(max_cases=7, max_mentors=5), st.randoms(use_true_random=False))
def test_optimum_does_not_depend_on_pair_order(instance, random):
    keys = list(instance.pairs)
    random.shuffle(keys)
    shuffled = Instance(instance.n_cases, instance.capacity, {k: instance.pairs[k] for k in keys})
    a = assign_with_stats(*instance.arrays())
    b = assign_with_stats(*shuffled.arrays())
    check_feasible(instance, b.mentor_of)
    assert (a.matched, a.total_score) == (b.matched, b.total_score)
