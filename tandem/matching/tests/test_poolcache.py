"""The pool kept between requests: every change to what it is made of is seen (and the
suggestions change with it), the kept pool gives exactly what a fresh read gives, and a
page that uses it costs fewer queries."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.catalogues.models import Area, Language, Specialism
from tandem.mentors.matchability import annotate_matchable, filter_can_take
from tandem.mentors.models import (
    Accreditation,
    AvailabilitySlot,
    CodeOfConduct,
    DayPart,
    Mentor,
    MentorLanguage,
    MentorSpecialism,
    MentorStatus,
    Proficiency,
    VettingCheck,
    Weekday,
    slot_bit,
)

from .. import poolcache
from ..features import load_pool
from ..models import LIVE, CaseNeeds, Match, MatchingPolicy, MatchStatus
from ..selectors import held_back, rank_mentors
from .factories import live_match, matching_mentor, waiting_case

pytestmark = pytest.mark.django_db


def same_arrays(a, b) -> bool:
    if not np.array_equal(a.pks, b.pks):
        return False
    return all(
        np.array_equal(getattr(a.arrays, f.name), getattr(b.arrays, f.name), equal_nan=True)
        for f in fields(a.arrays)
        if f.name not in ("languages", "fluent", "specialisms", "availability")
    ) and all(
        np.array_equal(getattr(a.arrays, name), getattr(b.arrays, name))
        for name in ("languages", "fluent", "specialisms", "availability")
    )


def summary(ranking) -> tuple:
    return (
        ranking.pool_size,
        ranking.allowed,
        dict(ranking.excluded),
        [(r.mentor.pk, r.score, r.spare) for r in ranking.mentors],
    )


def fresh(case, k=5) -> tuple:
    poolcache.forget()
    return summary(rank_mentors(case, k=k))


# What a write is ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "mentors_mentor" ("a") VALUES (%s)', "mentors_mentor"),
        (
            'INSERT OR IGNORE INTO "mentors_mentorlanguage" ("a") VALUES (?)',
            "mentors_mentorlanguage",
        ),
        ('  UPDATE "matching_match" SET "status" = %s', "matching_match"),
        ('DELETE FROM "mentors_mentor_areas" WHERE 1', "mentors_mentor_areas"),
        ('SELECT "mentors_mentor"."id" FROM "mentors_mentor"', None),
        ('WITH x AS (SELECT 1) SELECT * FROM "mentors_mentor"', None),
    ],
)
def test_the_table_a_statement_writes(sql, table):
    assert poolcache.written_table(sql) == table


def test_the_sources_are_the_tables_the_pool_and_its_rules_read():
    sources = poolcache.pool_sources()
    for table in (
        "mentors_mentor",
        "mentors_mentor_areas",
        "mentors_mentorlanguage",
        "mentors_availabilityslot",
        "mentors_vettingcheck",
        "mentors_accreditation",
        "mentors_codeofconduct",
        "mentors_codeacceptance",
        "catalogues_area",
        "matching_match",
    ):
        assert table in sources, table
    assert "cases_case" not in sources and "audit_auditevent" not in sources


# Every change is seen --------------------------------------------------------------------


def _far_away():
    return (
        Area.objects.exclude(name="Birmingham")
        .exclude(latitude__isnull=True)
        .order_by("-latitude")
        .first()
    )


def _gender(mentor, case):
    case.mentor_gender_preference = "female"
    case.save(update_fields=["mentor_gender_preference"])
    Mentor.objects.filter(pk=mentor.pk).update(gender="male")  # no signal sent
    return "gender"


def _status(mentor, case):
    mentor.status = MentorStatus.PAUSED
    mentor.save(update_fields=["status"])
    return None  # out of the pool altogether


def _languages(mentor, case):
    MentorLanguage.objects.filter(mentor=mentor).delete()
    MentorLanguage.objects.bulk_create(  # no signal sent
        [MentorLanguage(mentor=mentor, language=Language.objects.get(name="Polish"))]
    )
    return "language"


def _areas(mentor, case):
    Mentor.objects.filter(pk=mentor.pk).update(travel_radius_km=1)
    mentor.areas.set([_far_away()])
    return "travel"


def _area_moved(mentor, case):
    mentor.areas.set([Area.objects.get(name="Coventry")])
    Mentor.objects.filter(pk=mentor.pk).update(travel_radius_km=60)
    assert rank_mentors(case, k=1).allowed == 1  # Coventry is within reach: kept again
    coventry = Area.objects.get(name="Coventry")
    coventry.latitude += 3  # about 330 km north
    coventry.save(update_fields=["latitude"])
    return "travel"


def _specialism(mentor, case):
    youth_work = Specialism.objects.get(code="youth-work")
    CaseNeeds.objects.create(case=case, required_specialism=youth_work)
    assert rank_mentors(case, k=1).allowed == 1  # the mentor holds it: kept again
    MentorSpecialism.objects.filter(mentor=mentor).delete()
    return "specialism"


def _vetting(mentor, case):
    VettingCheck.objects.filter(mentor=mentor).update(expires_on=timezone.localdate())
    return "unavailable"


def _accreditation(mentor, case):
    Accreditation.objects.filter(mentor=mentor).update(
        revoked_on=timezone.localdate(), revoked_reason="Conduct"
    )
    return "unavailable"


def _code(mentor, case):
    CodeOfConduct.objects.create(version="99", text="A new code.")
    return "unavailable"


def _caseload(mentor, case):
    Mentor.objects.filter(pk=mentor.pk).update(caseload_cap=1)
    assert rank_mentors(case, k=1).allowed == 1
    live_match(waiting_case(), mentor)
    return "capacity"


CHANGES = {
    "mentor profile (queryset update)": _gender,
    "status": _status,
    "languages (bulk insert)": _languages,
    "areas and travel radius": _areas,
    "catalogue: an area's position": _area_moved,
    "specialisms": _specialism,
    "vetting check expired": _vetting,
    "accreditation revoked": _accreditation,
    "new code of conduct": _code,
    "live matches fill the caseload": _caseload,
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_a_change_to_anything_the_pool_is_made_of_changes_the_suggestions(change):
    mentor = matching_mentor()
    case = waiting_case()
    before = summary(rank_mentors(case, k=5))
    assert before[1] == 1 and before[3][0][0] == mentor.pk  # suggested, pool kept

    excluded_for = CHANGES[change](mentor, case)

    after = summary(rank_mentors(case, k=5))
    assert after == fresh(case)  # the kept pool was rebuilt, not reused
    assert after[3] == []  # no longer suggested
    if excluded_for is None:
        assert after[0] == 0
    else:
        assert after[2] == {excluded_for: 1}


def test_availability_changes_the_score():
    mentor = matching_mentor()
    monday_morning = slot_bit(Weekday.MONDAY, DayPart.MORNING)
    case = waiting_case(availability=monday_morning)
    (before,) = rank_mentors(case, k=1).mentors
    AvailabilitySlot.objects.bulk_create(
        [AvailabilitySlot(mentor=mentor, weekday=Weekday.MONDAY, part=DayPart.MORNING)]
    )
    (after,) = rank_mentors(case, k=1).mentors
    assert after.score > before.score
    assert summary(rank_mentors(case, k=1)) == fresh(case, k=1)


def test_the_matching_policy_applies_to_the_kept_pool_at_once():
    matching_mentor(has_lived_experience=True)
    case = waiting_case()
    (before,) = rank_mentors(case, k=1).mentors
    MatchingPolicy.objects.update(weight_lived_experience=10)
    (after,) = rank_mentors(case, k=1).mentors
    assert after.score > before.score


def test_a_pool_is_not_used_on_another_day():
    mentor = matching_mentor()
    expires = Accreditation.objects.get(mentor=mentor).expires_on
    today = poolcache.cached_pool()
    assert today.arrays.matchable.tolist() == [True]
    assert poolcache.cached_pool(today=expires).arrays.matchable.tolist() == [False]


def test_another_process_changing_the_pool_is_seen_through_the_shared_version():
    matching_mentor()
    poolcache.cached_pool()
    with CaptureQueriesContext(connection) as warm:
        poolcache.cached_pool()
    assert len(warm) == 0  # this process's kept pool (the test cache is in memory)
    cache.set(poolcache.VERSION_KEY, "changed by another process")
    with CaptureQueriesContext(connection) as after:
        poolcache.cached_pool()
    assert len(after) > 0  # read again


@pytest.mark.django_db(transaction=True)
def test_the_shared_version_changes_when_the_write_commits_not_before():
    mentor = matching_mentor()
    version = poolcache.pool_version()
    with transaction.atomic():
        Mentor.objects.filter(pk=mentor.pk).update(caseload_cap=3)
        Mentor.objects.filter(pk=mentor.pk).update(caseload_cap=4)
        assert poolcache.pool_version() == version  # other processes cannot see it yet
    assert poolcache.pool_version() != version

    version = poolcache.pool_version()
    with transaction.atomic():
        Mentor.objects.filter(pk=mentor.pk).update(caseload_cap=1)
        transaction.set_rollback(True)
    assert poolcache.pool_version() == version  # nothing changed
    Mentor.objects.filter(pk=mentor.pk).update(caseload_cap=2)  # autocommit: at once
    assert poolcache.pool_version() != version


def test_a_write_elsewhere_keeps_the_pool():
    matching_mentor()
    kept = poolcache.cached_pool()
    waiting_case()  # cases are not part of the pool
    assert poolcache.cached_pool() is kept


def test_the_kept_arrays_cannot_be_changed_by_a_reader():
    matching_mentor()
    pool = poolcache.cached_pool()
    with pytest.raises(ValueError, match="read-only"):
        pool.arrays.spare[0] = 5


def test_a_pool_read_while_this_process_wrote_is_not_kept(monkeypatch):
    mentor = matching_mentor()
    real = poolcache.load_pool

    def load_then_write(**kwargs):
        pool = real(**kwargs)
        Mentor.objects.filter(pk=mentor.pk).update(caseload_cap=3)
        return pool

    monkeypatch.setattr(poolcache, "load_pool", load_then_write)
    stale = poolcache.cached_pool()
    monkeypatch.setattr(poolcache, "load_pool", real)
    assert stale.arrays.cap.tolist() == [2]
    assert poolcache.cached_pool().arrays.cap.tolist() == [3]


# The kept pool gives what a fresh read gives ---------------------------------------------


OPERATIONS = (
    "gender",
    "pause",
    "activate",
    "language",
    "drop_languages",
    "slot",
    "area",
    "radius",
    "specialism",
    "expire_check",
    "revoke",
    "cap",
    "propose",
    "end_matches",
)


def apply(operation: str, mentor: Mentor, other_case) -> None:
    today = timezone.localdate()
    one = Mentor.objects.filter(pk=mentor.pk)
    match operation:
        case "gender":
            one.update(gender="male" if mentor.gender == "female" else "female")
        case "pause":
            one.update(status=MentorStatus.PAUSED)
        case "activate":
            one.update(status=MentorStatus.ACTIVE)
        case "language":
            MentorLanguage.objects.get_or_create(
                mentor=mentor,
                language=Language.objects.get(name="Urdu"),
                defaults={"proficiency": Proficiency.FLUENT},
            )
        case "drop_languages":
            MentorLanguage.objects.filter(mentor=mentor).delete()
        case "slot":
            AvailabilitySlot.objects.get_or_create(
                mentor=mentor, weekday=Weekday.TUESDAY, part=DayPart.EVENING
            )
        case "area":
            mentor.areas.add(Area.objects.get(name="Coventry"))
        case "radius":
            one.update(travel_radius_km=1)
        case "specialism":
            MentorSpecialism.objects.filter(mentor=mentor).delete()
        case "expire_check":
            VettingCheck.objects.filter(mentor=mentor).update(expires_on=today)
        case "revoke":
            Accreditation.objects.filter(mentor=mentor).update(
                revoked_on=today, revoked_reason="Conduct"
            )
        case "cap":
            one.update(caseload_cap=1)
        case "propose":
            if not Match.objects.filter(case=other_case, status__in=LIVE).exists():
                live_match(other_case, mentor)
        case "end_matches":
            Match.objects.filter(mentor=mentor).update(status=MatchStatus.WITHDRAWN)


@pytest.fixture
def small_pool(db):
    mentors = [
        matching_mentor(),
        matching_mentor(gender="male", specialisms=("islamic-theology",)),
        matching_mentor(languages=(("English", Proficiency.FIRST), ("Urdu", Proficiency.BASIC))),
        matching_mentor(areas=("Coventry",), has_lived_experience=True),
    ]
    case = waiting_case(languages=("English", "Urdu"))
    return mentors, case, waiting_case()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(min_value=0, max_value=3)),
        min_size=1,
        max_size=6,
    )
)
def test_the_kept_pool_always_gives_what_a_fresh_read_gives(small_pool, steps):
    mentors, case, other_case = small_pool
    with transaction.atomic():
        rank_mentors(case, k=5)  # warm
        for operation, which in steps:
            apply(operation, mentors[which], other_case)
            kept = summary(rank_mentors(case, k=5))
            assert same_arrays(poolcache.cached_pool(), load_pool())
            assert kept == fresh(case)
            # The mentors held back, read from the kept pool, are those the register's
            # single query says cannot take a case.
            held = held_back()
            expected = set(
                annotate_matchable(Mentor.objects.filter(status=MentorStatus.ACTIVE))
                .filter(is_matchable=False)
                .values_list("pk", flat=True)
            )
            assert held.count == len(expected)
            assert {row.mentor.pk for row in held.mentors} == expected
            # The mentor pool page's "can take a case", read from the kept pool, is the
            # register's own ``is_matchable`` for every mentor, active or not.
            for can_take in (True, False):
                assert set(
                    filter_can_take(Mentor.objects.all(), can_take=can_take).values_list(
                        "pk", flat=True
                    )
                ) == set(
                    annotate_matchable(Mentor.objects.all())
                    .filter(is_matchable=can_take)
                    .values_list("pk", flat=True)
                )
            rank_mentors(case, k=5)  # warm again before the next step
        transaction.set_rollback(True)
    poolcache.forget()  # the rollback is no write


# Fewer queries ----------------------------------------------------------------------------


def test_the_pool_pages_can_take_filter_reads_the_kept_pool(client, make_user, signed_in):
    able = matching_mentor()
    paused = matching_mentor()
    Mentor.objects.filter(pk=paused.pk).update(status=MentorStatus.PAUSED)
    signed_in(make_user("coordinator"))
    url = reverse("mentors:pool") + "?matchable=yes"
    client.get(url)  # the pool read and kept
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # No mentor's matchability worked out in SQL (the shown rows' reasons are prefetched).
    assert not [
        q for q in queries if "EXISTS" in q["sql"] and "mentors_vettingchecktype" in q["sql"]
    ]
    page = response.content.decode()
    assert able.full_name in page and paused.full_name not in page
    VettingCheck.objects.filter(mentor=able).update(expires_on=timezone.localdate())
    assert able.full_name not in client.get(url).content.decode()


def test_with_the_pool_kept_the_suggestions_read_no_pool_query():
    for _ in range(3):
        matching_mentor()
    case = waiting_case()
    rank_mentors(case, k=5)
    poolcache.forget()
    with CaptureQueriesContext(connection) as cold:
        rank_mentors(case, k=5)
    with CaptureQueriesContext(connection) as warm:
        rank_mentors(case, k=5)
    # The pool's own query: every active mentor with their matchability.
    assert any('"places_cap"' in q["sql"] for q in cold)
    assert not any('"places_cap"' in q["sql"] for q in warm)
    assert len(warm) < len(cold)


def test_a_pool_older_than_the_safety_net_is_read_again():
    matching_mentor()
    poolcache.cached_pool()
    with (
        override_settings(TANDEM_POOL_CACHE_SECONDS=0),
        CaptureQueriesContext(connection) as queries,
    ):
        poolcache.cached_pool()
    assert any('"places_cap"' in q["sql"] for q in queries)
