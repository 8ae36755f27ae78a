"""A fit score in words. Scores run from 0 to 1,000 (scoring.py): the sum of each
criterion's points under the scheme's weights. People read a band and the reasons (the
score table), not a number: "a good fit" says more than "612 of 1,000". The number stays
available, in smaller print, for comparing two suggestions closely."""

from __future__ import annotations

from dataclasses import dataclass

SCORE_MAX = 1000


@dataclass(frozen=True)
class FitBand:
    floor: int
    label: str
    meaning: str


# Highest first; a score belongs to the first band whose floor it reaches.
FIT_BANDS = (
    FitBand(800, "Very good fit", "meets nearly everything the person's needs ask for"),
    FitBand(600, "Good fit", "meets most of what matters most for the person"),
    FitBand(400, "Fair fit", "meets some of the person's needs and preferences, not all"),
    FitBand(200, "Weak fit", "meets few of the person's preferences"),
    FitBand(0, "Poor fit", "meets the rules that must hold, but little else"),
)


def fit_band(score) -> FitBand | None:
    if score is None or score == "":
        return None
    value = float(score)
    for band in FIT_BANDS:
        if value >= band.floor:
            return band
    return FIT_BANDS[-1]


def fit_label(score) -> str:
    band = fit_band(score)
    return band.label if band else "Not scored"


def fit_sentence(score) -> str:
    """ "Good fit: meets most of what matters most for the person (612 of 1,000 points)"."""
    band = fit_band(score)
    if band is None:
        return "Not scored"
    return f"{band.label}: {band.meaning} ({round(float(score)):,} of {SCORE_MAX:,} points)"
