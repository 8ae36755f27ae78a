"""Scoring: which mentors may take which case, how each preference scores, suggestions.

Pure numpy, no database. Cases and mentors are written as readable dictionaries (sets as
lists of indices) and turned into the arrays scoring takes by ``build``. Seventy languages
and seventy specialisms make every bit mask two ``uint64`` words, so indices above 63
exercise the second word.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tandem.matching.scoring import (
    AGE_SPAN,
    CRITERIA,
    EXCLUSIONS,
    NEAR_EDGE,
    SCALE,
    UNKNOWN,
    CaseArrays,
    MentorArrays,
    Weights,
    allowed_pairs,
    preferences,
    score_pairs,
    suggest,
    to_mask,
)

N_LANGUAGES = 70
N_SPECIALISMS = 70
AREA_KM = (0.0, 10.0, 30.0)  # areas on a line; a mentor lives in one of them
FEMALE, MALE = 1, 2

MENTOR = {
    "matchable": True,
    "spare": 1,
    "cap": 1,
    "gender": MALE,
    "languages": [0],
    "fluent": [0],
    "faith": -1,
    "lived": False,
    "age": math.nan,
    "specialisms": [],
    "rank": 1,
    "area": 0,  # sets the distances to every area from AREA_KM, unless "km" is given
    "km": None,
    "radius": 15.0,
    "online": False,
    "availability": [],  # slot numbers 0..13
}
CASE = {
    "languages": [],  # none: no requirement
    "preferred": -1,
    "gender": 0,  # any
    "faith": -1,
    "age": math.nan,
    "area": 0,
    "online": False,
    "min_rank": 0,
    "wanted": [],
    "required": [],
    "availability": [],
}


def mentor(**overrides) -> dict:
    unknown = set(overrides) - set(MENTOR)
    assert not unknown, unknown
    return {**MENTOR, **overrides}


def case(**overrides) -> dict:
    unknown = set(overrides) - set(CASE)
    assert not unknown, unknown
    return {**CASE, **overrides}


def _slots(slots) -> int:
    return sum(1 << s for s in slots)


def _pairs(pairs) -> tuple[np.ndarray, np.ndarray]:
    pairs = list(pairs)
    return (
        np.array([c for c, _ in pairs], dtype=np.int64),
        np.array([m for _, m in pairs], dtype=np.int64),
    )


def km_of(m: dict) -> list[float]:
    if m["km"] is not None:
        return list(m["km"])
    return [abs(AREA_KM[m["area"]] - x) for x in AREA_KM]


def build(cases, mentors, *, conflict=(), history=(), continuity=()):
    """Readable dictionaries → (CaseArrays, MentorArrays)."""
    m_arrays = MentorArrays(
        matchable=np.array([m["matchable"] for m in mentors], dtype=bool),
        spare=np.array([m["spare"] for m in mentors], dtype=np.int64),
        cap=np.array([m["cap"] for m in mentors], dtype=np.int64),
        gender=np.array([m["gender"] for m in mentors], dtype=np.int8),
        languages=to_mask([m["languages"] for m in mentors], N_LANGUAGES),
        fluent=to_mask([m["fluent"] for m in mentors], N_LANGUAGES),
        faith=np.array([m["faith"] for m in mentors], dtype=np.int32),
        lived=np.array([m["lived"] for m in mentors], dtype=bool),
        age=np.array([m["age"] for m in mentors], dtype=np.float64),
        specialisms=to_mask([m["specialisms"] for m in mentors], N_SPECIALISMS),
        rank=np.array([m["rank"] for m in mentors], dtype=np.int64),
        area_distance=np.array([km_of(m) for m in mentors], dtype=np.float32).reshape(
            len(mentors), len(AREA_KM)
        ),
        radius=np.array([m["radius"] for m in mentors], dtype=np.float64),
        online=np.array([m["online"] for m in mentors], dtype=bool),
        availability=np.array([_slots(m["availability"]) for m in mentors], dtype=np.int64),
    )
    c_arrays = CaseArrays(
        languages=to_mask([c["languages"] for c in cases], N_LANGUAGES),
        preferred=np.array([c["preferred"] for c in cases], dtype=np.int32),
        gender=np.array([c["gender"] for c in cases], dtype=np.int8),
        faith=np.array([c["faith"] for c in cases], dtype=np.int32),
        age=np.array([c["age"] for c in cases], dtype=np.float64),
        area=np.array([c["area"] for c in cases], dtype=np.int32),
        online=np.array([c["online"] for c in cases], dtype=bool),
        min_rank=np.array([c["min_rank"] for c in cases], dtype=np.int64),
        wanted=to_mask([c["wanted"] for c in cases], N_SPECIALISMS),
        required=to_mask([c["required"] for c in cases], N_SPECIALISMS),
        availability=np.array([_slots(c["availability"]) for c in cases], dtype=np.int64),
        conflict_pairs=_pairs(conflict),
        history_pairs=_pairs(history),
        continuity_pairs=_pairs(continuity),
    )
    return c_arrays, m_arrays


def exclusion(c: dict, m: dict) -> str | None:
    """The constraint that keeps mentor ``m`` from case ``c``, or None when allowed; checks
    that ``suggest`` and ``allowed_pairs`` agree on it."""
    cases, mentors = build([c], [m])
    s = suggest(cases, mentors, Weights(), 0)
    ci, mj, _ = allowed_pairs(cases, mentors, Weights())
    assert s.allowed == len(ci) == len(mj)
    if s.allowed:
        assert s.excluded == {}
        return None
    assert list(s.excluded.values()) == [1]
    return next(iter(s.excluded))


def parts_of(c: dict, m: dict, **pairs) -> dict[str, float]:
    """Each preference's value for one pair."""
    cases, mentors = build([c], [m], **pairs)
    values = preferences(cases, mentors, np.array([0]), np.array([0]))[0]
    return dict(zip(CRITERIA, values, strict=True))


# --- Hard constraints -------------------------------------------------------------------


def test_a_plain_pair_is_allowed():
    assert exclusion(case(), mentor()) is None


@pytest.mark.parametrize(
    ("needs", "speaks", "allowed"),
    [
        ([], [], True),  # no requirement: even a mentor with no recorded language
        ([], [5], True),
        ([3, 66], [66], True),  # any one of the person's languages will do (second word)
        ([3, 66], [3], True),
        ([3, 66], [4, 65, 0], False),
        ([66], [2], False),
        ([2], [66], False),
        ([2], [], False),
    ],
)
def test_language_requirement_is_any_of_the_persons_languages(needs, speaks, allowed):
    reason = exclusion(case(languages=needs), mentor(languages=speaks, fluent=[]))
    assert reason == (None if allowed else "language")


@pytest.mark.parametrize(
    ("needed", "gender", "allowed"),
    [
        (0, MALE, True),
        (0, FEMALE, True),
        (0, 0, True),  # no requirement: even a mentor whose gender is not recorded
        (FEMALE, FEMALE, True),
        (FEMALE, MALE, False),
        (FEMALE, 0, False),
        (MALE, FEMALE, False),
    ],
)
def test_required_mentor_gender(needed, gender, allowed):
    reason = exclusion(case(gender=needed), mentor(gender=gender))
    assert reason == (None if allowed else "gender")


@pytest.mark.parametrize(
    ("required", "held", "allowed"),
    [
        ([], [], True),
        ([1, 66], [1, 66], True),
        ([1, 66], [0, 1, 5, 66, 69], True),
        ([1, 66], [1], False),  # every required specialism, not any
        ([1, 66], [66], False),
        ([66], [], False),
    ],
)
def test_required_specialisms_must_all_be_held(required, held, allowed):
    reason = exclusion(case(required=required), mentor(specialisms=held))
    assert reason == (None if allowed else "specialism")


def test_wanted_specialisms_are_not_a_requirement():
    assert exclusion(case(wanted=[1, 66]), mentor(specialisms=[])) is None


@pytest.mark.parametrize(
    ("min_rank", "rank", "allowed"),
    [(0, 0, True), (2, 2, True), (2, 3, True), (2, 1, False), (1, 0, False)],
)
def test_experience_rank_at_least_the_cases_minimum(min_rank, rank, allowed):
    reason = exclusion(case(min_rank=min_rank), mentor(rank=rank))
    assert reason == (None if allowed else "experience")


@pytest.mark.parametrize(
    ("area", "radius", "case_online", "mentor_online", "allowed"),
    [
        (0, 0.0, False, False, True),  # same area, distance 0
        (1, 10.0, False, False, True),  # exactly at the radius
        (1, 9.0, False, False, False),
        (2, 15.0, False, False, False),
        (2, 15.0, True, True, True),  # too far, but online on both sides
        (2, 15.0, True, False, False),  # the person accepts online, the mentor does not offer it
        (2, 15.0, False, True, False),  # the mentor offers online, the person does not accept it
        (-1, 0.0, False, False, True),  # unknown area never excludes
    ],
)
def test_travel_within_radius_or_online_on_both_sides(
    area, radius, case_online, mentor_online, allowed
):
    reason = exclusion(
        case(area=area, online=case_online), mentor(area=0, radius=radius, online=mentor_online)
    )
    assert reason == (None if allowed else "travel")


def test_a_mentor_who_is_not_matchable_is_excluded():
    assert exclusion(case(), mentor(matchable=False)) == "unavailable"


@pytest.mark.parametrize("spare", [0, -1])
def test_a_mentor_without_a_spare_place_is_excluded(spare):
    assert exclusion(case(), mentor(spare=spare, cap=2)) == "capacity"


@pytest.mark.parametrize("kind", ["conflict", "history"])
def test_conflict_and_history_exclude_only_that_exact_pair(kind):
    cases, mentors = build([case(), case()], [mentor(), mentor()], **{kind: [(0, 1)]})
    ci, mj, _ = allowed_pairs(cases, mentors, Weights())
    assert set(zip(ci.tolist(), mj.tolist(), strict=True)) == {(0, 0), (1, 0), (1, 1)}
    assert suggest(cases, mentors, Weights(), 0).excluded == {kind: 1}
    assert suggest(cases, mentors, Weights(), 1).excluded == {}


def test_continuity_is_a_preference_not_a_constraint():
    cases, mentors = build([case()], [mentor(), mentor()], continuity=[(0, 1)])
    assert suggest(cases, mentors, Weights(), 0).allowed == 2


# --- Exclusion counts -------------------------------------------------------------------


def test_a_mentor_failing_several_constraints_is_counted_once_under_the_first():
    c = case(languages=[7], gender=FEMALE, required=[3], min_rank=3, area=2)
    failing_everything = mentor(matchable=False, spare=0, gender=MALE, radius=1.0)
    cases, mentors = build(
        [c],
        [
            failing_everything,
            mentor(spare=0, gender=MALE, radius=1.0),
            mentor(gender=MALE, radius=1.0),
            mentor(gender=FEMALE, radius=1.0),
            mentor(gender=FEMALE, languages=[7], radius=1.0),
            mentor(gender=FEMALE, languages=[7], specialisms=[3], radius=1.0),
            mentor(gender=FEMALE, languages=[7], specialisms=[3], rank=3, radius=1.0),
            mentor(gender=FEMALE, languages=[7], specialisms=[3], rank=3, radius=40.0),
        ],
        conflict=[(0, 2), (0, 3)],
        history=[(0, 3)],
    )
    s = suggest(cases, mentors, Weights(), 0)
    assert s.excluded == {
        "unavailable": 1,
        "capacity": 1,
        "conflict": 2,  # mentor 3 is also in the history list: counted once, as conflict
        "specialism": 1,
        "experience": 1,
        "travel": 1,
    }
    assert s.allowed == 1
    assert list(s.mentors) == [7]


def test_exclusion_summary_lists_reasons_in_constraint_order():
    cases, mentors = build(
        [case(languages=[7])], [mentor(), mentor(matchable=False), mentor(spare=0)]
    )
    assert list(suggest(cases, mentors, Weights(), 0).excluded) == [
        "unavailable",
        "capacity",
        "language",
    ]


# --- Preferences ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "held", "value"),
    [
        ([], [1, 2], 0.0),
        ([1, 2, 66, 69], [1, 66, 9], 0.5),
        ([1, 2, 66, 69], [1, 2, 66, 69], 1.0),
        ([66], [1], 0.0),
    ],
)
def test_specialism_is_the_fraction_of_wanted_specialisms_held(wanted, held, value):
    assert parts_of(case(wanted=wanted), mentor(specialisms=held))["specialism"] == value


@pytest.mark.parametrize(
    ("preferred", "speaks", "fluent", "value"),
    [
        (66, [0, 66], [66], 1.0),
        (66, [0, 66], [0], 0.6),
        (3, [3], [], 0.6),
        (66, [0, 3], [0, 3], 0.0),
        (-1, [0], [0], 0.0),  # no preferred language
    ],
)
def test_preferred_language_fluent_or_spoken(preferred, speaks, fluent, value):
    c = case(preferred=preferred)
    assert parts_of(c, mentor(languages=speaks, fluent=fluent))["language"] == value


@pytest.mark.parametrize(
    ("asked", "held", "value"), [(2, 2, 1.0), (2, 3, 0.0), (2, -1, 0.0), (-1, -1, 0.0)]
)
def test_faith_counts_only_when_the_person_asked_for_it(asked, held, value):
    assert parts_of(case(faith=asked), mentor(faith=held))["faith"] == value


def test_lived_experience():
    assert parts_of(case(), mentor(lived=True))["lived_experience"] == 1.0
    assert parts_of(case(), mentor(lived=False))["lived_experience"] == 0.0


@pytest.mark.parametrize(
    ("case_age", "mentor_age", "value"),
    [
        (30.0, 30.0, 1.0),
        (30.0, 40.0, 1 - 10 / AGE_SPAN),
        (40.0, 30.0, 1 - 10 / AGE_SPAN),
        (20.0, 20.0 + AGE_SPAN, 0.0),
        (20.0, 75.0, 0.0),
        (math.nan, 30.0, UNKNOWN),
        (30.0, math.nan, UNKNOWN),
    ],
)
def test_age_proximity(case_age, mentor_age, value):
    assert parts_of(case(age=case_age), mentor(age=mentor_age))["age"] == pytest.approx(value)


@pytest.mark.parametrize(
    ("area", "radius", "online", "value"),
    [
        (0, 20.0, False, 1.0),  # same area
        (1, 20.0, False, 1 - (1 - NEAR_EDGE) / 2),  # 10 km of a 20 km radius
        (1, 10.0, False, NEAR_EDGE),  # at the edge of the radius
        (2, 20.0, True, 0.0),  # 30 km: possible only online
        (-1, 20.0, False, UNKNOWN),
    ],
)
def test_distance_inside_the_radius_and_online_only(area, radius, online, value):
    c = case(area=area, online=online)
    m = mentor(area=0, radius=radius, online=online)
    assert parts_of(c, m)["distance"] == pytest.approx(value)


@pytest.mark.parametrize(
    ("wants", "offers", "value"),
    [
        ([0, 1, 2, 3], [1, 2, 7], 0.5),
        ([0, 1], [0, 1, 2, 13], 1.0),
        ([5], [4], 0.0),
        ([5], [], UNKNOWN),  # the mentor recorded no availability
        ([], [1, 2], UNKNOWN),  # the person's availability is not known
    ],
)
def test_availability_is_the_fraction_of_the_persons_slots_the_mentor_covers(wants, offers, value):
    c, m = case(availability=wants), mentor(availability=offers)
    assert parts_of(c, m)["availability"] == value


@pytest.mark.parametrize(("spare", "cap", "value"), [(1, 3, 1 / 3), (3, 3, 1.0), (2, 2, 1.0)])
def test_workload_is_the_share_of_places_still_free(spare, cap, value):
    assert parts_of(case(), mentor(spare=spare, cap=cap))["workload"] == pytest.approx(value)


def test_continuity_only_for_the_listed_pair():
    cases, mentors = build([case(), case()], [mentor(), mentor()], continuity=[(1, 0)])
    values = preferences(cases, mentors, np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    assert values[:, CRITERIA.index("continuity")].tolist() == [0.0, 0.0, 1.0, 0.0]


# --- Weights and scores -----------------------------------------------------------------

PERFECT_CASE = case(preferred=66, faith=2, age=35.0, area=0, wanted=[4, 66], availability=[1, 5])
PERFECT_MENTOR = mentor(
    languages=[66],
    fluent=[66],
    faith=2,
    lived=True,
    age=35.0,
    specialisms=[4, 66],
    area=0,
    availability=[1, 5, 9],
    spare=2,
    cap=2,
)


@pytest.mark.parametrize(
    "weights",
    [
        Weights(),
        Weights(
            specialism=1,
            language=1,
            faith=1,
            lived_experience=1,
            age=1,
            distance=1,
            availability=1,
            workload=1,
            continuity=1,
        ),
        Weights(
            specialism=0.3,
            language=7,
            faith=0,
            lived_experience=11,
            age=0.01,
            distance=2,
            availability=0,
            workload=3,
            continuity=13,
        ),
        Weights(
            age=1,
            specialism=0,
            language=0,
            faith=0,
            lived_experience=0,
            distance=0,
            availability=0,
            workload=0,
            continuity=0,
        ),
    ],
)
def test_a_perfect_pair_scores_scale_whatever_the_weights(weights):
    cases, mentors = build([PERFECT_CASE], [PERFECT_MENTOR], continuity=[(0, 0)])
    assert preferences(cases, mentors, np.array([0]), np.array([0])).tolist() == [
        [1.0] * len(CRITERIA)
    ]
    assert score_pairs(cases, mentors, weights, np.array([0]), np.array([0])).tolist() == [SCALE]


def test_all_weights_zero_scores_every_pair_zero():
    zero = Weights(**dict.fromkeys(CRITERIA, 0))
    cases, mentors = build([PERFECT_CASE], [PERFECT_MENTOR], continuity=[(0, 0)])
    assert score_pairs(cases, mentors, zero, np.array([0]), np.array([0])).tolist() == [0]


def test_score_is_the_weighted_mean_of_the_preferences():
    only = dict.fromkeys(CRITERIA, 0)
    weights = Weights(**{**only, "age": 1, "faith": 3})
    cases, mentors = build([case(faith=2)], [mentor(faith=2, age=30.0)])  # age unknown: 0.5
    score = score_pairs(cases, mentors, weights, np.array([0]), np.array([0]))
    assert score.tolist() == [round((0.5 * 1 + 1.0 * 3) / 4 * SCALE)]


@pytest.mark.parametrize("criterion", CRITERIA)
def test_a_zero_weight_removes_that_criterions_influence(criterion):
    """Two mentors differing in exactly one criterion: equal scores when its weight is 0,
    the better one ahead otherwise."""
    better, worse = {
        "specialism": (mentor(specialisms=[4]), mentor()),
        "language": (mentor(languages=[0, 66], fluent=[66]), mentor()),
        "faith": (mentor(faith=2), mentor(faith=3)),
        "lived_experience": (mentor(lived=True), mentor()),
        "age": (mentor(age=36.0), mentor(age=60.0)),
        "distance": (mentor(area=0), mentor(area=1)),
        "availability": (mentor(availability=[1, 5]), mentor(availability=[1])),
        "workload": (mentor(spare=3, cap=3), mentor(spare=1, cap=3)),
        "continuity": (mentor(), mentor()),
    }[criterion]
    c = case(preferred=66, faith=2, age=35.0, wanted=[4], availability=[1, 5])
    cases, mentors = build([c], [worse, better], continuity=[(0, 1)] * (criterion == "continuity"))
    values = preferences(cases, mentors, np.array([0, 0]), np.array([0, 1]))
    differs = np.flatnonzero(values[0] != values[1]).tolist()
    assert differs == [CRITERIA.index(criterion)]

    without = Weights(**{criterion: 0})
    s = suggest(cases, mentors, without, 0, k=2)
    assert s.scores[0] == s.scores[1]
    assert s.contributions[:, CRITERIA.index(criterion)].tolist() == [0.0, 0.0]
    with_it = suggest(cases, mentors, Weights(**{criterion: 1}), 0, k=2)
    assert list(with_it.mentors) == [1, 0]
    assert with_it.scores[0] > with_it.scores[1]


# --- Suggestions ------------------------------------------------------------------------


def test_suggest_returns_the_top_k_by_score_ties_to_the_lower_index():
    only_age = Weights(**{**dict.fromkeys(CRITERIA, 0), "age": 1})
    ages = [60.0, 40.0, 35.0, 50.0, 35.0, 40.0, 36.0, 35.0]
    pool = [mentor(age=a) for a in ages] + [mentor(age=35.0, matchable=False)]
    cases, mentors = build([case(age=35.0)], pool)
    s = suggest(cases, mentors, only_age, 0, k=5)
    assert s.mentors.tolist() == [2, 4, 7, 6, 1]
    assert s.scores.tolist() == [1000, 1000, 1000, 975, 875]
    assert s.allowed == 8
    assert s.excluded == {"unavailable": 1}

    everyone = suggest(cases, mentors, only_age, 0, k=20)
    assert everyone.mentors.tolist() == [2, 4, 7, 6, 1, 5, 3, 0]


def test_suggestion_contributions_add_up_to_the_score():
    rng = np.random.default_rng(7)
    cases, mentors, _ = random_instance(rng, n_cases=5, n_mentors=60)
    weights = Weights(specialism=5, language=3, faith=2, age=1.5, distance=2, availability=0.7)
    for c in range(len(cases)):
        s = suggest(cases, mentors, weights, c, k=10)
        assert len(s.mentors) == min(10, s.allowed)
        assert np.all(np.abs(s.contributions.sum(axis=1) - s.scores) <= 0.5 + 1e-9)
        np.testing.assert_allclose(
            s.contributions, s.parts * weights.vector() * (SCALE / weights.vector().sum())
        )
        assert np.all(np.diff(s.scores) <= 0)


def test_a_case_nobody_can_take_has_no_suggestions():
    cases, mentors = build([case(languages=[9])], [mentor(), mentor()])
    s = suggest(cases, mentors, Weights(), 0)
    assert s.mentors.tolist() == []
    assert s.allowed == 0
    assert s.excluded == {"language": 2}


# --- Against a brute force over random instances ----------------------------------------


def reference_exclusion(c: dict, m: dict, i: int, j: int, pairs: dict) -> str | None:
    """The first constraint mentor ``m`` fails for case ``c``, written out per pair."""
    km = km_of(m)
    checks = {
        "unavailable": not m["matchable"],
        "capacity": m["spare"] <= 0,
        "conflict": (i, j) in pairs["conflict"],
        "history": (i, j) in pairs["history"],
        "language": bool(c["languages"]) and not set(c["languages"]) & set(m["languages"]),
        "gender": c["gender"] != 0 and c["gender"] != m["gender"],
        "specialism": not set(c["required"]) <= set(m["specialisms"]),
        "experience": m["rank"] < c["min_rank"],
        "travel": c["area"] >= 0
        and not float(np.float32(km[c["area"]])) <= m["radius"]
        and not (c["online"] and m["online"]),
    }
    assert list(checks) == list(EXCLUSIONS)
    return next((name for name, failed in checks.items() if failed), None)


def reference_parts(c: dict, m: dict, i: int, j: int, pairs: dict) -> list[float]:
    wanted = set(c["wanted"])
    specialism = len(wanted & set(m["specialisms"])) / len(wanted) if wanted else 0.0
    p = c["preferred"]
    language = 0.0
    if p >= 0 and p in m["languages"]:
        language = 1.0 if p in m["fluent"] else 0.6
    faith = float(c["faith"] >= 0 and c["faith"] == m["faith"])
    if math.isnan(c["age"]) or math.isnan(m["age"]):
        age = UNKNOWN
    else:
        age = 1 - min(abs(c["age"] - m["age"]), AGE_SPAN) / AGE_SPAN
    if c["area"] < 0:
        distance = UNKNOWN
    else:
        d = float(np.float32(km_of(m)[c["area"]]))
        if d <= float(np.float32(m["radius"])):
            distance = 1 - (1 - NEAR_EDGE) * min(max(d / max(m["radius"], 1.0), 0.0), 1.0)
        else:
            distance = 0.0
    wants = set(c["availability"])
    offers = set(m["availability"])
    availability = len(wants & offers) / len(wants) if wants and offers else UNKNOWN
    workload = max(m["spare"], 0) / max(m["cap"], 1)
    continuity = float((i, j) in pairs["continuity"])
    return [
        specialism,
        language,
        faith,
        float(m["lived"]),
        age,
        distance,
        availability,
        workload,
        continuity,
    ]


def _some(rng, n: int, p: float, k: int) -> list[int]:
    """With probability ``p``, 1..k random indices below ``n`` (ones above 63 included)."""
    if rng.random() >= p:
        return []
    return sorted({int(x) for x in rng.integers(0, n, size=rng.integers(1, k + 1))})


def random_dicts(rng, n_cases: int, n_mentors: int):
    # A small set of common languages and specialisms, some of them in the second word.
    common_languages = [0, 1, 2, 64, 65, 69]
    common_specialisms = [0, 3, 5, 63, 64, 66]

    def pick(options, p, k):
        if rng.random() >= p:
            return []
        return sorted({options[x] for x in rng.integers(0, len(options), size=rng.integers(1, k))})

    mentors_ = []
    for _ in range(n_mentors):
        languages = pick(common_languages, 0.95, 4) + _some(rng, N_LANGUAGES, 0.2, 2)
        km = rng.uniform(0, 40, size=len(AREA_KM))
        km[rng.integers(len(AREA_KM))] = 0.0
        cap = int(rng.integers(1, 4))
        mentors_.append(
            mentor(
                matchable=bool(rng.random() < 0.85),
                spare=int(rng.choice([cap, 1, 0, -1], p=[0.6, 0.2, 0.15, 0.05])),
                cap=cap,
                gender=int(rng.choice([0, FEMALE, MALE], p=[0.1, 0.45, 0.45])),
                languages=sorted(set(languages)),
                fluent=[x for x in languages if rng.random() < 0.6],
                faith=int(rng.integers(-1, 4)),
                lived=bool(rng.random() < 0.3),
                age=math.nan if rng.random() < 0.1 else float(rng.integers(20, 75)),
                specialisms=pick(common_specialisms, 0.8, 4) + _some(rng, N_SPECIALISMS, 0.1, 2),
                rank=int(rng.integers(0, 4)),
                km=km.tolist(),
                radius=float(rng.choice([0.0, 5.0, 10.0, 20.0, 30.0])),
                online=bool(rng.random() < 0.4),
                availability=_some(rng, 14, 0.8, 8),
            )
        )
    cases_ = []
    for _ in range(n_cases):
        cases_.append(
            case(
                languages=pick(common_languages, 0.4, 3),
                preferred=int(rng.choice(common_languages)) if rng.random() < 0.6 else -1,
                gender=int(rng.choice([0, FEMALE, MALE], p=[0.6, 0.2, 0.2])),
                faith=int(rng.integers(-1, 4)) if rng.random() < 0.3 else -1,
                age=math.nan if rng.random() < 0.1 else float(rng.integers(14, 70)),
                area=int(rng.integers(-1, len(AREA_KM))),
                online=bool(rng.random() < 0.5),
                min_rank=int(rng.choice([0, 1, 2, 3], p=[0.6, 0.2, 0.15, 0.05])),
                wanted=pick(common_specialisms, 0.7, 4),
                required=pick(common_specialisms, 0.25, 2),
                availability=_some(rng, 14, 0.7, 8),
            )
        )
    everything = [(i, j) for i in range(n_cases) for j in range(n_mentors)]
    chosen = rng.permutation(len(everything))[: 3 * n_cases]
    pairs = {
        "conflict": {everything[k] for k in chosen[:n_cases]},
        "history": {everything[k] for k in chosen[n_cases // 2 : 3 * n_cases // 2]},
        "continuity": {everything[k] for k in chosen[2 * n_cases :]},
    }
    return cases_, mentors_, pairs


def random_instance(rng, n_cases: int, n_mentors: int):
    cases_, mentors_, pairs = random_dicts(rng, n_cases, n_mentors)
    cases, mentors = build(cases_, mentors_, **{k: sorted(v) for k, v in pairs.items()})
    return cases, mentors, (cases_, mentors_, pairs)


@pytest.mark.parametrize("seed", range(4))
def test_allowed_pairs_and_scores_match_a_pair_by_pair_evaluation(seed):
    rng = np.random.default_rng(seed)
    n_cases, n_mentors = 23, 41
    cases, mentors, (cases_, mentors_, pairs) = random_instance(rng, n_cases, n_mentors)
    weights = Weights(
        **{name: float(w) for name, w in zip(CRITERIA, rng.uniform(0, 5, 9), strict=True)}
    )
    points = weights.vector() * SCALE / weights.vector().sum()

    expected, first_failures = {}, [dict.fromkeys(EXCLUSIONS, 0) for _ in range(n_cases)]
    for i, c in enumerate(cases_):
        for j, m in enumerate(mentors_):
            reason = reference_exclusion(c, m, i, j, pairs)
            if reason is None:
                expected[i, j] = float(np.dot(reference_parts(c, m, i, j, pairs), points))
            else:
                first_failures[i][reason] += 1
    # Not a vacuous comparison: many pairs allowed, and every constraint excludes some.
    assert 0.1 * n_cases * n_mentors < len(expected) < 0.6 * n_cases * n_mentors
    assert all(sum(counts[name] for counts in first_failures) for name in EXCLUSIONS)

    for block_size in (None, 1, 4, 7, n_cases, 1000):
        ci, mj, scores = allowed_pairs(cases, mentors, weights, block_size=block_size)
        found = list(zip(ci.tolist(), mj.tolist(), strict=True))
        assert found == sorted(expected)  # every allowed pair once, by case then mentor
        exact = np.array([expected[pair] for pair in found])
        assert np.all(np.abs(scores - exact) <= 0.5 + 1e-9)

    for i in range(n_cases):
        s = suggest(cases, mentors, weights, i, k=n_mentors)
        allowed_here = sorted(j for (c, j) in expected if c == i)
        assert sorted(s.mentors.tolist()) == allowed_here
        assert s.allowed == len(allowed_here)
        assert s.excluded == {k: v for k, v in first_failures[i].items() if v}
        assert sum(s.excluded.values()) == n_mentors - s.allowed
        by_mentor = dict(zip(s.mentors.tolist(), s.scores.tolist(), strict=True))
        ci, mj, scores = allowed_pairs(cases, mentors, weights, block_size=3)
        mine = ci == i
        assert dict(zip(mj[mine].tolist(), scores[mine].tolist(), strict=True)) == by_mentor


def test_allowed_pairs_with_no_cases_or_no_open_mentors():
    cases, mentors = build([], [mentor()])
    assert [len(a) for a in allowed_pairs(cases, mentors, Weights())] == [0, 0, 0]
    cases, mentors = build([case(), case()], [mentor(spare=0), mentor(matchable=False)])
    assert [len(a) for a in allowed_pairs(cases, mentors, Weights())] == [0, 0, 0]


def test_a_scheme_without_areas_still_scores_and_suggests():
    import dataclasses

    cases, mentors = build([case(area=-1)], [mentor()])
    mentors = dataclasses.replace(mentors, area_distance=np.zeros((1, 0), dtype=np.float32))
    pair_case, _, scores = allowed_pairs(cases, mentors, Weights())
    assert list(pair_case) == [0] and scores[0] > 0
    assert suggest(cases, mentors, Weights(), 0).allowed == 1


def test_a_mentor_exactly_at_their_radius_is_within_reach():
    cases, mentors = build([case(area=1)], [mentor(area=0, radius=12.3, km=[0.0, 12.3, 30.0])])
    assert len(allowed_pairs(cases, mentors, Weights())[0]) == 1
