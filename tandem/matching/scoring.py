"""Which mentors may take which case, and how well each fits: pure numpy, no Django.

The database side (``features.py``) turns cases and mentors into the arrays below;
this module evaluates every (case, mentor) pair in blocks of cases at once, so the
whole waiting list against the whole pool is a handful of vectorised operations
per block, and one case against ten thousand mentors is well under a millisecond.

Hard constraints decide whether a pair is allowed at all. Each excluded mentor is
counted under the *first* constraint it fails, in ``EXCLUSIONS`` order, so a
summary's parts add up to its total. Preferences each score 0..1; the pair's score
is their weighted mean scaled to 0..``SCALE`` and rounded to an integer, which is
what the assignment engine maximises.

Sets (languages, specialisms, areas) are bit masks in ``uint64`` words, shape
``(n, words)``, so catalogues of any size work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .criteria import CRITERIA, EXCLUSIONS, PREFERENCES

SCALE = 1000

# Pair-level reasons given as sparse lists (case index, mentor index).
PAIR_EXCLUSIONS = ("conflict", "history")


def words_for(n_items: int) -> int:
    return max(1, (n_items + 63) // 64)


def to_mask(indices_per_row: list[list[int]] | list[tuple[int, ...]], n_items: int) -> np.ndarray:
    """Rows of item indices → a ``(rows, words)`` uint64 bit mask."""
    words = words_for(n_items)
    mask = np.zeros((len(indices_per_row), words), dtype=np.uint64)
    for row, indices in enumerate(indices_per_row):
        for i in indices:
            mask[row, i // 64] |= np.uint64(1) << np.uint64(i % 64)
    return mask


def _intersects(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For masks ``a`` (cases, 1, words) and ``b`` (1, mentors, words): any common bit."""
    return np.bitwise_and(a, b).any(axis=-1)


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x).sum(axis=-1, dtype=np.int32)


@dataclass(frozen=True)
class MentorArrays:
    """The pool, one row per mentor (order defines mentor indices)."""

    matchable: np.ndarray  # bool: the register says they can take a case (capacity aside)
    spare: np.ndarray  # int: places left (cap - live matches), may be ≤ 0
    cap: np.ndarray  # int: caseload cap
    gender: np.ndarray  # int8: GENDER codes (0 unknown)
    languages: np.ndarray  # uint64 (n, words): languages spoken
    fluent: np.ndarray  # uint64 (n, words): of those, spoken fluently or natively
    faith: np.ndarray  # int32: faith index or -1
    lived: np.ndarray  # bool: has lived experience
    age: np.ndarray  # float: middle of age band, nan when not given
    specialisms: np.ndarray  # uint64 (n, words)
    rank: np.ndarray  # int: current accreditation level rank, 0 none
    area_distance: np.ndarray  # float32 (n, n_areas): km from their nearest area to each area
    radius: np.ndarray  # float: travel radius km
    online: np.ndarray  # bool: offers online sessions
    availability: np.ndarray  # int64 bit mask of (weekday, part) slots

    def __len__(self) -> int:
        return len(self.matchable)


@dataclass(frozen=True)
class CaseArrays:
    """Cases to place, one row per case (order defines case indices)."""

    languages: np.ndarray  # uint64 (n, words): can be mentored in any of these; 0 = any
    preferred: np.ndarray  # int32: preferred language index or -1
    gender: np.ndarray  # int8: required mentor gender code, 0 any
    faith: np.ndarray  # int32: faith asked for, or -1
    age: np.ndarray  # float
    area: np.ndarray  # int32: area index or -1 unknown
    online: np.ndarray  # bool: accepts online sessions
    min_rank: np.ndarray  # int: minimum accreditation rank
    wanted: np.ndarray  # uint64 (n, words): specialisms that fit the concern
    required: np.ndarray  # uint64 (n, words): specialisms the case requires
    availability: np.ndarray  # int64 bit mask, 0 = not known
    # Sparse pair facts: arrays of case indices and mentor indices.
    conflict_pairs: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0, np.int64))
    )
    history_pairs: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0, np.int64))
    )
    continuity_pairs: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0, np.int64))
    )

    def __len__(self) -> int:
        return len(self.preferred)


class Weights:
    """Relative weight of each preference by its code (non-negative; all zero scores every
    pair 0). A preference not named keeps its default weight."""

    def __init__(self, **weights: float):
        if unknown := set(weights) - set(CRITERIA):
            raise TypeError(f"Not a preference: {', '.join(sorted(unknown))}")
        self._values = tuple(float(weights.get(p.code, p.default_weight)) for p in PREFERENCES)

    def __repr__(self) -> str:
        pairs = ", ".join(f"{c}={v:g}" for c, v in zip(CRITERIA, self._values, strict=True))
        return f"Weights({pairs})"

    def vector(self) -> np.ndarray:
        """The weights in ``CRITERIA`` order."""
        return np.array(self._values, dtype=np.float64)


# Neutral value of a preference the case says nothing about (same for every mentor).
UNKNOWN = 0.5
AGE_SPAN = 40.0  # years apart at which age proximity reaches 0
NEAR_EDGE = 0.25  # distance score at the edge of the mentor's travel radius


def _pair_mask(pairs, start: int, stop: int, mentor_columns: np.ndarray) -> np.ndarray:
    """The sparse pairs among cases ``start:stop`` as a (cases, columns) boolean mask."""
    cases, mentors = pairs
    position = np.full(int(mentors.max(initial=-1)) + 1, -1, dtype=np.int64)
    keep = mentor_columns[mentor_columns < len(position)]
    position[keep] = np.flatnonzero(mentor_columns < len(position))
    mask = np.zeros((stop - start, len(mentor_columns)), dtype=bool)
    hit = (cases >= start) & (cases < stop)
    columns = position[mentors[hit]]
    inside = columns >= 0
    mask[cases[hit][inside] - start, columns[inside]] = True
    return mask


def _hard(
    cases: CaseArrays,
    mentors: MentorArrays,
    start: int,
    stop: int,
    columns: np.ndarray,
    *,
    with_failures: bool = False,
    reach: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Allowed (cases ``start:stop`` by mentors ``columns``) and, when asked, the index in
    ``EXCLUSIONS`` of the first constraint each excluded pair fails. ``reach`` is
    ``within_reach(mentors, columns)``, computed once by callers evaluating many blocks."""
    rows = slice(start, stop)
    size, width = stop - start, len(columns)
    m_languages = mentors.languages[columns][None, :, :]
    c_languages = cases.languages[rows][:, None, :]
    required = cases.required[rows][:, None, :]
    area = cases.area[rows]
    known = area >= 0
    in_reach = np.broadcast_to(~known[:, None], (size, width)).copy()
    if known.any():
        if reach is None:  # a few cases: only their areas' distances are read
            distance = mentors.area_distance[np.ix_(columns, area[known])].T
            radius = mentors.radius[columns].astype(distance.dtype)
            in_reach[known] = distance <= radius[None, :]
        else:
            in_reach[known] = reach[area[known]]
    gender = cases.gender[rows][:, None]

    fails = {
        "unavailable": np.broadcast_to(~mentors.matchable[columns][None, :], (size, width)),
        "capacity": np.broadcast_to(mentors.spare[columns][None, :] <= 0, (size, width)),
        "conflict": _pair_mask(cases.conflict_pairs, start, stop, columns),
        "history": _pair_mask(cases.history_pairs, start, stop, columns),
        "language": c_languages.any(axis=-1) & ~_intersects(c_languages, m_languages),
        "gender": (gender != 0) & (gender != mentors.gender[columns][None, :]),
        "specialism": (
            np.bitwise_and(required, mentors.specialisms[columns][None, :, :]) != required
        ).any(axis=-1),
        "experience": mentors.rank[columns][None, :] < cases.min_rank[rows][:, None],
        "travel": ~(in_reach | (cases.online[rows][:, None] & mentors.online[columns][None, :])),
    }
    allowed = np.ones((size, width), dtype=bool)
    for name in EXCLUSIONS:
        allowed &= ~fails[name]
    if not with_failures:
        return allowed, None
    first_failure = np.full((size, width), -1, dtype=np.int8)
    for code in range(len(EXCLUSIONS) - 1, -1, -1):
        first_failure[fails[EXCLUSIONS[code]]] = code
    return allowed, first_failure


def within_reach(mentors: MentorArrays, columns: np.ndarray) -> np.ndarray:
    """(areas, mentors ``columns``): the area is within the mentor's travel radius of an
    area they work in. Compared in the distances' own precision, so a mentor exactly at
    their radius is within it."""
    distance = mentors.area_distance[columns]
    radius = mentors.radius[columns].astype(distance.dtype)[:, None]
    return np.ascontiguousarray((distance <= radius).T)


def _has_pair(pairs, case_index: np.ndarray, mentor_index: np.ndarray, n_mentors: int):
    """Whether each (case, mentor) is among the few ``pairs``: a binary search per pair."""
    cases, mentors = pairs
    if not len(cases):
        return np.zeros(len(case_index), dtype=bool)
    known = np.unique(cases * n_mentors + mentors)
    keys = case_index * n_mentors + mentor_index
    found = np.minimum(np.searchsorted(known, keys), len(known) - 1)
    return known[found] == keys


def _criteria(cases: CaseArrays, mentors: MentorArrays, ci: np.ndarray, mj: np.ndarray):
    """Each preference's 0..1 values for the pairs (ci, mj), in CRITERIA order."""
    wanted = cases.wanted[ci]
    n_wanted = _popcount(wanted)
    held = _popcount(np.bitwise_and(wanted, mentors.specialisms[mj]))
    yield np.where(n_wanted > 0, held / np.maximum(n_wanted, 1), 0.0)

    preferred = cases.preferred[ci]
    has_pref = preferred >= 0
    word = np.where(has_pref, preferred // 64, 0)
    bit = np.left_shift(np.uint64(1), np.where(has_pref, preferred % 64, 0).astype(np.uint64))
    speaks = has_pref & (np.bitwise_and(mentors.languages[mj, word], bit) != 0)
    fluent = np.bitwise_and(mentors.fluent[mj, word], bit) != 0
    yield np.where(speaks, np.where(fluent, 1.0, 0.6), 0.0)

    faith = cases.faith[ci]
    yield ((faith >= 0) & (faith == mentors.faith[mj])).astype(np.float64)
    yield mentors.lived[mj].astype(np.float64)

    gap = np.abs(cases.age[ci] - mentors.age[mj])
    yield np.where(np.isnan(gap), UNKNOWN, 1.0 - np.minimum(gap, AGE_SPAN) / AGE_SPAN)

    area = cases.area[ci]
    known = area >= 0
    if mentors.area_distance.shape[1]:
        distance = mentors.area_distance[mj, np.where(known, area, 0)]
    else:
        distance = np.zeros(len(ci), dtype=np.float32)
    radius = mentors.radius[mj].astype(distance.dtype)
    # 1 in the person's own area, falling to NEAR_EDGE at the edge of the radius; a pair
    # only online sessions make possible scores 0.
    near = 1.0 - (1.0 - NEAR_EDGE) * np.clip(distance / np.maximum(radius, 1.0), 0.0, 1.0)
    near = np.where(distance <= radius, near, 0.0)
    yield np.where(known, near, UNKNOWN)

    slots = cases.availability[ci]
    offered = mentors.availability[mj]
    n_slots = np.bitwise_count(slots)
    overlap = np.bitwise_count(np.bitwise_and(slots, offered))
    yield np.where((n_slots > 0) & (offered != 0), overlap / np.maximum(n_slots, 1), UNKNOWN)

    yield np.clip(mentors.spare[mj], 0, None) / np.maximum(mentors.cap[mj], 1)
    yield _has_pair(cases.continuity_pairs, ci, mj, len(mentors)).astype(np.float64)


def preferences(
    cases: CaseArrays, mentors: MentorArrays, case_index: np.ndarray, mentor_index: np.ndarray
) -> np.ndarray:
    """Each preference's 0..1 value for the given pairs: (pairs, CRITERIA)."""
    parts = np.empty((len(case_index), len(CRITERIA)), dtype=np.float64)
    for i, values in enumerate(_criteria(cases, mentors, case_index, mentor_index)):
        parts[:, i] = values
    return parts


def _points(weights: Weights) -> np.ndarray:
    """Points per criterion at value 1: the weights scaled so a perfect pair scores SCALE."""
    w = weights.vector()
    return w * (SCALE / w.sum()) if w.sum() > 0 else np.zeros_like(w)


def score_pairs(
    cases: CaseArrays,
    mentors: MentorArrays,
    weights: Weights,
    case_index: np.ndarray,
    mentor_index: np.ndarray,
) -> np.ndarray:
    """The pairs' scores, summed criterion by criterion (no pairs-by-criteria array)."""
    total = np.zeros(len(case_index), dtype=np.float64)
    for points, values in zip(
        _points(weights), _criteria(cases, mentors, case_index, mentor_index), strict=True
    ):
        if points:
            total += points * values
    return np.rint(total).astype(np.int64)


def allowed_pairs(
    cases: CaseArrays, mentors: MentorArrays, weights: Weights, *, block_size: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every allowed (case, mentor) pair and its score, as the engine takes them.

    Mentors who cannot take anyone (not matchable, no spare place) are dropped before
    any pair is looked at; preferences are computed for allowed pairs only."""
    columns = np.flatnonzero(mentors.matchable & (mentors.spare > 0))
    if block_size is None:  # about two million pairs per block keeps memory flat
        block_size = max(1, 2_000_000 // max(len(columns), 1))
    reach = within_reach(mentors, columns)
    case_parts, mentor_parts = [], []
    for start in range(0, len(cases), block_size):
        stop = min(start + block_size, len(cases))
        allowed, _ = _hard(cases, mentors, start, stop, columns, reach=reach)
        c, m = np.nonzero(allowed)
        case_parts.append(c.astype(np.int64) + start)
        mentor_parts.append(columns[m])
    if not case_parts:
        empty = np.zeros(0, np.int64)
        return empty, empty.copy(), empty.copy()
    ci, mj = np.concatenate(case_parts), np.concatenate(mentor_parts).astype(np.int64)
    return ci, mj, score_pairs(cases, mentors, weights, ci, mj)


@dataclass(frozen=True)
class Suggestions:
    mentors: np.ndarray  # indices of the best allowed mentors, best first
    scores: np.ndarray  # their scores
    parts: np.ndarray  # (k, criteria) each preference's 0..1 value
    contributions: np.ndarray  # (k, criteria) points each preference adds to the score
    excluded: dict[str, int]  # EXCLUSIONS name → mentors excluded first for it
    allowed: int  # how many mentors were allowed in all


def suggest(
    cases: CaseArrays, mentors: MentorArrays, weights: Weights, case: int, k: int = 5
) -> Suggestions:
    """The ``k`` best mentors for one case, with each criterion's contribution and who
    was excluded for what. Ties go to the lower mentor index (stable, deterministic)."""
    columns = np.arange(len(mentors))
    allowed, first_failure = _hard(cases, mentors, case, case + 1, columns, with_failures=True)
    allowed_mentors = np.flatnonzero(allowed[0])
    case_index = np.full(len(allowed_mentors), case, dtype=np.int64)
    parts = preferences(cases, mentors, case_index, allowed_mentors)
    points = _points(weights)
    scores = np.rint(parts @ points).astype(np.int64)
    order = np.lexsort((allowed_mentors, -scores))[:k]
    counts = np.bincount(first_failure[0][~allowed[0]], minlength=len(EXCLUSIONS))
    return Suggestions(
        mentors=allowed_mentors[order],
        scores=scores[order],
        parts=parts[order],
        contributions=parts[order] * points,
        excluded={name: int(counts[i]) for i, name in enumerate(EXCLUSIONS) if counts[i]},
        allowed=len(allowed_mentors),
    )
