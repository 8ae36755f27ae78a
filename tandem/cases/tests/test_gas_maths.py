"""The Goal Attainment Scaling T-score: known values, refusals and its properties."""

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.cases.gas import LEVELS, ScoreError, rounded, t_score

# Known values ----------------------------------------------------------------------------


def test_every_goal_met_as_expected_scores_fifty():
    assert t_score([(1, 0)]) == 50
    assert t_score([(3, 0), (1, 0), (10, 0)]) == 50


@pytest.mark.parametrize(("score", "expected"), [(-2, 30), (-1, 40), (0, 50), (1, 60), (2, 70)])
def test_a_single_goal_moves_ten_points_a_level(score, expected):
    # One goal of weight 1: the denominator is sqrt((1 - rho) + rho) = 1.
    assert t_score([(1, score)]) == pytest.approx(expected)


def test_a_single_goals_weight_does_not_matter():
    assert t_score([(7, 1)]) == pytest.approx(60)


def test_two_equal_goals_both_above_expected():
    # 50 + 10·2 / √(0.7·2 + 0.3·4) = 50 + 20/√2.6
    assert t_score([(1, 1), (1, 1)]) == pytest.approx(50 + 20 / math.sqrt(2.6))
    assert rounded(t_score([(1, 1), (1, 1)])) == Decimal("62.4")


def test_three_equal_goals_all_above_expected():
    # 50 + 30 / √(0.7·3 + 0.3·9) = 50 + 30/√4.8
    assert rounded(t_score([(1, 1)] * 3)) == Decimal("63.7")


def test_opposite_scores_of_equal_goals_cancel_out():
    assert t_score([(1, 1), (1, 0), (1, -1)]) == pytest.approx(50)


def test_weights_count_in_the_sum_and_the_denominator():
    # Σwx = 6, Σw² = 14, (Σw)² = 36: 50 + 60/√(9.8 + 10.8)
    assert t_score([(1, 1), (2, 1), (3, 1)]) == pytest.approx(50 + 60 / math.sqrt(20.6))
    assert rounded(t_score([(1, 1), (2, 1), (3, 1)])) == Decimal("63.2")


def test_a_heavier_goal_pulls_the_score_its_way():
    light_up = t_score([(1, 2), (3, -1)])
    heavy_up = t_score([(3, 2), (1, -1)])
    assert heavy_up > 50 > light_up


def test_without_correlation_the_denominator_is_the_root_of_the_squared_weights():
    assert t_score([(1, 1), (1, 1)], rho=0) == pytest.approx(50 + 20 / math.sqrt(2))


def test_rounding_is_to_one_place_half_up():
    assert rounded(56.25) == Decimal("56.3")
    assert rounded(56.24999) == Decimal("56.2")
    assert rounded(43.75) == Decimal("43.8")
    assert rounded(50) == Decimal("50.0")


# Refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scored",
    [[], [(1, 3)], [(1, -3)], [(0, 1)], [(-1, 1)], [(1, 0.5)]],
    ids=["no goals", "score 3", "score -3", "weight 0", "negative weight", "half a level"],
)
def test_scores_and_weights_outside_the_method_are_refused(scored):
    with pytest.raises(ScoreError):
        t_score(scored)


@pytest.mark.parametrize("rho", [-0.1, 1, 1.5])
def test_a_correlation_outside_zero_to_one_is_refused(rho):
    with pytest.raises(ScoreError):
        t_score([(1, 1)], rho=rho)


# Properties ------------------------------------------------------------------------------

weights = st.integers(min_value=1, max_value=10)
goals = st.lists(st.tuples(weights, st.sampled_from(LEVELS)), min_size=1, max_size=12)


@given(goals, st.data())
def test_raising_any_one_score_raises_the_t_score(scored, data):
    index = data.draw(st.integers(min_value=0, max_value=len(scored) - 1))
    weight, score = scored[index]
    if score == 2:
        return
    raised = [*scored[:index], (weight, score + 1), *scored[index + 1 :]]
    assert t_score(raised) > t_score(scored)


@given(goals)
def test_the_t_score_is_symmetric_around_fifty(scored):
    mirrored = [(w, -x) for w, x in scored]
    assert t_score(scored) - 50 == pytest.approx(50 - t_score(mirrored))


@given(goals, st.integers(min_value=2, max_value=5))
def test_scaling_every_weight_alike_changes_nothing(scored, factor):
    scaled = [(w * factor, x) for w, x in scored]
    assert t_score(scaled) == pytest.approx(t_score(scored))


@given(goals)
def test_the_t_score_stays_within_the_range_all_minus_two_to_all_plus_two(scored):
    lowest = t_score([(w, -2) for w, _ in scored])
    highest = t_score([(w, 2) for w, _ in scored])
    assert lowest - 1e-9 <= t_score(scored) <= highest + 1e-9
