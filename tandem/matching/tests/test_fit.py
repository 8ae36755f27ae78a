"""A fit score in words."""

import pytest

from tandem.matching.fit import FIT_BANDS, fit_label, fit_sentence


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (1000, "Very good fit"),
        (800, "Very good fit"),
        (799, "Good fit"),
        (600, "Good fit"),
        (599.6, "Fair fit"),
        (400, "Fair fit"),
        (319, "Weak fit"),
        (200, "Weak fit"),
        (199, "Poor fit"),
        (0, "Poor fit"),
    ],
)
def test_every_score_falls_in_one_band(score, label):
    assert fit_label(score) == label


def test_the_sentence_says_what_the_band_means_and_keeps_the_points():
    assert (
        fit_sentence(319) == "Weak fit: meets few of the person's preferences (319 of 1,000 points)"
    )
    assert fit_sentence(1000).endswith("(1,000 of 1,000 points)")
    assert fit_label(None) == fit_sentence("") == "Not scored"


def test_the_bands_run_from_highest_to_lowest_down_to_zero():
    floors = [band.floor for band in FIT_BANDS]
    assert floors == sorted(floors, reverse=True)
    assert floors[-1] == 0
