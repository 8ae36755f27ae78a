"""Capacity under real concurrency (PostgreSQL): two coordinators giving away a mentor's
last place at the same moment get exactly one match between them, and a case never
gets two live matches. Each attempt runs in its own thread with its own connection;
a barrier releases them together."""

from __future__ import annotations

import threading
from functools import partial

import pytest
from django.db import connection, connections

from conftest import create_user
from tandem.cases.models import Case, CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.matching import services
from tandem.matching.models import LIVE, Match, MatchStatus
from tandem.mentors.models import Mentor, MentorStatus

from .factories import live_match, matching_mentor, waiting_case

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers (immediate transactions), so two proposals can never "
            "run at once; test_services.py covers the refusals one at a time."
        )


def simultaneously(*attempts) -> tuple[list[str], list]:
    """Run each callable in its own thread, released together. For each: "ok", or the
    refusal's message, or the unexpected error (reported, never swallowed); and what
    it returned."""
    barrier = threading.Barrier(len(attempts))
    results: list[str] = [""] * len(attempts)
    values: list = [None] * len(attempts)

    def run(i, attempt):
        try:
            barrier.wait(timeout=10)
            try:
                values[i] = attempt()
                results[i] = "ok"
            except services.MatchRefused as refusal:
                results[i] = f"refused: {refusal}"
            except Exception as error:
                results[i] = f"error: {error!r}"
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, values


def one_place_left(name: str) -> Mentor:
    """A mentor with a cap of two and one place already held by an accepted match."""
    mentor = matching_mentor(full_name=name, caseload_cap=2)
    live_match(make_case(status=CaseStatus.MATCHED), mentor, status=MatchStatus.ACCEPTED)
    return mentor


def live(mentor) -> int:
    return Match.objects.filter(mentor=mentor, status__in=LIVE).count()


def test_two_coordinators_proposing_a_mentors_last_place_get_exactly_one_match():
    coordinators = [create_user("coordinator"), create_user("coordinator")]
    for round in range(ROUNDS):
        mentor = one_place_left(f"Mentor {round}")
        cases = [waiting_case(), waiting_case()]

        results, _ = simultaneously(
            *(
                partial(services.match_propose, actor=actor, case=case, mentor=mentor)
                for actor, case in zip(coordinators, cases, strict=True)
            )
        )

        assert sorted(results) == [
            "ok",
            f"refused: Mentor {round} cannot take this case: at capacity.",
        ], (round, results)
        assert live(mentor) == mentor.caseload_cap == 2
        assert Match.objects.filter(case__in=cases).count() == 1


def test_two_coordinators_proposing_one_case_to_two_mentors_give_it_one_live_match():
    coordinators = [create_user("coordinator"), create_user("coordinator")]
    for _ in range(ROUNDS):
        case = waiting_case()
        mentors = [matching_mentor(), matching_mentor()]

        results, _ = simultaneously(
            *(
                partial(services.match_propose, actor=actor, case=case, mentor=mentor)
                for actor, mentor in zip(coordinators, mentors, strict=True)
            )
        )

        assert sorted(results) == [
            "ok",
            "refused: This case already has a live match or proposal.",
        ], results
        assert Match.objects.filter(case=case, status__in=LIVE).count() == 1
        assert sum(live(mentor) for mentor in mentors) == 1


def test_two_batches_confirmed_together_never_overbook_the_mentor():
    """Each coordinator reviewed a batch giving the mentor's last place to a different
    case; both confirm at the same moment."""
    coordinators = [create_user("coordinator"), create_user("coordinator")]
    for round in range(3):
        # Earlier rounds' mentors and cases out of the way.
        Mentor.objects.update(status=MentorStatus.PAUSED)
        Case.objects.filter(status=CaseStatus.AWAITING_MATCH).update(status=CaseStatus.ASSESSMENT)
        mentor = one_place_left(f"Mentor {round}")
        cases = [waiting_case(), waiting_case()]
        batches = []
        for keep, actor in zip(cases, coordinators, strict=True):
            batch = services.batch_create(actor=actor)
            assert batch.pairs.get().mentor == mentor  # one place: one of the two cases
            for pair in batch.pairs.all():
                services.batch_pair_remove(actor=actor, batch=batch, case=pair.case)
            services.batch_pair_change(actor=actor, batch=batch, case=keep, mentor=mentor)
            assert list(batch.pairs.values_list("case", "mentor")) == [(keep.pk, mentor.pk)]
            batches.append(batch)

        results, confirmations = simultaneously(
            *(
                partial(services.batch_confirm, actor=actor, batch=batch)
                for actor, batch in zip(coordinators, batches, strict=True)
            )
        )

        assert results == ["ok", "ok"]
        assert sorted(len(c.proposed) for c in confirmations) == [0, 1]
        refusals = [reason for c in confirmations for _, reason in c.refused]
        assert refusals == [f"Mentor {round} cannot take this case: at capacity."]
        assert live(mentor) == mentor.caseload_cap == 2
