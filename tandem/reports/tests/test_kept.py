"""Kept figures: computed once per KEEP_SECONDS, by one process at a time, with the
figures they replace served meanwhile, and never across a generation (a restriction or
an erasure)."""

import time

import pytest
from django.core.cache import cache

from tandem.reports import kept


class Counting:
    def __init__(self, value="new"):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def _age(name: str, seconds: float, value="old") -> None:
    cache.set(kept.cache_key(name), (time.time() - seconds, value), kept.SERVE_STALE_SECONDS)


def _lock_held(name: str) -> None:
    cache.add(f"{kept.cache_key(name)}:computing", 1, kept.LOCK_SECONDS)


def test_fresh_figures_are_served_without_computing():
    _age("figures", 10)
    compute = Counting()
    assert kept.kept("figures", compute) == "old" and compute.calls == 0


def test_aged_figures_are_computed_again_by_the_first_who_asks():
    _age("figures", kept.KEEP_SECONDS + 1)
    compute = Counting()
    assert kept.kept("figures", compute) == "new" and compute.calls == 1
    assert kept.kept("figures", compute) == "new" and compute.calls == 1
    assert cache.get(f"{kept.cache_key('figures')}:computing") is None  # released


def test_while_one_computes_the_others_get_the_figures_it_replaces():
    _age("figures", kept.KEEP_SECONDS + 1)
    _lock_held("figures")
    compute = Counting()
    assert kept.kept("figures", compute) == "old" and compute.calls == 0


def test_with_nothing_kept_the_others_wait_for_the_one_computing(monkeypatch):
    _lock_held("figures")
    monkeypatch.setattr(kept.time, "sleep", lambda _seconds: _age("figures", 0, "theirs"))
    compute = Counting()
    assert kept.kept("figures", compute) == "theirs" and compute.calls == 0


def test_a_computation_that_never_arrives_is_done_here(monkeypatch):
    _lock_held("figures")
    monkeypatch.setattr(kept, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(kept, "WAIT_STEP", 0.01)
    compute = Counting()
    assert kept.kept("figures", compute) == "new" and compute.calls == 1


def test_a_failed_computation_releases_the_lock():
    def failing():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        kept.kept("figures", failing)
    assert kept.kept("figures", Counting()) == "new"


def test_a_new_generation_is_never_served_the_old_figures(monkeypatch):
    monkeypatch.setattr(kept, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(kept, "WAIT_STEP", 0.01)
    _age("figures", 10)
    kept.forget()
    _lock_held("figures")  # even while someone computes the new generation's
    compute = Counting()
    assert kept.kept("figures", compute) == "new" and compute.calls == 1
