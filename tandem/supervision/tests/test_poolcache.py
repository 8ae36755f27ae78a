"""Supervision's rules decide who matching suggests: a change to what they read is seen
by the mentor pool matching keeps between requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.matching import poolcache
from tandem.matching.selectors import rank_mentors
from tandem.matching.tests.factories import live_match, matching_mentor, waiting_case
from tandem.supervision.models import LevelRule

from .factories import make_record

pytestmark = pytest.mark.django_db


def summary(ranking) -> tuple:
    return (
        ranking.allowed,
        dict(ranking.excluded),
        [(r.mentor.pk, r.score, r.spare) for r in ranking.mentors],
    )


def fresh(case) -> tuple:
    poolcache.forget()
    return summary(rank_mentors(case, k=5))


def test_the_tables_the_rules_read_are_sources_of_the_pool():
    sources = poolcache.pool_sources()
    for table in (
        "supervision_supervisionrecord",
        "supervision_supervisorassignment",
        "supervision_levelrule",
        "supervision_supervisionpolicy",
    ):
        assert table in sources, table


def test_overdue_supervision_takes_the_mentor_out_of_the_kept_pool():
    mentor = matching_mentor()
    case = waiting_case()
    assert summary(rank_mentors(case, k=5))[2][0][0] == mentor.pk  # kept
    make_record(mentor, held_on=timezone.localdate() - dt.timedelta(weeks=7))
    after = summary(rank_mentors(case, k=5))
    assert after == fresh(case)
    assert after[1] == {"unavailable": 1} and after[2] == []


def test_a_lower_caseload_cap_for_the_level_is_seen():
    mentor = matching_mentor()
    case = waiting_case()
    live_match(waiting_case(), mentor)
    assert rank_mentors(case, k=5).mentors[0].spare == 1  # kept: one place of two left
    LevelRule.objects.filter(level__code="accredited").update(caseload_cap=1)  # no signal
    after = summary(rank_mentors(case, k=5))
    assert after == fresh(case)
    assert after[1] == {"unavailable": 1} and after[2] == []
