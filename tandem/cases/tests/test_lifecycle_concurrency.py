"""No lost update: a change made from a stale version is refused, in the service
(``case_version_claim``) and under real concurrency on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tandem.cases.models import Case, CaseEvent, CaseStatus
from tandem.cases.services.lifecycle import CaseConflict, case_transition, case_version_claim

from .factories import consented, make_case
from .factories_referrals import coordinator


@pytest.mark.django_db
def test_claim_version_bumps_the_version_when_it_matches():
    case = make_case()
    claimed = case_version_claim(case=case, expected_version=case.version)
    assert claimed.version == case.version + 1
    case.refresh_from_db()
    assert case.version == claimed.version


@pytest.mark.django_db
def test_claim_version_refuses_a_stale_version_and_changes_nothing():
    case = make_case()
    case_version_claim(case=case, expected_version=None)  # someone else's change
    with pytest.raises(CaseConflict, match="Someone else changed this case"):
        case_version_claim(case=case, expected_version=case.version)
    stored = Case.objects.get(pk=case.pk)
    assert stored.version == case.version + 1


@pytest.mark.django_db
def test_a_second_change_from_the_same_version_is_refused():
    case = consented(make_case(status=CaseStatus.ASSESSMENT))
    seen = case.version
    case_transition(
        actor=coordinator(), case=case, action="complete_assessment", expected_version=seen
    )
    with pytest.raises(CaseConflict):
        case_transition(
            actor=coordinator(), case=case, action="hold", reason="x", expected_version=seen
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_MATCH
    assert not CaseEvent.objects.filter(case=case, kind="status.hold").exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_changes_from_one_version_give_exactly_one_success():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers (immediate transactions), so two writers can never "
            "hold the case at once; the service-level tests above cover the refusal."
        )
    case = consented(make_case(status=CaseStatus.ASSESSMENT))
    actors = [coordinator(), coordinator()]
    seen = case.version
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def attempt(actor, action):
        try:
            mine = Case.objects.get(pk=case.pk)
            barrier.wait(timeout=10)
            try:
                case_transition(
                    actor=actor,
                    case=mine,
                    action=action,
                    reason="Simultaneous",
                    expected_version=seen,
                )
                outcome = "ok"
            except CaseConflict:
                outcome = "conflict"
            except Exception as error:  # reported, never swallowed
                outcome = f"error: {error!r}"
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [
        threading.Thread(target=attempt, args=(actors[0], "complete_assessment")),
        threading.Thread(target=attempt, args=(actors[1], "hold")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["conflict", "ok"], results
    case.refresh_from_db()
    assert case.version == seen + 1
    moves = CaseEvent.objects.filter(case=case).exclude(to_status="")
    assert moves.count() == 1
    assert case.status in (CaseStatus.AWAITING_MATCH, CaseStatus.ON_HOLD)
