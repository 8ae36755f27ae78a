"""Benchmark: batch matching and suggestions on seeded synthetic instances.

    uv run python bench/matching.py                  # 1,000 x 400, 5,000 x 2,000, 20,000 x 8,000
    uv run python bench/matching.py --sizes small    # 1,000 x 400 only (a quick run)
    uv run python bench/matching.py --sizes small,medium --suggestions 0

For each instance (cases x mentors): a first-come-first-served greedy (what a coordinator
does by hand), Tandem (scoring's ``allowed_pairs`` then the engine) with its time split
and peak memory, and a reference exact solver of a different algorithm (SciPy's
``linear_sum_assignment`` on a dense slot-expanded matrix, up to 5,000 cases). Then the
latency of top-5 suggestions against 10,000 mentors, and a summary against the targets.
Each instance runs in a fresh process so that its peak memory (RSS, which sees OR-Tools'
C++ allocations) is its own. Not a test: nothing here fails a build. See bench/README.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = {"small": (1_000, 400), "medium": (5_000, 2_000), "large": (20_000, 8_000)}
REFERENCE_MAX_CASES = 5_000
SUGGEST_MENTORS = 10_000
SEED = 2026

# Targets (bench/README.md, "Matching").
TARGET_LARGE_SECONDS = 30.0
TARGET_LARGE_GB = 4.0
TARGET_MEDIUM_SECONDS = 3.0
TARGET_OVERHEAD = 0.10
TARGET_SUGGEST_P95_MS = 5.0

# The synthetic population. The region grows with the pool (one area per 40 mentors on a
# square grid), so the density of mentors around a case is about the same at every size.
MENTORS_PER_AREA = 40
AREA_SPACING_KM = 12.0
RADIUS_KM = (5, 25)
CASE_SPREAD, MENTOR_SPREAD = 1.0, 1.0  # log-normal spread of cases and mentors over areas
AT_CAPACITY, NOT_MATCHABLE = 0.10, 0.10
MENTOR_ONLINE = 0.10  # online pairs ignore distance, so this share sets how density grows
CASE_ONLINE = 0.30
N_LANGUAGES = 40  # 0 is English; 1..39 minority languages, few speakers each
N_SPECIALISMS = 12
THEOLOGY, YOUTH = 0, 4
SPECIALISM_SHARE = np.array(
    [0.05, 0.20, 0.20, 0.15, 0.25, 0.10, 0.15, 0.10, 0.10, 0.10, 0.10, 0.10]
)  # share of mentors holding each; theology is scarce
N_FAITHS = 6
N_SLOTS = 14  # weekday x (day, evening)
FEMALE, MALE = 1, 2


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(SIZES),
        help=f"comma-separated instance sizes among {', '.join(SIZES)} (default: all)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--suggestions",
        type=int,
        default=1_000,
        help="cases to time top-5 suggestions for, against 10,000 mentors (0 skips it)",
    )
    args = parser.parse_args()
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = set(args.sizes) - set(SIZES)
    if unknown:
        parser.error(f"unknown size(s): {', '.join(sorted(unknown))}")
    return args


# --- Instances ----------------------------------------------------------------------------


def _mask(rows: np.ndarray, items: np.ndarray, n_rows: int, n_items: int) -> np.ndarray:
    """(row, item) memberships → a (n_rows, words) uint64 bit mask."""
    from tandem.matching.scoring import words_for

    mask = np.zeros((n_rows, words_for(n_items)), dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), (items % 64).astype(np.uint64))
    np.bitwise_or.at(mask, (rows, items // 64), bits)
    return mask


def _zipf(n: int, exponent: float = 1.0) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** exponent
    return p / p.sum()


def _local_pairs(rng, n: int, case_area, mentor_area) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random (case, mentor) pairs in the same area: a conflict of interest or an
    earlier match only matters between people who could otherwise meet."""
    order = np.argsort(mentor_area, kind="stable")
    n_areas = int(max(mentor_area.max(), case_area.max())) + 1
    starts = np.searchsorted(mentor_area[order], np.arange(n_areas + 1))
    cases = rng.choice(np.flatnonzero(case_area >= 0), size=n, replace=False)
    area = case_area[cases]
    count = starts[area + 1] - starts[area]
    keep = count > 0
    cases, area, count = cases[keep], area[keep], count[keep]
    mentors = order[starts[area] + (rng.random(len(cases)) * count).astype(np.int64)]
    return cases.astype(np.int64), mentors.astype(np.int64)


def make_instance(n_cases: int, n_mentors: int, seed: int):
    """A seeded synthetic waiting list and mentor pool with structured constraints."""
    from tandem.matching.scoring import CaseArrays, MentorArrays

    rng = np.random.default_rng([seed, n_cases, n_mentors])

    # Geography: areas on a square grid; distances between area centres in km.
    n_areas = max(1, n_mentors // MENTORS_PER_AREA)
    side = int(np.ceil(np.sqrt(n_areas)))
    grid = np.stack([np.arange(n_areas) % side, np.arange(n_areas) // side], axis=1)
    grid = grid * AREA_SPACING_KM
    between = np.sqrt(((grid[:, None, :] - grid[None, :, :]) ** 2).sum(axis=-1))
    # Referrals and volunteers are not spread alike: each area draws cases and mentors in
    # proportions of its own, so some places have more mentors than cases and others fewer.
    case_weight = rng.lognormal(0.0, CASE_SPREAD, n_areas)
    mentor_weight = rng.lognormal(0.0, MENTOR_SPREAD, n_areas)
    mentor_area = rng.choice(n_areas, n_mentors, p=mentor_weight / mentor_weight.sum())
    case_area = rng.choice(n_areas, n_cases, p=case_weight / case_weight.sum())
    case_area[rng.random(n_cases) < 0.03] = -1  # address not recorded yet

    # Mentors.
    cap = rng.integers(1, 4, n_mentors)
    spare = rng.integers(1, cap + 1)  # 1..cap places left
    spare[rng.random(n_mentors) < AT_CAPACITY] = 0
    speaks_minority = rng.random(n_mentors) < 0.20
    minority = 1 + rng.choice(N_LANGUAGES - 1, n_mentors, p=_zipf(N_LANGUAGES - 1))
    second = (rng.random(n_mentors) < 0.05) & speaks_minority
    minority2 = 1 + rng.choice(N_LANGUAGES - 1, n_mentors, p=_zipf(N_LANGUAGES - 1))
    english = rng.random(n_mentors) < 0.95
    rows = np.concatenate(
        [np.flatnonzero(english), np.flatnonzero(speaks_minority), np.flatnonzero(second)]
    )
    items = np.concatenate(
        [np.zeros(english.sum(), np.int64), minority[speaks_minority], minority2[second]]
    )
    fluent = rng.random(len(rows)) < np.where(items == 0, 0.9, 0.7)
    held = rng.random((n_mentors, N_SPECIALISMS)) < SPECIALISM_SHARE
    s_rows, s_items = np.nonzero(held)
    age = rng.integers(23, 71, n_mentors).astype(np.float64)
    age[rng.random(n_mentors) < 0.05] = np.nan
    faith = rng.choice(N_FAITHS, n_mentors, p=_zipf(N_FAITHS, 0.7)).astype(np.int32)
    faith[rng.random(n_mentors) < 0.3] = -1
    availability = (rng.random((n_mentors, N_SLOTS)) < 0.35) @ (1 << np.arange(N_SLOTS))
    availability[rng.random(n_mentors) < 0.10] = 0
    mentors = MentorArrays(
        matchable=rng.random(n_mentors) >= NOT_MATCHABLE,
        spare=spare,
        cap=cap,
        gender=rng.choice([0, FEMALE, MALE], n_mentors, p=[0.02, 0.45, 0.53]).astype(np.int8),
        languages=_mask(rows, items, n_mentors, N_LANGUAGES),
        fluent=_mask(rows[fluent], items[fluent], n_mentors, N_LANGUAGES),
        faith=faith,
        lived=rng.random(n_mentors) < 0.15,
        age=age,
        specialisms=_mask(s_rows, s_items, n_mentors, N_SPECIALISMS),
        rank=rng.choice([0, 1, 2, 3], n_mentors, p=[0.05, 0.45, 0.35, 0.15]),
        area_distance=between[mentor_area].astype(np.float32),
        radius=rng.integers(RADIUS_KM[0], RADIUS_KM[1] + 1, n_mentors).astype(np.float64),
        online=rng.random(n_mentors) < MENTOR_ONLINE,
        availability=availability.astype(np.int64),
    )

    # Cases, in referral order.
    needs_minority = rng.random(n_cases) < 0.20
    their_language = np.where(
        needs_minority,
        1 + rng.choice(N_LANGUAGES - 1, n_cases, p=_zipf(N_LANGUAGES - 1, 0.8)),
        0,
    )
    preferred = np.where(needs_minority | (rng.random(n_cases) < 0.5), their_language, -1)
    person_gender = np.where(rng.random(n_cases) < 0.8, MALE, FEMALE)
    required_gender = np.where(rng.random(n_cases) < 0.30, person_gender, 0)
    # Specialisms that fit the concern: one to three; theology for a fifth of cases.
    wanted = rng.random((n_cases, N_SPECIALISMS)) < 0.12
    wants_theology = rng.random(n_cases) < 0.20
    wanted[:, THEOLOGY] = wants_theology
    required = np.zeros_like(wanted)
    required[:, THEOLOGY] = wants_theology & (rng.random(n_cases) < 0.5)  # ~10% of cases
    required[:, YOUTH] = rng.random(n_cases) < 0.05
    wanted |= required
    w_rows, w_items = np.nonzero(wanted)
    r_rows, r_items = np.nonzero(required)
    c_age = rng.integers(14, 56, n_cases).astype(np.float64)
    c_age[rng.random(n_cases) < 0.03] = np.nan
    c_faith = np.where(
        rng.random(n_cases) < 0.15, rng.choice(N_FAITHS, n_cases, p=_zipf(N_FAITHS, 0.7)), -1
    ).astype(np.int32)
    c_slots = (rng.random((n_cases, N_SLOTS)) < 0.25) @ (1 << np.arange(N_SLOTS))
    c_slots[rng.random(n_cases) < 0.30] = 0

    n_pairs = max(1, n_cases // 50)
    cases = CaseArrays(
        languages=_mask(np.arange(n_cases), their_language, n_cases, N_LANGUAGES),
        preferred=preferred.astype(np.int32),
        gender=required_gender.astype(np.int8),
        faith=c_faith,
        age=c_age,
        area=case_area.astype(np.int32),
        online=rng.random(n_cases) < CASE_ONLINE,
        min_rank=rng.choice([0, 1, 2, 3], n_cases, p=[0.55, 0.15, 0.20, 0.10]),
        wanted=_mask(w_rows, w_items, n_cases, N_SPECIALISMS),
        required=_mask(r_rows, r_items, n_cases, N_SPECIALISMS),
        availability=c_slots.astype(np.int64),
        conflict_pairs=_local_pairs(rng, n_pairs, case_area, mentor_area),
        history_pairs=_local_pairs(rng, n_pairs, case_area, mentor_area),
        continuity_pairs=_local_pairs(rng, n_pairs, case_area, mentor_area),
    )
    return cases, mentors


# --- Solvers other than Tandem ------------------------------------------------------------


def greedy(n_cases, capacity, pair_case, pair_mentor, pair_score) -> tuple[int, int]:
    """First come, first served: cases in referral order, each takes the highest-scoring
    allowed mentor who still has a place (ties to the lower mentor index)."""
    order = np.lexsort((pair_mentor, -pair_score, pair_case))
    mentor, score = pair_mentor[order], pair_score[order]
    starts = np.searchsorted(pair_case[order], np.arange(n_cases + 1))
    left = capacity.copy()
    matched = total = 0
    for i in range(n_cases):
        lo, hi = starts[i], starts[i + 1]
        if lo == hi:
            continue
        free = left[mentor[lo:hi]] > 0
        k = int(free.argmax())
        if free[k]:
            left[mentor[lo + k]] -= 1
            matched += 1
            total += int(score[lo + k])
    return matched, total


def reference(n_cases, capacity, pair_case, pair_mentor, pair_score) -> dict:
    """Exact by a different algorithm: SciPy's ``linear_sum_assignment`` (shortest
    augmenting path) on a dense case x place matrix, each mentor repeated once per spare
    place. An allowed pair is worth BIG + score and a forbidden one 0; BIG exceeds any
    total score, so the most matches come first, then the highest score."""
    from scipy.optimize import linear_sum_assignment

    from tandem.matching.scoring import SCALE

    used = np.flatnonzero(np.bincount(pair_mentor, minlength=len(capacity)))
    column = np.full(len(capacity), -1, dtype=np.int64)
    column[used] = np.arange(len(used))
    places = capacity[used]
    first_place = np.concatenate([[0], np.cumsum(places)])
    n_places = int(first_place[-1])
    big = float(SCALE * n_cases + 1)
    nbytes = n_cases * n_places * 8
    started = time.perf_counter()
    value = np.zeros((n_cases, n_places), dtype=np.float64)
    per_pair = places[column[pair_mentor]]
    rows = np.repeat(pair_case, per_pair)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    cols = np.repeat(first_place[column[pair_mentor]], per_pair) + offset
    value[rows, cols] = big + np.repeat(pair_score, per_pair)
    built = time.perf_counter()
    r, c = linear_sum_assignment(value, maximize=True)
    solved = time.perf_counter()
    v = value[r, c]
    real = v > 0
    return {
        "matched": int(real.sum()),
        "score": int(np.rint(v[real] - big).sum()),
        "shape": (n_cases, n_places),
        "mb": nbytes / 1e6,
        "build_s": built - started,
        "solve_s": solved - built,
    }


def bare_solver(n_cases, capacity, pair_case, pair_mentor, pair_score) -> dict:
    """The same network handed to OR-Tools directly, with no checks: what any caller of
    the solver pays (adding the arcs and supplies, solving, reading the flows back)."""
    from ortools.graph.python import min_cost_flow

    started = time.perf_counter()
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        pair_case.astype(np.int32),
        (pair_mentor + n_cases).astype(np.int32),
        np.ones(len(pair_case), dtype=np.int64),
        pair_score.max() - pair_score,
    )
    solver.set_nodes_supplies(
        np.arange(n_cases + len(capacity), dtype=np.int32),
        np.concatenate([np.ones(n_cases, dtype=np.int64), -capacity]),
    )
    built = time.perf_counter()
    status = solver.solve_max_flow_with_min_cost()
    solved = time.perf_counter()
    assert status == solver.OPTIMAL
    used = solver.flows(arcs) > 0
    matched, score = int(used.sum()), int(pair_score[used].sum())
    read = time.perf_counter()
    return {
        "matched": matched,
        "score": score,
        "build_s": built - started,
        "solve_s": solved - built,
        "read_s": read - solved,
        "total_s": read - started,
    }


def check_assignment(mentor_of, capacity, pair_case, pair_mentor, pair_score) -> int:
    """Independently recompute the score of an assignment, checking it uses only allowed
    pairs and no mentor beyond capacity."""
    n_mentors = len(capacity)
    matched = np.flatnonzero(mentor_of >= 0)
    key = pair_case * n_mentors + pair_mentor
    order = np.argsort(key)
    wanted = matched * n_mentors + mentor_of[matched]
    at = np.searchsorted(key[order], wanted)
    at = np.minimum(at, len(key) - 1)
    assert np.all(key[order][at] == wanted), "an assignment outside the allowed pairs"
    load = np.bincount(mentor_of[matched], minlength=n_mentors)
    assert np.all(load <= capacity), "a mentor beyond capacity"
    return int(pair_score[order][at].sum())


# --- One instance, in its own process -----------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_instance(name: str, seed: int, queue) -> None:
    from tandem.matching.engine import assign_with_stats
    from tandem.matching.scoring import Weights, allowed_pairs

    n_cases, n_mentors = SIZES[name]
    started = time.perf_counter()
    cases, mentors = make_instance(n_cases, n_mentors, seed)
    made = time.perf_counter() - started
    capacity = np.where(mentors.matchable, np.maximum(mentors.spare, 0), 0).astype(np.int64)
    weights = Weights()
    out = {"name": name, "cases": n_cases, "mentors": n_mentors}
    print(f"\n== {n_cases:,} cases x {n_mentors:,} mentors (seed {seed}) ==", flush=True)
    print(
        f"instance: {len(mentors.area_distance[0])} areas, {int(capacity.sum()):,} places "
        f"with {int((capacity > 0).sum()):,} mentors who can take a case "
        f"(made in {made:.1f} s, not timed below)"
    )

    # Tandem: scoring, then the engine. Memory: the process's peak RSS from here on.
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    pair_case, pair_mentor, pair_score = allowed_pairs(cases, mentors, weights)
    t1 = time.perf_counter()
    peak_scoring = _peak_mb()
    result = assign_with_stats(n_cases, capacity, pair_case, pair_mentor, pair_score)
    t2 = time.perf_counter()
    peak = _peak_mb()
    n_pairs = len(pair_case)
    per_case = np.bincount(pair_case, minlength=n_cases)
    print(
        f"allowed pairs: {n_pairs:,}, {n_pairs / n_cases:.1f} per case on average "
        f"(median {np.median(per_case):.0f}, {int((per_case == 0).sum()):,} cases with none)"
    )
    rescored = check_assignment(result.mentor_of, capacity, pair_case, pair_mentor, pair_score)
    assert rescored == result.total_score

    scoring_s = t1 - t0
    engine_s = result.build_seconds + result.solve_seconds + result.extract_seconds
    out.update(
        pairs=n_pairs,
        matched=result.matched,
        score=result.total_score,
        scoring_s=scoring_s,
        build_s=result.build_seconds,
        solve_s=result.solve_seconds,
        extract_s=result.extract_seconds,
        engine_s=engine_s,
        total_s=t2 - t0,
        peak_mb=peak,
        delta_mb=peak - rss_before,
    )

    g_matched, g_score = greedy(n_cases, capacity, pair_case, pair_mentor, pair_score)
    out.update(greedy_matched=g_matched, greedy_score=g_score)
    print(f"greedy (first come, first served): matched {g_matched:,}, score {g_score:,}")
    print(
        f"Tandem: matched {result.matched:,}, score {result.total_score:,} "
        "(assignment re-checked: allowed pairs only, within capacity)"
    )
    print(
        f"  time: scoring {scoring_s:.2f} s + build {result.build_seconds:.2f} s + solve "
        f"{result.solve_seconds:.2f} s + extract {result.extract_seconds:.3f} s "
        f"= {t2 - t0:.2f} s end to end"
    )
    print(
        f"  peak memory: {peak:,.0f} MB RSS for the whole process "
        f"({peak - rss_before:+,.0f} MB over the {rss_before:,.0f} MB held before scoring; "
        f"{peak_scoring:,.0f} MB at the end of scoring)"
    )
    print(
        f"  engine (build + solve + extract) / solver call: {engine_s / result.solve_seconds:.3f} "
        f"(+{(engine_s / result.solve_seconds - 1) * 100:.1f}%); end to end incl. scoring "
        f"/ solver: {(t2 - t0) / result.solve_seconds:.2f}"
    )
    more = result.matched - g_matched
    print(
        f"  vs greedy: {more:+,} people matched ({more / max(g_matched, 1) * 100:+.1f}%), "
        f"score {result.total_score - g_score:+,}"
    )

    bare = bare_solver(n_cases, capacity, pair_case, pair_mentor, pair_score)
    assert (bare["matched"], bare["score"]) == (result.matched, result.total_score)
    # The engine's own work: its build and extract beyond adding arcs and supplies and
    # reading flows, which any use of OR-Tools needs. (Two solves of the same network differ
    # by more than this, so the engine's total is not compared with the second solve's.)
    own_s = result.build_seconds + result.extract_seconds - bare["build_s"] - bare["read_s"]
    out.update(own_s=own_s)
    print(
        f"  OR-Tools used directly on the same network (no checks): add arcs and supplies "
        f"{bare['build_s']:.2f} s + solve {bare['solve_s']:.2f} s + read flows "
        f"{bare['read_s']:.3f} s; the engine's own work beyond those calls: {own_s:.3f} s "
        f"({own_s / result.solve_seconds * 100:+.1f}% of its solve)"
    )

    if n_cases <= REFERENCE_MAX_CASES:
        ref = reference(n_cases, capacity, pair_case, pair_mentor, pair_score)
        same = (ref["matched"], ref["score"]) == (result.matched, result.total_score)
        out.update(ref_matched=ref["matched"], ref_score=ref["score"], ref_equal=same)
        print(
            f"reference (SciPy linear_sum_assignment, dense {ref['shape'][0]:,} x "
            f"{ref['shape'][1]:,} float64, {ref['mb']:,.0f} MB): matched {ref['matched']:,}, "
            f"score {ref['score']:,} in {ref['build_s']:.2f} s + {ref['solve_s']:.2f} s "
            f"-> {'equal' if same else 'DIFFERENT'}"
        )
    else:
        places = int(capacity[np.unique(pair_mentor)].sum())
        print(
            f"reference: skipped above {REFERENCE_MAX_CASES:,} cases (here a dense "
            f"{n_cases:,} x {places:,} float64 matrix of {n_cases * places * 8 / 1e9:.1f} GB "
            "for a solver that is cubic in the worst case)"
        )
    queue.put(out)


def run_suggestions(n_lookups: int, seed: int, queue) -> None:
    from tandem.matching.scoring import Weights, suggest

    cases, mentors = make_instance(n_lookups, SUGGEST_MENTORS, seed)
    weights = Weights()
    for case in range(min(20, n_lookups)):  # warm-up
        suggest(cases, mentors, weights, case)
    wall, cpu, allowed = [], [], []
    for case in range(n_lookups):
        started, started_cpu = time.perf_counter(), time.thread_time()
        s = suggest(cases, mentors, weights, case, k=5)
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
        allowed.append(s.allowed)
    wall_ms, cpu_ms = np.array(wall) * 1000, np.array(cpu) * 1000
    out = {
        "lookups": n_lookups,
        "p50_ms": float(np.percentile(cpu_ms, 50)),
        "p95_ms": float(np.percentile(cpu_ms, 95)),
        "wall_p50_ms": float(np.percentile(wall_ms, 50)),
        "wall_p95_ms": float(np.percentile(wall_ms, 95)),
        "allowed": float(np.mean(allowed)),
    }
    print(
        f"\n== top-5 suggestions against {SUGGEST_MENTORS:,} mentors ==\n"
        f"{n_lookups:,} different cases, every mentor evaluated and exclusions counted "
        f"({out['allowed']:.0f} allowed on average)\n"
        f"  computation (thread CPU time): p50 {out['p50_ms']:.2f} ms, "
        f"p95 {out['p95_ms']:.2f} ms, max {cpu_ms.max():.2f} ms\n"
        f"  wall clock:                    p50 {out['wall_p50_ms']:.2f} ms, "
        f"p95 {out['wall_p95_ms']:.2f} ms, max {wall_ms.max():.2f} ms",
        flush=True,
    )
    queue.put(out)


def in_fresh_process(target, *args):
    sys.stdout.flush()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


# --- Summary ------------------------------------------------------------------------------


def _label(r: dict) -> str:
    return f"{r['cases']:,}x{r['mentors']:,}"


def _verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "FAIL")


def summary(results: list[dict], suggestions: dict | None) -> None:
    by_name = {r["name"]: r for r in results}
    lines = []

    checked = [r for r in results if "ref_equal" in r]
    lines.append(
        (
            all(r["ref_equal"] for r in checked) if checked else None,
            "exact: (matched, score) equal to the reference on "
            + (
                ", ".join(
                    f"{_label(r)} {'equal' if r['ref_equal'] else 'DIFFERENT'}" for r in checked
                )
                or "no instance run"
            ),
        )
    )
    large = by_name.get("large")
    lines.append(
        (
            None
            if large is None
            else large["total_s"] < TARGET_LARGE_SECONDS
            and large["peak_mb"] < TARGET_LARGE_GB * 1024,
            f"20,000x8,000 end to end under {TARGET_LARGE_SECONDS:.0f} s and "
            f"{TARGET_LARGE_GB:.0f} GB: "
            + (
                "not run"
                if large is None
                else f"{large['total_s']:.2f} s, peak {large['peak_mb'] / 1024:.2f} GB RSS"
            ),
        )
    )
    medium = by_name.get("medium")
    lines.append(
        (
            None if medium is None else medium["total_s"] < TARGET_MEDIUM_SECONDS,
            f"5,000x2,000 end to end under {TARGET_MEDIUM_SECONDS:.0f} s: "
            + ("not run" if medium is None else f"{medium['total_s']:.2f} s"),
        )
    )
    lines.append(
        (
            all(r["engine_s"] / r["solve_s"] - 1 < TARGET_OVERHEAD for r in results)
            if results
            else None,
            f"engine adds under {TARGET_OVERHEAD:.0%} over the bare solver call, "
            "(build + solve + extract) / solve: "
            + ", ".join(f"{_label(r)} +{(r['engine_s'] / r['solve_s'] - 1):.1%}" for r in results),
        )
    )
    lines.append(
        (
            all(r["own_s"] / r["solve_s"] < TARGET_OVERHEAD for r in results) if results else None,
            f"engine's own work (checks, arrays) under {TARGET_OVERHEAD:.0%} of the solve, "
            "beyond OR-Tools' add-arcs and read-flows calls: "
            + ", ".join(f"{_label(r)} {r['own_s'] / r['solve_s']:+.1%}" for r in results),
        )
    )
    lines.append(
        (
            None if suggestions is None else suggestions["p95_ms"] < TARGET_SUGGEST_P95_MS,
            f"top-5 suggestions against {SUGGEST_MENTORS:,} mentors, p95 under "
            f"{TARGET_SUGGEST_P95_MS:.0f} ms of computation: "
            + (
                "not run"
                if suggestions is None
                else f"{suggestions['p95_ms']:.2f} ms CPU "
                f"({suggestions['wall_p95_ms']:.2f} ms wall clock)"
            ),
        )
    )
    lines.append(
        (
            all(r["matched"] > r["greedy_matched"] for r in results) if results else None,
            "Tandem matches more people than greedy: "
            + ", ".join(f"{_label(r)} +{r['matched'] - r['greedy_matched']:,}" for r in results),
        )
    )
    print("\n== Targets ==")
    for ok, text in lines:
        print(f"{_verdict(ok)}  {text}")


def main() -> None:
    args = parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Matching benchmark, {os.cpu_count()} CPUs (load average {load} at the start), "
        f"seed {args.seed}; each instance in a fresh process; times are single runs (wall "
        "clock)."
    )
    results = [in_fresh_process(run_instance, name, args.seed) for name in args.sizes]
    suggestions = (
        in_fresh_process(run_suggestions, args.suggestions, args.seed)
        if args.suggestions > 0
        else None
    )
    summary(results, suggestions)


if __name__ == "__main__":
    main()
