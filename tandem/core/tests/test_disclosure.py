"""The shared disclosure control: small counts withheld, none recoverable, the rest rounded.

The attack tests play an adversary who knows every shown count *exactly* (stronger than
the page, which shows them rounded) and bounds each withheld entry by linear programming
over the table's equations with non-negative counts. Tables with totals have a totally
unimodular constraint matrix, so these bounds are attained by whole numbers: an interval
of width zero would mean the entry was worked out.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from tandem.core.disclosure import THRESHOLD, protect, protect_counts, rounded, shown

SMALL = st.integers(min_value=0, max_value=12)
MIXED = st.one_of(st.integers(min_value=0, max_value=9), st.integers(min_value=0, max_value=60))


def tables(max_rows=6, max_columns=5):
    return st.integers(1, max_rows).flatmap(
        lambda m: st.integers(1, max_columns).flatmap(
            lambda n: st.lists(st.lists(MIXED, min_size=n, max_size=n), min_size=m, max_size=m)
        )
    )


def extended(counts):
    m, n = len(counts), len(counts[0])
    table = [[*row, sum(row)] for row in counts]
    table.append([*(sum(counts[i][j] for i in range(m)) for j in range(n)), sum(map(sum, counts))])
    return table


def bounds(counts, result, *, row_totals=True, column_totals=True):
    """For each withheld entry, the least and greatest value consistent with every shown
    entry (exact) and the table's equations; ``None`` for an unbounded maximum."""
    table = extended(counts)
    m, n = len(counts), len(counts[0])
    published = {(i, j) for i in range(m) for j in range(n)}
    if row_totals:
        published |= {(i, n) for i in range(m)}
    if column_totals:
        published |= {(m, j) for j in range(n)}
    if row_totals and column_totals:
        published.add((m, n))
    unknown = [(i, j) for i in range(m + 1) for j in range(n + 1)]
    index = {entry: k for k, entry in enumerate(unknown)}
    rows, rhs = [], []
    for i in range(m + 1):  # row equations: cells of row i minus its total
        row = np.zeros(len(unknown))
        for j in range(n):
            row[index[(i, j)]] += 1
        row[index[(i, n)]] -= 1
        rows.append(row)
        rhs.append(0)
    for j in range(n + 1):  # column equations
        row = np.zeros(len(unknown))
        for i in range(m):
            row[index[(i, j)]] += 1
        row[index[(m, j)]] -= 1
        rows.append(row)
        rhs.append(0)
    for entry in published - set(result.withheld):  # what is shown, exactly
        row = np.zeros(len(unknown))
        row[index[entry]] = 1
        rows.append(row)
        rhs.append(table[entry[0]][entry[1]])
    a_eq, b_eq = np.array(rows), np.array(rhs)
    found = {}
    for entry in result.withheld:
        c = np.zeros(len(unknown))
        c[index[entry]] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0
        found[entry] = (round(low.fun), None if high.status == 3 else round(-high.fun))
    return found, table


# Examples -----------------------------------------------------------------------------------


def test_small_counts_are_withheld_and_the_rest_rounded():
    counts, total = protect_counts([3, 40, 22, 0, 9])
    # 3 is small; the smallest other positive count (9) goes with it.
    assert counts == [None, 40, 20, 0, None]
    assert total == 75


def test_a_single_small_count_is_not_the_total_minus_the_rest():
    counts, total = protect_counts([12, 1])
    assert counts == [None, None]
    assert total == 15


def test_a_small_total_is_withheld_with_its_cells():
    counts, total = protect_counts([2, 3, 0])
    assert counts == [None, None, 0]
    assert total is None


def test_counts_of_eight_or_more_never_show_as_one_to_seven():
    assert rounded(8) == 10
    assert rounded(12) == 10
    assert rounded(13) == 15
    assert rounded(0) == 0
    assert shown(None) == "withheld"
    assert shown(1234) == "1,234"


def test_a_two_way_table_closes_every_withheld_cell_in_a_cycle():
    counts = [[20, 3, 30], [25, 30, 40], [50, 60, 70]]
    result = protect(counts)
    assert (0, 1) in result.withheld
    found, _ = bounds(counts, result)
    for entry, (low, high) in found.items():
        assert high is None or high > low, entry


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        [[1, 2], [3]],
        [[1, -1]],
        [[1.5]],
        [[True]],
        [1, 2],
        None,
    ],
)
def test_bad_tables_are_refused(bad):
    with pytest.raises(ValueError):
        protect(bad)


@pytest.mark.parametrize("threshold, base", [(0, 5), (8, 0), (True, 5), (8, 2.5)])
def test_bad_parameters_are_refused(threshold, base):
    with pytest.raises(ValueError):
        protect([[1]], threshold=threshold, base=base)


def test_an_empty_table_is_empty():
    result = protect([])
    assert result.cells == ()
    assert result.total == 0


# Properties: what is shown never gives away a withheld count ----------------------------------


def _no_small_shown(result):
    values = [v for row in result.cells for v in row]
    values += list(result.row_totals or ()) + list(result.column_totals or ())
    values.append(result.total)
    assert not any(v is not None and 0 < v < THRESHOLD for v in values)
    assert all(v is None or v % 5 == 0 for v in values)


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_withheld_entry_of_a_two_way_table_can_be_recovered(counts):
    result = protect(counts)
    _no_small_shown(result)
    found, table = bounds(counts, result)
    for (i, j), (low, high) in found.items():
        value = table[i][j]
        assert low <= value and (high is None or value <= high)
        assert high is None or high > low, f"entry {(i, j)} = {value} is pinned"
    # Every small entry is withheld.
    m, n = len(counts), len(counts[0])
    for i in range(m + 1):
        for j in range(n + 1):
            if 0 < table[i][j] < THRESHOLD:
                assert (i, j) in result.withheld


@settings(max_examples=300, deadline=None)
@given(tables(max_rows=10, max_columns=3))
def test_no_withheld_entry_of_columns_with_totals_can_be_recovered(counts):
    result = protect(counts, row_totals=False, column_totals=True)
    _no_small_shown(result)
    found, table = bounds(counts, result, row_totals=False, column_totals=True)
    for (i, j), (low, high) in found.items():
        assert high is None or high > low, f"entry {(i, j)} = {table[i][j]} is pinned"


@settings(max_examples=200, deadline=None)
@given(st.lists(SMALL, min_size=1, max_size=12))
def test_a_list_and_its_total_never_shows_a_small_count(counts):
    protected, total = protect_counts(counts)
    for count, value in zip(counts, protected, strict=True):
        if 0 < count < THRESHOLD:
            assert value is None
        if value is not None:
            assert value == rounded(count)
    assert sum(1 for value in protected if value is None) != 1 or total is None
