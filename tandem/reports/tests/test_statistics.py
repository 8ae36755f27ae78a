"""The intervals agree with independent computations; the adjusted comparison recovers a
known effect and declines what it cannot estimate."""

from __future__ import annotations

import math
import random

import pytest
from scipy import stats

from tandem.reports.statistics import adjusted_comparison, mean, proportion


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (45, 120), (1, 8)])
def test_the_wilson_interval_matches_its_formula(k, n):
    z = stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    result = proportion(k, n)
    assert result.value == pytest.approx(p)
    assert result.low == pytest.approx(max(0, centre - half), abs=1e-9)
    assert result.high == pytest.approx(min(1, centre + half), abs=1e-9)


def test_the_mean_interval_matches_the_t_distribution():
    values = [42.0, 55.5, 61.0, 47.5, 50.0, 58.0, 39.5, 64.0]
    n = len(values)
    m = sum(values) / n
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    result = mean(values)
    assert (result.value, result.low, result.high) == pytest.approx((m, m - half, m + half))


def test_a_constant_sample_has_a_point_interval_and_bad_input_is_refused():
    assert mean([50, 50, 50]).low == mean([50, 50, 50]).high == 50
    with pytest.raises(ValueError):
        mean([50])
    with pytest.raises(ValueError):
        mean([1.0, float("nan")])
    with pytest.raises(ValueError):
        proportion(5, 3)
    with pytest.raises(ValueError):
        proportion(0, 0)


def _synthetic(effect: float, n: int = 200, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        approach = ("Befriending", "Interventionist")[i % 2]
        concern = ("Extreme right", "Islamist")[rng.random() < 0.5]
        age = rng.randint(14, 40)
        score = 50 + (effect if approach == "Interventionist" else 0) + 0.2 * age
        score += (3 if concern == "Islamist" else 0) + rng.gauss(0, 2)
        rows.append({"score": score, "approach": approach, "concern": concern, "age": age})
    return rows


def test_the_adjusted_comparison_recovers_a_known_difference():
    result = adjusted_comparison(
        _synthetic(effect=6.0),
        outcome="score",
        factor="approach",
        covariates=("concern", "age"),
        binary=False,
    )
    (contrast,) = result.contrasts
    assert result.reference == "Befriending" and contrast.level == "Interventionist"
    assert contrast.low < 6.0 < contrast.high and contrast.effect == pytest.approx(6.0, abs=1)
    null = adjusted_comparison(
        _synthetic(effect=0.0, seed=11),
        outcome="score",
        factor="approach",
        covariates=("concern", "age"),
        binary=False,
    )
    assert null.contrasts[0].low < 0 < null.contrasts[0].high


def test_a_yes_no_outcome_gives_an_odds_ratio():
    rng = random.Random(3)
    rows = [
        {
            "ok": rng.random() < (0.8 if i % 2 else 0.4),
            "approach": ("Befriending", "Interventionist")[i % 2],
            "age": rng.randint(14, 40),
        }
        for i in range(400)
    ]
    result = adjusted_comparison(
        rows, outcome="ok", factor="approach", covariates=("age",), binary=True
    )
    (contrast,) = result.contrasts
    assert contrast.effect > 1 and contrast.low > 1  # 0.8 against 0.4: odds ratio near 6


def test_what_cannot_be_estimated_gives_none():
    one_level = [{"score": i, "approach": "Befriending", "age": i} for i in range(50)]
    assert (
        adjusted_comparison(
            one_level, outcome="score", factor="approach", covariates=("age",), binary=False
        )
        is None
    )
    few = _synthetic(effect=3.0, n=4)
    assert (
        adjusted_comparison(
            few, outcome="score", factor="approach", covariates=("concern", "age"), binary=False
        )
        is None
    )
