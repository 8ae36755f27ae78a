# The minus sign (−) and ρ are meant: they are the typography users read.
# ruff: noqa: RUF002, RUF003
"""Goal Attainment Scaling (Kiresuk and Sherman, 1968): the summary T-score.

Each goal is scored from −2 (much less than expected) to +2 (much more than expected),
0 being the expected outcome. With weights wᵢ, scores xᵢ and an assumed correlation ρ
between goals,

    T = 50 + 10·Σwᵢxᵢ / √((1−ρ)·Σwᵢ² + ρ·(Σwᵢ)²)

so that T is 50 when every goal is met as expected and has a standard deviation of
about 10 when the scores are spread as the method assumes. Pure functions, no Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

RHO = 0.3
LEVELS = (-2, -1, 0, 1, 2)
MIN_WEIGHT = 1
MAX_WEIGHT = 10


class ScoreError(ValueError):
    """Scores or weights outside what the method defines."""


def t_score(scored: Iterable[tuple[int | float, int]], *, rho: float = RHO) -> float:
    """The T-score of ``scored``, pairs of (weight, score).

    Raises ScoreError for no goals, a score outside −2..+2, a weight that is not
    positive, or ρ outside [0, 1).
    """
    pairs = list(scored)
    if not pairs:
        raise ScoreError("At least one goal is needed for a T-score.")
    if not 0 <= rho < 1:
        raise ScoreError("The correlation between goals must be at least 0 and below 1.")
    for weight, score in pairs:
        if score not in LEVELS:
            raise ScoreError("Each score must be -2, -1, 0, +1 or +2.")
        if not weight > 0:
            raise ScoreError("Each weight must be more than 0.")
    weighted = sum(w * x for w, x in pairs)
    sum_w = sum(w for w, _ in pairs)
    sum_w2 = sum(w * w for w, _ in pairs)
    return 50 + 10 * weighted / math.sqrt((1 - rho) * sum_w2 + rho * sum_w**2)


def rounded(t: float) -> Decimal:
    """T to one decimal place, halves away from zero (as stored and shown)."""
    return Decimal(repr(t)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
