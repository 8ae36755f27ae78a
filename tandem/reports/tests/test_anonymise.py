"""The k-anonymity formulation: what it releases is k-anonymous, generalised only along
the hierarchies, and as little as the lattice allows."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.reports.anonymise import ANY, Hierarchy, anonymise
from tandem.reports.export import HIERARCHIES, age_band

DECADE = Hierarchy("age", (lambda a: a[0] + "0s" if a != ANY else ANY, lambda _: ANY))
PLACE = Hierarchy("place", (lambda _: ANY,))


def _records(pairs):
    return [{"age": a, "place": p, "x": i} for i, (a, p) in enumerate(pairs)]


def test_nothing_is_generalised_when_every_group_is_large_enough():
    records = _records([("31", "North")] * 5 + [("45", "South")] * 6)
    result = anonymise(records, (DECADE, PLACE), k=5)
    assert result.node == {"age": 0, "place": 0} and result.suppressed == 0
    assert result.k_achieved == 5 and len(result.rows) == 11
    assert {r["x"] for r in result.rows} == set(range(11))


def test_the_least_generalisation_that_keeps_groups_at_k_is_chosen():
    # Ages 31..35 in one place: each age alone is a group of one, their decade is five.
    records = _records([(str(a), "North") for a in range(31, 36)] * 1 + [("31", "North")] * 0)
    result = anonymise(records, (DECADE, PLACE), k=5, max_suppressed=0)
    assert result.node == {"age": 1, "place": 0}
    assert {r["age"] for r in result.rows} == {"30s"} and result.k_achieved == 5


def test_a_few_outliers_are_left_out_rather_than_generalising_everyone():
    records = _records([("31", "North")] * 60 + [("45", "South")] * 60 + [("72", "East")])
    result = anonymise(records, (DECADE, PLACE), k=5, max_suppressed=0.05)
    assert result.node == {"age": 0, "place": 0}
    assert result.suppressed == 1 and all(r["age"] != "72" for r in result.rows)
    # With no suppression allowed, generalising is the only way.
    strict = anonymise(records, (DECADE, PLACE), k=5, max_suppressed=0)
    assert strict.suppressed == 0 and strict.node != {"age": 0, "place": 0}


def test_fewer_records_than_k_releases_nothing():
    result = anonymise(_records([("31", "North")] * 4), (DECADE, PLACE), k=5)
    assert result.rows == [] and result.suppressed == 4 and result.k_achieved == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"k": 1}, "k must be at least 2"),
        ({"k": 5, "max_suppressed": 1}, "fraction"),
        ({"k": 5, "max_suppressed": -0.1}, "fraction"),
    ],
)
def test_bad_parameters_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        anonymise(_records([("31", "North")] * 5), (DECADE, PLACE), **options)


def test_a_hierarchy_must_end_in_any_and_names_must_be_distinct():
    bad = Hierarchy("place", (lambda p: p.upper(),))
    with pytest.raises(ValueError, match="must end in"):
        anonymise(_records([("31", "North")] * 5), (DECADE, bad), k=5)
    with pytest.raises(ValueError, match="exactly one"):
        anonymise(_records([("31", "North")] * 5), (PLACE, PLACE), k=5)


AGES = st.sampled_from([str(a) for a in (14, 17, 19, 23, 27, 34, 38, 41, 56, 63)])
PLACES = st.sampled_from(["North", "South", "East", "West"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(AGES, PLACES), min_size=0, max_size=60),
    st.integers(min_value=2, max_value=6),
    st.sampled_from([0, 0.05, 0.2]),
)
def test_what_is_released_is_k_anonymous_consistent_and_minimal(pairs, k, max_suppressed):
    records = _records(pairs)
    hierarchies = (DECADE, PLACE)
    result = anonymise(records, hierarchies, k=k, max_suppressed=max_suppressed)
    n = len(records)
    assert len(result.rows) + result.suppressed == n
    groups = Counter((r["age"], r["place"]) for r in result.rows)
    assert all(size >= k for size in groups.values())
    assert result.k_achieved == (min(groups.values()) if groups else 0)
    if n >= k:
        assert result.suppressed <= int(max_suppressed * n)
    by_id = {r["x"]: r for r in records}
    for row in result.rows:  # each released value is its record's value at the chosen level
        original = by_id[row["x"]]
        for h in hierarchies:
            assert row[h.name] == h.generalise(original[h.name], result.node[h.name])
    if n >= k:  # no feasible node loses less information
        for node in itertools.product(*(range(h.height + 1) for h in hierarchies)):
            loss = sum(level / h.height for level, h in zip(node, hierarchies, strict=True))
            if loss >= result.loss - 1e-9:
                continue
            sizes = Counter(
                tuple(h.generalise(r[h.name], lv) for h, lv in zip(hierarchies, node, strict=True))
                for r in records
            )
            assert sum(s for s in sizes.values() if s < k) > int(max_suppressed * n)


def test_the_export_hierarchies_nest_and_end_in_any():
    bands = {age_band(age) for age in range(10, 90)}
    for h in HIERARCHIES:
        sample = {
            "age_band": bands,
            "referral_period": {"2026-01", "2026-05", "2025-12"},
        }.get(h.name, {"Birmingham", "female"})
        for value in sample:
            assert h.generalise(value, h.height) == ANY
    assert (
        age_band(13) == "under 14" and age_band(17) == "16 to 17" and age_band(50) == "50 and over"
    )
    period = HIERARCHIES[-1]
    assert [period.generalise("2026-05", lv) for lv in range(4)] == [
        "2026-05",
        "2026 Q2",
        "2026",
        ANY,
    ]
