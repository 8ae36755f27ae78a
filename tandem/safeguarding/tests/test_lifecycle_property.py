"""A property over random sequences of the lead's actions: whatever is tried, in any
order, a concern never reaches "closed" without an outcome and a lead's sign-off, every
status is one the lifecycle allows from the one before, and nothing is ever deleted."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from conftest import create_user

from .. import lifecycle, services
from ..models import Concern, ConcernStatus, EscalationMethod, Outcome
from .factories import agency, lead, raise_concern

pytestmark = pytest.mark.django_db


class ConcernMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.lead = lead()
        self.coordinator = create_user("coordinator")
        self.concern = raise_concern(actor=self.coordinator)
        self.last = self.concern.status

    def _try(self, call):
        before = Concern.objects.get(pk=self.concern.pk).status
        with contextlib.suppress(services.ConcernRefused):
            call()
        after = Concern.objects.get(pk=self.concern.pk).status
        assert after == before or (before, after) in lifecycle.ALLOWED_MOVES

    @rule(name=st.sampled_from(sorted(services.SIMPLE_ACTIONS)))
    def simple(self, name):
        self._try(lambda: services.SIMPLE_ACTIONS[name](actor=self.lead, concern=self.concern))

    @rule()
    def escalate(self):
        self._try(
            lambda: services.concern_escalate(
                actor=self.lead,
                concern=self.concern,
                agency=agency(),
                method=EscalationMethod.PHONE,
            )
        )

    @rule(
        outcome=st.sampled_from(["", "nonsense", *Outcome.values]),
        signed_off=st.booleans(),
        as_lead=st.booleans(),
    )
    def close(self, outcome, signed_off, as_lead):
        self._try(
            lambda: services.concern_close(
                actor=self.lead if as_lead else self.coordinator,
                concern=self.concern,
                outcome=outcome,
                signed_off=signed_off,
            )
        )

    @rule(version=st.integers(min_value=0, max_value=50))
    def stale_acknowledge(self, version):
        self._try(
            lambda: services.concern_acknowledge(
                actor=self.lead, concern=self.concern, expected_version=version
            )
        )

    @invariant()
    def closed_only_with_outcome_and_sign_off(self):
        concern = Concern.objects.get(pk=self.concern.pk)
        if concern.status == ConcernStatus.CLOSED:
            assert concern.outcome in Outcome.values
            assert concern.signed_off_by_id == self.lead.pk
            assert concern.closed_at is not None
        if concern.status != ConcernStatus.RAISED:
            assert concern.acknowledged_at is not None

    @invariant()
    def never_deleted(self):
        assert Concern.objects.filter(pk=self.concern.pk).exists()


ConcernMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.django_db
def test_no_concern_reaches_closed_without_outcome_and_sign_off():
    ConcernMachine.TestCase("runTest").runTest()
