"""The pure questionnaire module: definitions are validated with messages a coordinator
can act on, and scores follow the definition (reverse-scoring, subscales, minimum
answered, prorated sums), refusing answers off the scale."""

from __future__ import annotations

import contextlib
import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..defaults import INSTRUMENTS
from ..scoring import AnswerError, DefinitionError, score, to_document, validate

DEFAULTS = {spec["key"]: spec["definition"] for spec in INSTRUMENTS}


def test_every_default_instrument_is_valid_and_round_trips():
    for document in DEFAULTS.values():
        definition = validate(document)
        assert validate(to_document(definition)) == definition


def test_ons_questions_are_reported_one_by_one_and_anxiety_is_not_reversed():
    definition = validate(DEFAULTS["ons4"])
    scores = score(definition, {"satisfied": 7, "worthwhile": 8, "happy": 6, "anxious": 3})
    assert scores.subscales == {
        "life_satisfaction": 7,
        "worthwhile": 8,
        "happiness": 6,
        "anxiety": 3,
    }
    assert scores.total is None
    anxiety = next(s for s in definition.subscales if s.code == "anxiety")
    assert anxiety.higher_is_better is False


def test_the_trust_scale_reverses_its_reverse_item_and_needs_four_answers():
    definition = validate(DEFAULTS["trust"])
    full = score(
        definition, {"listens": 5, "respect": 5, "holds_back": 1, "keeps_word": 5, "worth_it": 5}
    )
    assert full.total == 5  # holding back "strongly disagree" counts as 5
    three = score(definition, {"listens": 5, "respect": 4, "holds_back": 2})
    assert three.total is None and three.answered == 3
    four = score(definition, {"listens": 5, "respect": 4, "holds_back": 2, "keeps_word": 3})
    assert four.total == pytest.approx((5 + 4 + 4 + 3) / 4)


def test_a_sum_with_missing_items_is_prorated():
    document = copy.deepcopy(DEFAULTS["trust"])
    document["total"] = {"name": "Trust", "method": "sum", "min_answered": 4}
    definition = validate(document)
    assert (
        score(definition, {"listens": 4, "respect": 4, "holds_back": 2, "keeps_word": 4}).total
        == 20
    )


def test_text_answers_are_kept_but_never_scored():
    definition = validate(DEFAULTS["referrer_view"])
    scores = score(definition, {"situation": 4, "engagement": 4, "comment": "Going well."})
    assert scores.total == 4 and scores.items == 3


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"satisfied": 11}, "from 0 to 10"),
        ({"satisfied": "7"}, "points on the scale"),
        ({"satisfied": True}, "points on the scale"),
        ({"unknown": 3}, "does not have"),
    ],
)
def test_answers_off_the_scale_are_refused(answers, message):
    with pytest.raises(AnswerError, match=message):
        score(validate(DEFAULTS["ons4"]), answers)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["scale"].update(max=0), "above the lowest"),
        (lambda d: d["scale"].update(min=0, max=50), "at most 21 points"),
        (lambda d: d["items"].append(dict(d["items"][0])), "repeats the code"),
        (lambda d: d["items"][0].update(code="Bad code"), "lower-case"),
        (lambda d: d["items"][0].update(text={"cy": "Rhywbeth"}), "in English"),
        (
            lambda d: d["items"].append(
                {"code": "extra", "text": {"en": "Extra?"}, "subscale": "nothing"}
            ),
            "not defined",
        ),
        (lambda d: d["items"][0].update(subscale="nothing"), "No item belongs"),
        (lambda d: d["subscales"][0].update(min_answered=5), "between 1 and 1"),
        (lambda d: d["subscales"][0].update(method="median"), "mean or by sum"),
        (lambda d: d.update(items=[]), "at least one item"),
        (lambda d: d["items"][0].update(kind="text"), "cannot be scored"),
    ],
)
def test_definitions_that_cannot_work_are_refused_with_a_reason(change, message):
    document = copy.deepcopy(DEFAULTS["ons4"])
    change(document)
    with pytest.raises(DefinitionError, match=message):
        validate(document)


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"scale": ANY_JSON, "items": ANY_JSON, "subscales": ANY_JSON, "total": ANY_JSON}
    )
    | ANY_JSON
)
def test_any_document_is_either_valid_or_refused_cleanly(document):
    with contextlib.suppress(DefinitionError):
        validate(document)


@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["satisfied", "worthwhile", "happy", "anxious"]),
        st.integers(-5, 15) | st.none(),
    )
)
def test_scores_stay_on_the_scale(answers):
    definition = validate(DEFAULTS["ons4"])
    try:
        scores = score(definition, answers)
    except AnswerError:
        assert any(v is not None and not 0 <= v <= 10 for v in answers.values())
        return
    for value in scores.subscales.values():
        assert value is None or 0 <= value <= 10


def test_languages_are_offered_only_when_every_item_has_them():
    document = copy.deepcopy(DEFAULTS["trust"])
    for item in document["items"]:
        item["text"]["cy"] = "Cwestiwn"
    document["scale"]["labels"] = {
        "min": {"en": "No", "cy": "Na"},
        "max": {"en": "Yes", "cy": "Ie"},
    }
    assert validate(document).languages == ("en", "cy")
    document["items"][0]["text"].pop("cy")
    assert validate(document).languages == ("en",)
