"""k-anonymity by full-domain generalisation, then record suppression.

Pure and validated, so that the export and its tests share one formulation.

The problem
-----------
Each record carries quasi-identifiers ``q_1 … q_m`` (age band, gender, area, concern
type, referral period): values that, together, could single a person out to someone who
knows them. Each ``q_j`` has a generalisation hierarchy ``H_j`` of ``h_j + 1`` levels,
level 0 the exported value and level ``h_j`` "Any"; every value at a level lies inside
exactly one value at the level above (a month inside a quarter inside a year).

A *node* ``L = (l_1, …, l_m)`` of the lattice ``∏ {0 … h_j}`` generalises every record
alike (full-domain generalisation). Records with equal generalised tuples form an
equivalence class; those in classes smaller than ``k`` are suppressed (left out of the
export). A node is *feasible* when it suppresses at most ``max_suppressed`` of the
``n`` records.

We choose the feasible node with the least information loss, measured as
``Σ_j l_j / h_j`` (each attribute's share of its hierarchy climbed), then fewer records
suppressed, then the lattice order — a deterministic answer. Every node is evaluated
(the lattice is small: a few dozen nodes, each one pass over the records), so the
optimum is exact rather than the first node a greedy climb happens on. The top node
puts every record in one class, so when ``n ≥ k`` a feasible node always exists; when
``n < k`` nothing can be released and every record is suppressed.

What is released has ``k_achieved = min class size ≥ k`` by construction; the result
reports it, the node chosen and how many records were suppressed, for the manifest.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

ANY = "Any"


@dataclass(frozen=True)
class Hierarchy:
    """How one quasi-identifier generalises: ``levels[i](value)`` maps a level-0 value to
    its value at level ``i + 1`` (level 0 is the value itself; the last level must give
    ``ANY``)."""

    name: str
    levels: tuple[Callable[[str], str], ...]
    labels: tuple[str, ...] = ()  # each level in words, level 0 first, for the manifest

    @property
    def height(self) -> int:
        return len(self.levels)

    def label(self, level: int) -> str:
        return self.labels[level] if level < len(self.labels) else f"level {level}"

    def generalise(self, value: str, level: int) -> str:
        return value if level == 0 else self.levels[level - 1](value)


@dataclass(frozen=True)
class Result:
    rows: list[dict]  # the released records, quasi-identifiers generalised
    suppressed: int  # records left out
    k_achieved: int  # the smallest class released (0 when nothing is released)
    node: dict[str, int]  # the level chosen for each quasi-identifier
    loss: float  # Σ l_j / h_j at that node


def anonymise(
    records: Sequence[dict],
    hierarchies: Sequence[Hierarchy],
    *,
    k: int,
    max_suppressed: float = 0.05,
) -> Result:
    """Generalise and suppress ``records`` (dicts holding every hierarchy's name) so that
    every released combination of quasi-identifiers is shared by at least ``k`` records."""
    if k < 2:
        raise ValueError("k must be at least 2.")
    if not 0 <= max_suppressed < 1:
        raise ValueError("max_suppressed is a fraction from 0 up to (not including) 1.")
    names = [h.name for h in hierarchies]
    if len(set(names)) != len(names) or not names:
        raise ValueError("Give each quasi-identifier exactly one hierarchy.")
    for h in hierarchies:
        if h.height < 1 or any(h.levels[-1](v) != ANY for v in ("", "x")):
            raise ValueError(f"The hierarchy for {h.name} must end in {ANY!r}.")
    n = len(records)
    if n < k:
        return Result(
            [], n, 0, {name: h.height for name, h in zip(names, hierarchies, strict=True)}, 1.0
        )

    values = [tuple(str(r[name]) for name in names) for r in records]
    # Each attribute's distinct values at each level, mapped once (not once per record).
    distinct = [sorted({v[j] for v in values}) for j in range(len(names))]
    mapped = [
        [{x: h.generalise(x, level) for x in distinct[j]} for level in range(h.height + 1)]
        for j, h in enumerate(hierarchies)
    ]
    allowed = int(max_suppressed * n)
    best = None
    for node in itertools.product(*(range(h.height + 1) for h in hierarchies)):
        maps = [mapped[j][level] for j, level in enumerate(node)]
        keys = [tuple(m[v[j]] for j, m in enumerate(maps)) for v in values]
        sizes = Counter(keys)
        suppressed = sum(size for size in sizes.values() if size < k)
        if suppressed > allowed:
            continue
        loss = sum(level / h.height for level, h in zip(node, hierarchies, strict=True))
        rank = (round(loss, 9), suppressed, node)
        if best is None or rank < best[0]:
            best = (rank, node, keys, sizes)
    (loss, suppressed, _), node, keys, sizes = best
    rows = []
    for record, key in zip(records, keys, strict=True):
        if sizes[key] >= k:
            rows.append({**record, **dict(zip(names, key, strict=True))})
    released = [size for size in sizes.values() if size >= k]
    return Result(
        rows,
        suppressed,
        min(released) if released else 0,
        dict(zip(names, node, strict=True)),
        loss,
    )
