"""Property-based: random sequences of lifecycle actions, screenings, consents,
withdrawals and stale forms never take a case into a state the lifecycle forbids.

After every step: each recorded move (from, to) is one the lifecycle allows and the
moves chain from the status before the step to the status after it; a refused step
changes nothing; an ended case stays ended; a case on hold remembers a status it can
return to; an ended case has its outcome, date and who ended it.
"""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.cases.lifecycle import ACTIONS, ALLOWED_MOVES, ENDED, IN_PROGRESS, target_of
from tandem.cases.models import Case, CaseEvent, CaseStatus
from tandem.cases.services.lifecycle import (
    CaseConflict,
    LifecycleRefused,
    case_change_status,
)
from tandem.cases.services.plans import case_close
from tandem.cases.services.screening import consent_record, consent_withdraw, screening_record

from .factories_referrals import coordinator, refer, refer_child

pytestmark = pytest.mark.django_db


# Steps a coordinator can take, through the same services the pages use.
STEPS = [
    *(("act", name) for name in ACTIONS),
    ("screen", "clear"),
    ("screen", "possible"),
    ("screen", "not_appropriate"),
    ("consent", "given"),
    ("consent", "declined"),
    ("consent", "child_alone"),
    ("withdraw", ""),
    ("stale", "hold"),
    ("stale", "escalate"),
]


def _apply(step, case: Case, actor) -> None:
    kind, arg = step
    today = timezone.localdate()
    if kind == "act":
        if arg == "close":
            # Closing has its own service (outcome, closing report, follow-ups).
            case_close(
                actor=actor,
                case=case,
                outcome="completed",
                closing_report="Goals met",
                expected_version=None,
            )
        else:
            case_change_status(actor=actor, case=case, action=arg, reason="Because")
    elif kind == "screen":
        screening_record(actor=actor, case=case, outcome=arg, reason="Not for us")
    elif kind == "consent":
        giver = "parent" if case.is_child else "person"
        if arg == "child_alone":
            giver = "person"
        consent_record(
            actor=actor,
            case=case,
            decision="declined" if arg == "declined" else "given",
            given_by=giver,
            giver_name="Someone",
            decided_on=today,
            method="phone",
        )
    elif kind == "withdraw":
        consent_withdraw(actor=actor, case=case, withdrawn_on=today, reason="Changed their mind")
    elif kind == "stale":
        case_change_status(
            actor=actor, case=case, action=arg, reason="Stale", expected_version=case.version - 1
        )


def _moves_since(case: Case, last_event_pk: int) -> list[tuple[str, str]]:
    return list(
        CaseEvent.objects.filter(case=case, pk__gt=last_event_pk)
        .exclude(to_status="")
        .order_by("pk")
        .values_list("from_status", "to_status")
    )


def _last_event_pk(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True)[0]


def _check_invariants(case: Case) -> None:
    if case.status == CaseStatus.ON_HOLD:
        assert case.status_before_hold in IN_PROGRESS
    else:
        assert case.status_before_hold == ""
    if case.status in ENDED:
        assert case.closure_outcome, f"{case.status} without an outcome"
        assert case.closed_at is not None and case.closed_by_id is not None


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(child=st.booleans(), steps=st.lists(st.sampled_from(STEPS), max_size=20))
def test_no_sequence_of_steps_reaches_a_state_the_lifecycle_forbids(child, steps):
    actor = coordinator()
    case = refer_child() if child else refer()
    last_pk = _last_event_pk(case)
    for step in steps:
        before = Case.objects.get(pk=case.pk)
        refused = False
        try:
            _apply(step, before, actor)
        except (LifecycleRefused, CaseConflict):
            refused = True
        after = Case.objects.get(pk=case.pk)
        moves = _moves_since(case, last_pk)
        last_pk = _last_event_pk(case)

        for move in moves:
            assert move in ALLOWED_MOVES, f"{step}: forbidden move {move}"
        if moves:
            assert moves[0][0] == before.status, f"{step}: moves start elsewhere"
            assert moves[-1][1] == after.status, f"{step}: moves end elsewhere"
            for (_, reached), (left, _) in itertools.pairwise(moves):
                assert reached == left
        else:
            assert after.status == before.status, f"{step}: a status change left no trace"

        if refused:
            assert after.status == before.status and not moves
            assert after.version == before.version, f"{step}: a refusal bumped the version"
        if step[0] == "stale":
            assert refused, "a stale form was applied"
        if step[0] == "act" and not refused:
            action = ACTIONS[step[1]]
            assert before.status in action.sources
            assert after.status == target_of(action, status_before_hold=before.status_before_hold)
        if before.status in ENDED:
            assert after.status == before.status, "an ended case moved again"
            assert after.closure_outcome == before.closure_outcome
        if step == ("consent", "child_alone") and case.is_child:
            assert refused, "a child consented for themself"
        _check_invariants(after)


def test_every_allowed_move_is_reachable_from_the_services():
    """The property test above can only find forbidden moves if the services can make the
    allowed ones: walk each action once from a case in one of its source states."""
    from .factories import consented, make_case

    actor = coordinator()
    for action in ACTIONS.values():
        for source in sorted(action.sources):
            fields = {}
            if source == CaseStatus.ON_HOLD:
                fields["status_before_hold"] = CaseStatus.ACTIVE
            case = consented(make_case(status=source, **fields))
            updates = {"closure_outcome": "completed"} if action.name == "close" else None
            moved = case_change_status(
                actor=actor, case=case, action=action.name, reason="Why", updates=updates
            )
            assert (source, moved.status) in ALLOWED_MOVES
