"""From rows to arrays: ``load_pool`` and ``load_cases`` read real records and give the
arrays ``scoring`` evaluates, in a number of queries that does not grow with the pool."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import create_user
from tandem.assessments.tests.factories_assessments import record
from tandem.cases.models import CaseStatus, MentorGenderPreference, Urgency
from tandem.catalogues.models import Area, ConcernType, Faith, Language, Specialism
from tandem.core.encryption import datakeys
from tandem.matching.features import (
    cases_for_matching,
    load_cases,
    load_pool,
)
from tandem.matching.models import EndReason, MatchingPolicy, MatchStatus
from tandem.mentors.models import (
    AccreditationLevel,
    AvailabilitySlot,
    ConflictDeclaration,
    ConflictKind,
    DayPart,
    Gender,
    Mentor,
    MentorStatus,
    Proficiency,
    VettingCheck,
    slot_bit,
)
from tandem.mentors.tests.factories import accredit

from .factories import live_match, matching_mentor, waiting_case

pytestmark = pytest.mark.django_db


def row(pool, mentor) -> int:
    return pool.index_of()[mentor.pk]


def bits(mask_row: np.ndarray, catalogue: dict[int, int]) -> set[int]:
    """The primary keys whose bit is set in one row of a catalogue mask."""
    return {
        pk
        for pk, i in catalogue.items()
        if int(mask_row[i // 64]) >> (i % 64) & 1  # bit i of the row
    }


def pks(model, **lookup) -> set[int]:
    return set(model.objects.filter(**lookup).values_list("pk", flat=True))


def waiting(*cases, policy=None):
    """``cases`` as ``load_cases`` reads them, against the whole active pool."""
    policy = policy or MatchingPolicy.load()
    pool = load_pool()
    rows = list(cases_for_matching().filter(pk__in=[c.pk for c in cases]).order_by("pk"))
    assert [c.pk for c in rows] == sorted(c.pk for c in cases)
    return pool, load_cases(rows, pool, policy)


def pairs(pair_arrays) -> set[tuple[int, int]]:
    cases, mentors = pair_arrays
    return set(zip(cases.tolist(), mentors.tolist(), strict=True))


# The pool ------------------------------------------------------------------------------


def test_only_active_mentors_are_in_the_pool_and_the_register_decides_who_is_matchable():
    ready = matching_mentor()
    expired = matching_mentor()
    VettingCheck.objects.filter(mentor=expired, check_type__code="enhanced-dbs").update(
        checked_on=timezone.localdate() - dt.timedelta(days=3 * 365 + 5),
        expires_on=timezone.localdate() - dt.timedelta(days=1),
    )
    paused = matching_mentor()
    Mentor.objects.filter(pk=paused.pk).update(status=MentorStatus.PAUSED)

    pool = load_pool()
    assert pool.pks.tolist() == sorted([ready.pk, expired.pk])
    assert pool.arrays.matchable[row(pool, ready)]
    assert not pool.arrays.matchable[row(pool, expired)]


def test_spare_places_count_proposed_accepted_and_active_matches_only():
    full = matching_mentor(caseload_cap=3)
    roomy = matching_mentor(caseload_cap=4)
    for status in (MatchStatus.PROPOSED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE):
        live_match(waiting_case(), full, status=status)
    live_match(waiting_case(), roomy, status=MatchStatus.PROPOSED)
    for status in (MatchStatus.DECLINED, MatchStatus.WITHDRAWN, MatchStatus.ENDED):
        live_match(waiting_case(), roomy, status=status)

    pool = load_pool()
    assert pool.arrays.cap[row(pool, full)] == 3
    assert pool.arrays.spare[row(pool, full)] == 0
    assert pool.arrays.cap[row(pool, roomy)] == 4
    assert pool.arrays.spare[row(pool, roomy)] == 3
    # Matchable in the register: being full is the capacity constraint's business.
    assert pool.arrays.matchable[row(pool, full)]


def test_gender_codes():
    mentors = {
        1: matching_mentor(gender=Gender.FEMALE),
        2: matching_mentor(gender=Gender.MALE),
        3: matching_mentor(gender=Gender.NON_BINARY),
        0: matching_mentor(gender=""),
    }
    pool = load_pool()
    for code, mentor in mentors.items():
        assert pool.arrays.gender[row(pool, mentor)] == code


def test_languages_and_the_fluent_ones():
    mentor = matching_mentor(
        languages=(
            ("English", Proficiency.FIRST),
            ("Urdu", Proficiency.CONVERSATIONAL),
            ("Arabic", Proficiency.FLUENT),
            ("Polish", Proficiency.BASIC),
        )
    )
    pool = load_pool()
    i, catalogue = row(pool, mentor), pool.catalogues.languages
    assert bits(pool.arrays.languages[i], catalogue) == pks(
        Language, name__in=["English", "Urdu", "Arabic", "Polish"]
    )
    assert bits(pool.arrays.fluent[i], catalogue) == pks(Language, name__in=["English", "Arabic"])


def test_specialisms():
    mentor = matching_mentor(specialisms=("islamic-theology", "family-support"))
    other = matching_mentor(specialisms=())
    pool = load_pool()
    assert bits(pool.arrays.specialisms[row(pool, mentor)], pool.catalogues.specialisms) == pks(
        Specialism, code__in=["islamic-theology", "family-support"]
    )
    assert not pool.arrays.specialisms[row(pool, other)].any()


def test_distances_from_the_default_area_points():
    birmingham = matching_mentor(areas=("Birmingham",))
    two_areas = matching_mentor(areas=("Dudley", "Coventry"))
    nowhere = matching_mentor(areas=())
    pool = load_pool()
    area = {a.name: pool.catalogues.areas[a.pk] for a in Area.objects.all()}
    km = pool.arrays.area_distance

    assert km[row(pool, birmingham), area["Birmingham"]] == pytest.approx(0, abs=1e-6)
    assert km[row(pool, birmingham), area["Sandwell"]] == pytest.approx(7.6, abs=0.3)
    assert km[row(pool, birmingham), area["Coventry"]] == pytest.approx(27.6, abs=0.3)
    # From whichever of their areas is nearest.
    assert km[row(pool, two_areas), area["Coventry"]] == pytest.approx(0, abs=1e-6)
    assert km[row(pool, two_areas), area["Sandwell"]] == pytest.approx(6.0, abs=0.3)
    assert km[row(pool, two_areas), area["Solihull"]] == pytest.approx(18.3, abs=0.3)
    # A mentor with no area is far from everywhere (only online can reach them).
    assert np.isinf(km[row(pool, nowhere)]).all()


def test_availability_bits_follow_slot_bit():
    mentor = matching_mentor()
    AvailabilitySlot.objects.create(mentor=mentor, weekday=0, part=DayPart.EVENING)
    AvailabilitySlot.objects.create(mentor=mentor, weekday=5, part=DayPart.MORNING)
    never = matching_mentor()
    pool = load_pool()
    assert pool.arrays.availability[row(pool, mentor)] == (
        slot_bit(0, DayPart.EVENING) | slot_bit(5, DayPart.MORNING)
    )
    assert slot_bit(0, DayPart.EVENING) == 1 << 2 and slot_bit(5, DayPart.MORNING) == 1 << 15
    assert pool.arrays.availability[row(pool, never)] == 0


def test_accreditation_rank_is_the_highest_current_level():
    accredited = matching_mentor()
    senior = matching_mentor()
    accredit(senior, level_code="senior")
    lapsed_senior = matching_mentor()
    accredit(lapsed_senior, level_code="senior", on=timezone.localdate() - dt.timedelta(days=800))
    revoked_senior = matching_mentor()
    accredit(revoked_senior, level_code="senior")
    revoked_senior.accreditations.filter(level__code="senior").update(
        revoked_on=timezone.localdate(), revoked_reason="Conduct"
    )
    rank = {level.code: level.rank for level in AccreditationLevel.objects.all()}

    pool = load_pool()
    assert pool.arrays.rank[row(pool, accredited)] == rank["accredited"]
    assert pool.arrays.rank[row(pool, senior)] == rank["senior"]
    assert pool.arrays.rank[row(pool, lapsed_senior)] == rank["accredited"]
    assert pool.arrays.rank[row(pool, revoked_senior)] == rank["accredited"]


def test_faith_travel_online_lived_experience_and_age():
    muslim = Faith.objects.get(name="Muslim")
    mentor = matching_mentor(
        faith=muslim,
        travel_radius_km=25,
        offers_online=True,
        has_lived_experience=True,
        age_band="45-54",
    )
    plain = matching_mentor(age_band="")
    pool = load_pool()
    i, j = row(pool, mentor), row(pool, plain)
    assert pool.arrays.faith[i] == muslim.pk and pool.arrays.faith[j] == -1
    assert pool.arrays.radius[i] == 25 and pool.arrays.radius[j] == 10
    assert pool.arrays.online[i] and not pool.arrays.online[j]
    assert pool.arrays.lived[i] and not pool.arrays.lived[j]
    assert pool.arrays.age[i] == 49.5 and np.isnan(pool.arrays.age[j])


def test_loading_the_pool_takes_the_same_queries_for_3_and_12_mentors():
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            load_pool()
        return len(queries)

    def add(n):
        for k in range(n):
            mentor = matching_mentor(
                languages=(("English", Proficiency.FIRST), ("Urdu", Proficiency.FLUENT)),
                areas=("Birmingham", "Walsall"),
                specialisms=("youth-work", "family-support"),
                caseload_cap=3,
            )
            AvailabilitySlot.objects.create(mentor=mentor, weekday=k % 7, part=DayPart.EVENING)
            live_match(waiting_case(), mentor)
            ConflictDeclaration.objects.create(
                mentor=mentor, kind=ConflictKind.FAMILY, name=f"Family{k}"
            )

    add(3)
    small = count()
    add(9)
    assert Mentor.objects.count() == 12
    assert count() == small


# The cases -----------------------------------------------------------------------------


def test_a_case_needs_one_of_its_languages_unless_it_has_an_interpreter():
    matching_mentor()
    speaks = waiting_case(languages=("Urdu", "Punjabi"))
    speaks.preferred_language = Language.objects.get(name="Urdu")
    speaks.save()
    interpreted = waiting_case(languages=("Pashto",), interpreter_needed=True)
    none = waiting_case(languages=())

    pool, cases = waiting(speaks, interpreted, none)
    arrays, catalogue = cases.arrays, pool.catalogues.languages
    assert bits(arrays.languages[0], catalogue) == pks(Language, name__in=["Urdu", "Punjabi"])
    # With an interpreter (or no language given) any mentor will do.
    assert not arrays.languages[1].any() and not arrays.languages[2].any()
    assert arrays.preferred.tolist() == [catalogue[speaks.preferred_language_id], -1, -1]


def test_case_needs_are_read_into_their_arrays():
    theology = Specialism.objects.get(code="islamic-theology")
    islamist = ConcernType.objects.get(code="islamist")
    muslim = Faith.objects.get(name="Muslim")
    case = waiting_case(
        area="Sandwell",
        concern_type=islamist,
        mentor_gender_preference=MentorGenderPreference.FEMALE,
        requested_faith=muslim,
        required_specialism=theology,
        availability=slot_bit(1, DayPart.AFTERNOON) | slot_bit(3, DayPart.EVENING),
        accepts_online=True,
        age_at_referral=16,
    )
    plain = waiting_case(area=None, mentor_gender_preference=MentorGenderPreference.MALE)
    anyone = waiting_case()
    matching_mentor()

    pool, cases = waiting(case, plain, anyone)
    a, specialisms = cases.arrays, pool.catalogues.specialisms
    assert a.gender.tolist() == [1, 2, 0]
    assert a.faith.tolist() == [muslim.pk, -1, -1]
    assert a.area.tolist() == [
        pool.catalogues.areas[Area.objects.get(name="Sandwell").pk],
        -1,
        pool.catalogues.areas[Area.objects.get(name="Birmingham").pk],
    ]
    assert a.online.tolist() == [True, False, False]
    assert a.age[0] == 16
    assert a.availability[0] == slot_bit(1, DayPart.AFTERNOON) | slot_bit(3, DayPart.EVENING)
    assert bits(a.required[0], specialisms) == {theology.pk}
    assert not a.required[1].any()
    assert bits(a.wanted[0], specialisms) == set(islamist.specialisms.values_list("pk", flat=True))
    assert bits(a.wanted[0], specialisms) == pks(
        Specialism, code__in=["islamic-theology", "online-radicalisation"]
    )


def test_minimum_level_from_the_policy_for_urgency_and_for_the_highest_concern():
    policy = MatchingPolicy.load()
    rank = {level.code: level.rank for level in AccreditationLevel.objects.all()}
    assert policy.urgent_min_level.code == "senior"
    assert policy.high_risk_min_level.code == "accredited"
    assert policy.priority_min_level is None
    matching_mentor()

    routine = waiting_case()
    priority = waiting_case(urgency=Urgency.PRIORITY)
    urgent = waiting_case(urgency=Urgency.URGENT)
    high = waiting_case()
    record(high, level="low", levels={3: "high"})
    was_high = waiting_case()
    record(was_high, level="high", assessed_on=timezone.localdate() - dt.timedelta(days=30))
    record(was_high, level="moderate", assessed_on=timezone.localdate() - dt.timedelta(days=2))
    moderate = waiting_case(urgency=Urgency.URGENT)
    record(moderate, level="moderate")

    _, cases = waiting(routine, priority, urgent, high, was_high, moderate)
    assert cases.arrays.min_rank.tolist() == [
        0,
        0,
        rank["senior"],
        rank["accredited"],
        0,  # only the latest assessment counts
        rank["senior"],
    ]

    policy.priority_min_level = AccreditationLevel.objects.get(code="trainee")
    policy.save()
    _, cases = waiting(routine, priority, policy=policy)
    assert cases.arrays.min_rank.tolist() == [0, rank["trainee"]]


def test_conflicts_are_found_through_blind_indexes_of_names():
    case = waiting_case(first_name="Yasmin", last_name="Carter-Jones")
    other = waiting_case(first_name="Ben", last_name="Okoro")
    knows_person = matching_mentor()
    ConflictDeclaration.objects.create(
        mentor=knows_person, kind=ConflictKind.PERSON, name="  yasmin   CARTER-JONES "
    )
    knows_family = matching_mentor()
    ConflictDeclaration.objects.create(
        mentor=knows_family, kind=ConflictKind.FAMILY, name="Carter-Jones"
    )
    withdrawn = matching_mentor()
    ConflictDeclaration.objects.create(
        mentor=withdrawn,
        kind=ConflictKind.PERSON,
        name="Yasmin Carter-Jones",
        withdrawn_on=timezone.localdate(),
    )
    wrong_kind = matching_mentor()  # a school named like the family is not the family
    ConflictDeclaration.objects.create(
        mentor=wrong_kind, kind=ConflictKind.SCHOOL, name="Carter-Jones"
    )
    surname_as_person = matching_mentor()  # a person called only by the surname
    ConflictDeclaration.objects.create(
        mentor=surname_as_person, kind=ConflictKind.PERSON, name="Carter-Jones"
    )

    pool, cases = waiting(case, other)
    assert pairs(cases.arrays.conflict_pairs) == {
        (0, row(pool, knows_person)),
        (0, row(pool, knows_family)),
    }


def test_earlier_matches_give_history_and_continuity_pairs():
    coordinator = create_user("coordinator")
    declined, bad, conduct, good, withdrawn, live = (matching_mentor() for _ in range(6))
    case = waiting_case()
    live_match(case, declined, status=MatchStatus.DECLINED, by=coordinator)
    live_match(
        case, bad, status=MatchStatus.ENDED, end_reason=EndReason.RELATIONSHIP, by=coordinator
    )
    live_match(case, conduct, status=MatchStatus.ENDED, end_reason=EndReason.CONDUCT)
    live_match(case, good, status=MatchStatus.ENDED, end_reason=EndReason.COMPLETED)
    live_match(case, withdrawn, status=MatchStatus.WITHDRAWN, by=coordinator)
    live_match(case, live, status=MatchStatus.PROPOSED, by=coordinator)
    unrelated = waiting_case()
    live_match(unrelated, good, status=MatchStatus.ENDED, end_reason=EndReason.CONDUCT)

    pool, cases = waiting(case)
    assert pairs(cases.arrays.history_pairs) == {
        (0, row(pool, declined)),
        (0, row(pool, bad)),
        (0, row(pool, conduct)),
    }
    assert pairs(cases.arrays.continuity_pairs) == {(0, row(pool, good))}


@pytest.mark.django_db(transaction=True)
def test_loading_cases_takes_the_same_queries_for_3_and_9_cases():
    """Committed data keys, as in use: every person's key (for the names compared with
    declared conflicts) comes in one query, whatever the number of cases."""
    matching_mentor()
    for _ in range(3):
        waiting_case(languages=("English", "Urdu"))
    pool, policy = load_pool(), MatchingPolicy.load()

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = list(cases_for_matching().filter(status=CaseStatus.AWAITING_MATCH))
            load_cases(rows, pool, policy)
        assert len(rows) in (3, 9)
        return len(queries)

    datakeys.cache.clear()
    few = count()
    for _ in range(6):
        waiting_case(languages=("Somali",))
    datakeys.cache.clear()
    assert count() == few
