"""Disclosure control for every table of counts that board members and evaluators see.

The problem
-----------
A table of counts (groups of people or mentors) with its totals is published to people who
may not know who is behind it. A count of 1 to ``threshold - 1`` (1 to 7 by default) could
point at a person, so it must not be shown, nor be recoverable from what is shown: the
row and column totals, and the other cells, tie the cells together by equations, and a
single withheld cell in a line is simply the total minus the rest.

The formulation
---------------
The published table, with its totals, is the *extended* table of ``m + 1`` rows and ``n + 1``
columns: the cells, a column of row totals, a row of column totals and the grand total in the
corner. Every entry then lies in exactly one *row equation* (the entries of row ``i`` add up
to its total) and exactly one *column equation*. Read each equation as a node and each entry
as an edge between its row node and its column node: the extended table is a complete
bipartite graph, and the withheld entries are a subgraph of it.

Given every shown entry exactly, a withheld entry can be worked out exactly if and only if
its edge is a *bridge* of the withheld subgraph (the edges on no cycle): summing the
equations on one side of a bridge cancels every other withheld entry. An entry on a cycle
can move by ``±d`` with the rest of the cycle, and since withheld counts are at least 1 it
can move both ways, so its feasible values form an interval, never a point. That is the
guarantee, and the tests check it with linear programming: no withheld entry is determined
by the shown entries, even shown exactly.

The rule, in three steps:

1. *Primary suppression*: every entry (cell or total) from 1 to ``threshold - 1``.
2. *Secondary suppression*: while an equation holds exactly one withheld entry, withhold
   the smallest positive shown entry of that equation too (a total, where nothing else is
   left). Then while a withheld entry is a bridge, withhold the smallest positive shown
   entry that closes a cycle through it (one row from one side and one column from the
   other). Each step withholds one more entry, so this ends; zeros are never withheld.
3. *Rounding*: every shown count is rounded to the nearest ``base`` (5), halves up. A count
   of ``threshold`` or more therefore never shows as 1 to 7, and nobody reading the table
   learns a shown count exactly either.

A table whose totals are not shown has fewer equations. With only column totals (the
common case: a list of groups and their total, several such columns side by side), each
column is one equation on its own and the rule is "none or at least two withheld"; without
any totals, each cell stands alone.

The input is validated: a rectangular table of non-negative integers. The result is plain
data for a template: for each entry either its rounded count or ``None`` (withheld).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ROUND_TO",
    "THRESHOLD",
    "WITHHELD",
    "ProtectedTable",
    "protect",
    "protect_counts",
    "rounded",
    "shown",
]

THRESHOLD = 8  # counts from 1 to THRESHOLD - 1 are withheld
ROUND_TO = 5
WITHHELD = "withheld"


def rounded(count: int, base: int = ROUND_TO) -> int:
    """``count`` to the nearest ``base``, halves up."""
    return (count + base // 2) // base * base


def shown(value: int | None) -> str:
    """A protected count as the page shows it."""
    return WITHHELD if value is None else f"{value:,}"


@dataclass(frozen=True)
class ProtectedTable:
    """What may be shown of a table. ``None`` means withheld.

    ``cells[i][j]``, ``row_totals[i]`` (when row totals are shown), ``column_totals[j]`` (when
    column totals are shown) and ``total`` (the grand total, when both are shown or there is
    only one line of totals to add up) hold rounded counts.
    ``withheld`` lists the positions in the extended table (``(i, j)``, row ``m`` holding the
    column totals and column ``n`` the row totals) that are withheld.
    """

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...] | None
    column_totals: tuple[int | None, ...] | None
    total: int | None
    withheld: frozenset[tuple[int, int]]


def _validate(counts: object) -> list[list[int]]:
    if isinstance(counts, (str, bytes)) or not isinstance(counts, Sequence):
        raise ValueError("counts must be a sequence of rows")
    rows = []
    width = None
    for row in counts:
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise ValueError("each row of counts must be a sequence")
        values = list(row)
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise ValueError("counts must be rectangular: rows differ in length")
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"counts must be integers, got {value!r}")
            if value < 0:
                raise ValueError(f"counts cannot be negative, got {value}")
        rows.append(values)
    return rows


def _check_parameters(threshold: int, base: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError("threshold must be a positive integer")
    if isinstance(base, bool) or not isinstance(base, int) or base < 1:
        raise ValueError("base must be a positive integer")


# One equation at a time -------------------------------------------------------------------


def _protect_line(values: list[int], withheld: set[int]) -> None:
    """Within one equation (``values``, the last being its total): none or at least two
    withheld; adds the smallest positive shown values until so."""
    while len(withheld) == 1:
        candidates = [(v, i) for i, v in enumerate(values) if v > 0 and i not in withheld]
        if not candidates:
            return  # only zeros are left: the one withheld value is 0 too, never withheld
        withheld.add(min(candidates)[1])


# The extended table as a graph ------------------------------------------------------------


def _bridges(edges: set[tuple[int, int]], rows: int) -> set[tuple[int, int]]:
    """The bridges of the bipartite graph whose edge ``(i, j)`` joins row node ``i`` and
    column node ``rows + j`` (Tarjan's low-link, iteratively)."""
    adjacency: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for i, j in edges:
        adjacency.setdefault(i, []).append((rows + j, (i, j)))
        adjacency.setdefault(rows + j, []).append((i, (i, j)))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    found: set[tuple[int, int]] = set()
    counter = 0
    for root in sorted(adjacency):
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for neighbour, edge in neighbours:
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, iter(adjacency[neighbour])))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.add(via)
    return found


def _side(edges: set[tuple[int, int]], bridge: tuple[int, int], rows: int) -> set[int]:
    """The nodes reachable from the bridge's row node without crossing the bridge."""
    adjacency: dict[int, list[int]] = {}
    for edge in edges:
        if edge == bridge:
            continue
        i, j = edge
        adjacency.setdefault(i, []).append(rows + j)
        adjacency.setdefault(rows + j, []).append(i)
    seen = {bridge[0]}
    todo = [bridge[0]]
    while todo:
        for neighbour in adjacency.get(todo.pop(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                todo.append(neighbour)
    return seen


def _protect_extended(table: list[list[int]], withheld: set[tuple[int, int]]) -> None:
    rows, columns = len(table), len(table[0])
    while True:
        changed = False
        for i in range(rows):
            line = {j for j in range(columns) if (i, j) in withheld}
            before = len(line)
            _protect_line(table[i], line)
            if len(line) != before:
                withheld.update((i, j) for j in line)
                changed = True
        for j in range(columns):
            values = [table[i][j] for i in range(rows)]
            line = {i for i in range(rows) if (i, j) in withheld}
            before = len(line)
            _protect_line(values, line)
            if len(line) != before:
                withheld.update((i, j) for i in line)
                changed = True
        if changed:
            continue
        bridges = sorted(_bridges(withheld, rows))
        if not bridges:
            return
        bridge = bridges[0]
        side = _side(withheld, bridge, rows)
        candidates = [
            (table[i][j], i, j)
            for i in range(rows)
            for j in range(columns)
            if (i, j) not in withheld and ((i in side) != (rows + j in side)) and table[i][j] > 0
        ]
        if not candidates:
            candidates = [
                (table[i][j], i, j)
                for i in range(rows)
                for j in range(columns)
                if (i, j) not in withheld and ((i in side) != (rows + j in side))
            ]
        if not candidates:  # cannot happen in a complete bipartite graph; be safe
            withheld.update((i, j) for i in range(rows) for j in range(columns))
            return
        _, i, j = min(candidates)
        withheld.add((i, j))


# The public functions ---------------------------------------------------------------------


def protect(
    counts: Sequence[Sequence[int]],
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    threshold: int = THRESHOLD,
    base: int = ROUND_TO,
) -> ProtectedTable:
    """Protect a table of counts shown with the totals asked for (see the module docstring)."""
    cells = _validate(counts)
    _check_parameters(threshold, base)
    m = len(cells)
    n = len(cells[0]) if cells else 0
    row_sums = [sum(row) for row in cells]
    column_sums = [sum(cells[i][j] for i in range(m)) for j in range(n)]
    grand = sum(row_sums)

    # The extended table: row m holds column totals, column n holds row totals.
    table = [[*cells[i], row_sums[i]] for i in range(m)] + [[*column_sums, grand]]
    published = {(i, j) for i in range(m) for j in range(n)}
    if row_totals:
        published |= {(i, n) for i in range(m)}
    if column_totals:
        published |= {(m, j) for j in range(n)}
    if row_totals and column_totals:
        published.add((m, n))

    withheld = {(i, j) for i, j in published if 0 < table[i][j] < threshold}
    if row_totals and column_totals:
        _protect_extended(table, withheld)
    elif column_totals:
        for j in range(n):
            values = [table[i][j] for i in range(m + 1)]
            line = {i for i in range(m + 1) if (i, j) in withheld}
            _protect_line(values, line)
            withheld.update((i, j) for i in line)
    elif row_totals:
        for i in range(m):
            line = {j for j in range(n + 1) if (i, j) in withheld}
            _protect_line(table[i], line)
            withheld.update((i, j) for j in line)

    def value(i: int, j: int) -> int | None:
        return None if (i, j) in withheld else rounded(table[i][j], base)

    # The grand total is shown with both kinds of total, or as the only total there is.
    if row_totals and column_totals:
        total = value(m, n)
    elif column_totals and n == 1:
        total = value(m, 0)
    elif row_totals and m == 1:
        total = value(0, n)
    else:
        total = None
    return ProtectedTable(
        cells=tuple(tuple(value(i, j) for j in range(n)) for i in range(m)),
        row_totals=tuple(value(i, n) for i in range(m)) if row_totals else None,
        column_totals=tuple(value(m, j) for j in range(n)) if column_totals else None,
        total=total,
        withheld=frozenset(withheld & published),
    )


def protect_counts(
    counts: Sequence[int], *, threshold: int = THRESHOLD, base: int = ROUND_TO
) -> tuple[list[int | None], int | None]:
    """A list of groups and their total: the protected counts and the protected total."""
    table = protect(
        [[count] for count in counts],
        row_totals=False,
        column_totals=True,
        threshold=threshold,
        base=base,
    )
    column_total = table.column_totals[0] if table.column_totals else None
    return [row[0] for row in table.cells], column_total
