"""From the database to the arrays ``scoring`` evaluates, in a fixed number of queries.

``load_pool()`` reads every active mentor once (profile, languages, specialisms,
areas, availability, current accreditation, live matches); ``load_cases(cases)``
reads what matching needs to know about the given cases. Both keep the primary keys
next to the arrays so results can be turned back into rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from tandem.assessments.models import Assessment, FactorRating, RatingLevel
from tandem.cases.models import Case, MentorGenderPreference, Urgency
from tandem.catalogues.models import Area, Language, Specialism
from tandem.core.encryption import blind_index, with_data_keys
from tandem.mentors.matchability import annotate_matchable
from tandem.mentors.models import (
    Accreditation,
    AgeBand,
    AvailabilitySlot,
    ConflictDeclaration,
    ConflictKind,
    Gender,
    Mentor,
    MentorLanguage,
    MentorSpecialism,
    MentorStatus,
    Proficiency,
    slot_bit,
)

from .criteria import PREFERENCES
from .models import BAD_ENDINGS, CaseNeeds, Match, MatchingPolicy, MatchStatus
from .scoring import CaseArrays, MentorArrays, Weights, to_mask

GENDER_CODE = {Gender.FEMALE: 1, Gender.MALE: 2}
PREFERENCE_CODE = {MentorGenderPreference.FEMALE: 1, MentorGenderPreference.MALE: 2}
AGE_MIDDLE = {
    AgeBand.A18_24: 21.0,
    AgeBand.A25_34: 29.5,
    AgeBand.A35_44: 39.5,
    AgeBand.A45_54: 49.5,
    AgeBand.A55_64: 59.5,
    AgeBand.A65: 70.0,
}


def gender_code(gender: str) -> int:
    """1 female, 2 male, 3 any other gender given, 0 not given."""
    return GENDER_CODE.get(gender, 3 if gender and gender != Gender.NOT_SAID else 0)


FLUENT = (Proficiency.FLUENT, Proficiency.FIRST)
CONFLICT_PURPOSE = "mentors.conflict.name"


@dataclass(frozen=True)
class Catalogues:
    languages: dict[int, int]  # pk → index
    specialisms: dict[int, int]
    areas: dict[int, int]
    area_distance: np.ndarray  # km between areas (index by index)

    @classmethod
    def load(cls) -> Catalogues:
        areas = list(Area.objects.order_by("pk").values_list("pk", "latitude", "longitude"))
        n = len(areas)
        distance = np.zeros((n, n), dtype=np.float32)
        for i, (_, lat1, lon1) in enumerate(areas):
            for j, (_, lat2, lon2) in enumerate(areas):
                if i != j and None not in (lat1, lon1, lat2, lon2):
                    distance[i, j] = haversine_km(lat1, lon1, lat2, lon2)
        return cls(
            languages={
                pk: i
                for i, pk in enumerate(Language.objects.order_by("pk").values_list("pk", flat=True))
            },
            specialisms={
                pk: i
                for i, pk in enumerate(
                    Specialism.objects.order_by("pk").values_list("pk", flat=True)
                )
            },
            areas={pk: i for i, (pk, _, _) in enumerate(areas)},
            area_distance=distance,
        )


def _positions(pks) -> dict[int, int]:
    return {pk: i for i, pk in enumerate(pks)}


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (lat1, lon1, lat2, lon2))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Pool:
    """The active mentors as arrays, with their primary keys in the same order."""

    pks: np.ndarray
    arrays: MentorArrays
    catalogues: Catalogues
    # The register's "can take a case today" (``is_matchable``: matchable and under
    # their own caseload cap), for the mentor pool page's filter.
    can_take: frozenset[int] = frozenset()

    def index_of(self) -> dict[int, int]:
        return {int(pk): i for i, pk in enumerate(self.pks)}


def load_pool(
    *,
    catalogues: Catalogues | None = None,
    today: dt.date | None = None,
    mentor_ids: list[int] | None = None,
) -> Pool:
    """The active mentors (or only ``mentor_ids`` among them) as arrays."""
    catalogues = catalogues or Catalogues.load()
    today = today or timezone.localdate()
    active = Q(mentor__status=MentorStatus.ACTIVE)
    mentors = Mentor.objects.filter(status=MentorStatus.ACTIVE)
    if mentor_ids is not None:
        active &= Q(mentor_id__in=mentor_ids)
        mentors = mentors.filter(pk__in=mentor_ids)
    rows = list(
        annotate_matchable(mentors, today=today)
        .order_by("pk")
        .values(
            "pk",
            "checks_ok",
            "accreditation_ok",
            "code_ok",
            "rules_ok",
            "current_caseload",
            "places_cap",
            "caseload_cap",
            "gender",
            "faith_id",
            "has_lived_experience",
            "age_band",
            "travel_radius_km",
            "offers_online",
        )
    )
    pks = np.array([r["pk"] for r in rows], dtype=np.int64)
    index = {int(pk): i for i, pk in enumerate(pks)}
    n = len(rows)
    n_languages, n_specialisms = len(catalogues.languages), len(catalogues.specialisms)

    languages: list[list[int]] = [[] for _ in range(n)]
    fluent: list[list[int]] = [[] for _ in range(n)]
    for mentor_id, language_id, proficiency in MentorLanguage.objects.filter(active).values_list(
        "mentor_id", "language_id", "proficiency"
    ):
        i, lang = index.get(mentor_id), catalogues.languages.get(language_id)
        if i is None or lang is None:
            continue
        languages[i].append(lang)
        if proficiency in FLUENT:
            fluent[i].append(lang)

    specialisms: list[list[int]] = [[] for _ in range(n)]
    for mentor_id, specialism_id in MentorSpecialism.objects.filter(active).values_list(
        "mentor_id", "specialism_id"
    ):
        if (i := index.get(mentor_id)) is not None:
            specialisms[i].append(catalogues.specialisms[specialism_id])

    n_areas = len(catalogues.areas)
    area_distance = np.full((n, max(n_areas, 1)), np.inf, dtype=np.float32)
    for mentor_id, area_id in Mentor.areas.through.objects.filter(active).values_list(
        "mentor_id", "area_id"
    ):
        if (i := index.get(mentor_id)) is not None:
            a = catalogues.areas[area_id]
            np.minimum(area_distance[i], catalogues.area_distance[a], out=area_distance[i])

    availability = np.zeros(n, dtype=np.int64)
    for mentor_id, weekday, part in AvailabilitySlot.objects.filter(active).values_list(
        "mentor_id", "weekday", "part"
    ):
        if (i := index.get(mentor_id)) is not None:
            availability[i] |= slot_bit(weekday, part)

    rank = np.zeros(n, dtype=np.int64)
    for mentor_id, level_rank in Accreditation.objects.filter(
        active,
        revoked_on__isnull=True,
        awarded_on__lte=today,
        expires_on__gt=today,
    ).values_list("mentor_id", "level__rank"):
        if (i := index.get(mentor_id)) is not None:
            rank[i] = max(rank[i], level_rank)

    # The lowest cap that applies: the mentor's own, or one a register rule sets (the
    # caseload cap of their accreditation level), so a batch never fills past it.
    cap = np.array([r["places_cap"] for r in rows], dtype=np.int64)
    arrays = MentorArrays(
        # Matchable in the register; spare capacity is its own constraint.
        matchable=np.array(
            [
                bool(r["checks_ok"] and r["accreditation_ok"] and r["code_ok"] and r["rules_ok"])
                for r in rows
            ],
            dtype=bool,
        ),
        spare=cap - np.array([r["current_caseload"] for r in rows], dtype=np.int64),
        cap=cap,
        gender=np.array(
            [GENDER_CODE.get(r["gender"], 3 if r["gender"] else 0) for r in rows], np.int8
        ),
        languages=to_mask(languages, n_languages),
        fluent=to_mask(fluent, n_languages),
        faith=np.array([r["faith_id"] or -1 for r in rows], dtype=np.int64),
        lived=np.array([r["has_lived_experience"] for r in rows], dtype=bool),
        age=np.array([AGE_MIDDLE.get(r["age_band"], np.nan) for r in rows], dtype=np.float64),
        specialisms=to_mask(specialisms, n_specialisms),
        rank=rank,
        area_distance=area_distance,
        radius=np.array([r["travel_radius_km"] for r in rows], dtype=np.float64),
        online=np.array([r["offers_online"] for r in rows], dtype=bool),
        availability=availability,
    )
    can_take = frozenset(
        int(pk)
        for pk, matchable, r in zip(pks, arrays.matchable, rows, strict=True)
        if matchable and r["caseload_cap"] > r["current_caseload"]
    )
    return Pool(pks=pks, arrays=arrays, catalogues=catalogues, can_take=can_take)


def weights_of(policy: MatchingPolicy) -> Weights:
    return Weights(**{p.code: getattr(policy, p.weight_field) for p in PREFERENCES})


def high_concern_cases(case_ids) -> set[int]:
    """Cases whose latest assessment rates any factor at its framework's highest level."""
    latest: dict[int, int] = {}
    for case_id, assessment_id in (
        Assessment.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "-assessed_on", "-pk")
        .values_list("case_id", "pk")
    ):
        latest.setdefault(case_id, assessment_id)
    top = Subquery(
        RatingLevel.objects.filter(framework=OuterRef("assessment__framework"), rank__isnull=False)
        .order_by("-rank")
        .values("rank")[:1]
    )
    return set(
        FactorRating.objects.filter(assessment_id__in=latest.values())
        .annotate(top=top)
        .filter(level__rank=F("top"))
        .values_list("assessment__case_id", flat=True)
    )


@dataclass(frozen=True)
class Waiting:
    """Cases as arrays, with their primary keys (and rows) in the same order."""

    cases: list[Case]
    arrays: CaseArrays


def min_rank_for(case: Case, policy: MatchingPolicy, high_concern: bool) -> int:
    levels = []
    if case.urgency == Urgency.URGENT and policy.urgent_min_level:
        levels.append(policy.urgent_min_level.rank)
    if case.urgency == Urgency.PRIORITY and policy.priority_min_level:
        levels.append(policy.priority_min_level.rank)
    if high_concern and policy.high_risk_min_level:
        levels.append(policy.high_risk_min_level.rank)
    return max(levels, default=0)


def load_cases(cases: list[Case], pool: Pool, policy: MatchingPolicy) -> Waiting:
    """The given cases as arrays against ``pool`` (loaded by ``cases_for_matching``, or
    each case costs queries)."""
    cat = pool.catalogues
    n_languages, n_specialisms = len(cat.languages), len(cat.specialisms)
    case_index = {case.pk: i for i, case in enumerate(cases)}
    high = high_concern_cases(list(case_index))

    languages = [
        [] if case.interpreter_needed else [cat.languages[lang.pk] for lang in case.languages.all()]
        for case in cases
    ]
    wanted = [
        [cat.specialisms[s.pk] for s in case.concern_type.specialisms.all()] for case in cases
    ]
    needs = [CaseNeeds.of(case) for case in cases]
    required = [
        [cat.specialisms[n.required_specialism_id]] if n.required_specialism_id else []
        for n in needs
    ]

    mentor_index = pool.index_of()
    conflict = _conflict_pairs(cases, case_index, mentor_index)
    history, continuity = _history_pairs(case_index, mentor_index)

    arrays = CaseArrays(
        languages=to_mask(languages, n_languages),
        preferred=np.array(
            [cat.languages.get(c.preferred_language_id, -1) for c in cases], dtype=np.int64
        ),
        gender=np.array(
            [PREFERENCE_CODE.get(c.mentor_gender_preference, 0) for c in cases], dtype=np.int8
        ),
        faith=np.array([n.requested_faith_id or -1 for n in needs], dtype=np.int64),
        age=np.array([c.age_at_referral for c in cases], dtype=np.float64),
        area=np.array([cat.areas.get(c.area_id, -1) for c in cases], dtype=np.int64),
        online=np.array([c.accepts_online for c in cases], dtype=bool),
        min_rank=np.array([min_rank_for(c, policy, c.pk in high) for c in cases], dtype=np.int64),
        wanted=to_mask(wanted, n_specialisms),
        required=to_mask(required, n_specialisms),
        availability=np.array([n.availability for n in needs], dtype=np.int64),
        conflict_pairs=conflict,
        history_pairs=history,
        continuity_pairs=continuity,
    )
    return Waiting(cases=cases, arrays=arrays)


def _pairs(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    array = np.array(sorted(set(pairs)), dtype=np.int64)
    return array[:, 0], array[:, 1]


def _conflict_pairs(cases, case_index, mentor_index):
    """Declared conflicts that name the person (full name) or their family (surname),
    compared through blind indexes: nobody's name is decrypted on the mentor side."""
    by_index: dict[str, list[int]] = defaultdict(list)
    for case in with_data_keys(cases):  # every person's key, one query
        by_index[_name_index(f"{case.first_name} {case.last_name}", ConflictKind.PERSON)].append(
            case_index[case.pk]
        )
        by_index[_name_index(case.last_name, ConflictKind.FAMILY)].append(case_index[case.pk])
    pairs = []
    for mentor_id, kind, name_index in ConflictDeclaration.objects.filter(
        withdrawn_on__isnull=True, mentor__status=MentorStatus.ACTIVE
    ).values_list("mentor_id", "kind", "name_index"):
        if (j := mentor_index.get(mentor_id)) is None:
            continue  # not in the pool being matched
        for i in by_index.get(f"{kind}:{name_index}", ()):
            pairs.append((i, j))
    return _pairs(pairs)


def _name_index(name: str, kind: str) -> str:
    return f"{kind}:{blind_index(name, purpose=CONFLICT_PURPOSE)}"


def _history_pairs(case_index, mentor_index):
    """Pairs never to propose again (declined, or ended badly) and pairs that worked
    together before (continuity)."""
    history, continuity = [], []
    for case_id, mentor_id, status, end_reason in Match.objects.filter(
        Q(status=MatchStatus.DECLINED) | Q(status=MatchStatus.ENDED),
        case_id__in=list(case_index),
    ).values_list("case_id", "mentor_id", "status", "end_reason"):
        if (j := mentor_index.get(mentor_id)) is None:
            continue  # not in the pool being matched
        pair = (case_index[case_id], j)
        if status == MatchStatus.DECLINED or end_reason in BAD_ENDINGS:
            history.append(pair)
        else:
            continuity.append(pair)
    return _pairs(history), _pairs(continuity)


def cases_for_matching(queryset=None):
    """Cases with what ``load_cases``, the explanations and the needs summary read, in a
    fixed number of queries."""
    queryset = Case.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "concern_type",
        "area",
        "preferred_language",
        "matching_needs__requested_faith",
        "matching_needs__required_specialism",
    ).prefetch_related("languages", "concern_type__specialisms")
