"""Regression: the engine reproduces the known optima of J. E. Beasley's OR-Library assignment
instances (see orlib/README.md). Every agent is a case, every job a mentor with one place."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from tandem.matching.engine import assign_with_stats

ORLIB = Path(__file__).parent / "orlib"

KNOWN_OPTIMUM = {
    "assign100": 305,
    "assign200": 475,
    "assign300": 626,
    "assign400": 804,
    "assign500": 991,
    "assign600": 1176,
    "assign700": 1362,
    "assign800": 1552,
    "assignp800": 2239,
    "assignp1500": 5839,
    "assignp3000": 18696,
    "assignp5000": 48533,
}


def read_instance(name: str) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """(n, agent, job, cost) with 0-based agents and jobs, one entry per allowed pair."""
    with gzip.open(ORLIB / f"{name}.txt.gz", "rb") as file:
        numbers = np.array(file.read().split(), dtype=np.int64)
    n = int(numbers[0])
    if name.startswith("assignp"):
        triples = numbers[1:].reshape(-1, 3)
        return n, triples[:, 0] - 1, triples[:, 1] - 1, triples[:, 2]
    assert numbers.size == 1 + n * n, f"{name}: expected an {n}x{n} cost matrix"
    agent, job = np.divmod(np.arange(n * n, dtype=np.int64), n)
    return n, agent, job, numbers[1:]


def test_every_instance_is_stored():
    assert sorted(p.name for p in ORLIB.glob("*.txt.gz")) == sorted(
        f"{name}.txt.gz" for name in KNOWN_OPTIMUM
    )


@pytest.mark.parametrize("name", list(KNOWN_OPTIMUM))
def test_known_optimum_is_reproduced(name):
    n, agent, job, cost = read_instance(name)
    max_cost = int(cost.max())

    stats = assign_with_stats(n, np.ones(n, dtype=np.int64), agent, job, max_cost - cost)

    assert stats.matched == n
    assert stats.total_score == n * max_cost - KNOWN_OPTIMUM[name]
    # Independently of the engine's totals: a perfect assignment over listed pairs at the optimum.
    mentor_of = stats.mentor_of
    assert np.array_equal(np.sort(mentor_of), np.arange(n))
    key = agent * n + job
    order = np.argsort(key, kind="stable")
    found = order[np.searchsorted(key, np.arange(n) * n + mentor_of, sorter=order)]
    assert np.array_equal(agent[found], np.arange(n))
    assert np.array_equal(job[found], mentor_of)
    assert int(cost[found].sum()) == KNOWN_OPTIMUM[name]
