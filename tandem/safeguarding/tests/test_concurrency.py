"""Under real concurrency (PostgreSQL): two copies of ``safeguarding_alerts`` released at
the same moment send each alert once between them; two leads acknowledging the same
concern at once: one succeeds, the other is refused. Each attempt has its own thread and
connection."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
from django.core import mail
from django.db import connection

from conftest import create_user
from tandem.core.models import Notification
from tandem.core.testing import simultaneously

from ..models import ConcernAlert, Urgency
from ..services import ConcernConflict, concern_acknowledge, safeguarding_alerts_run
from .factories import lead, raise_concern

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers (immediate transactions), so two runs can never "
            "overlap; test_alerts.py and test_services.py cover repeats and stale versions."
        )


def test_two_alert_runs_at_once_send_each_alert_once():
    coordinator = create_user("coordinator")
    lead()
    for _ in range(ROUNDS):
        concerns = [raise_concern(urgency=Urgency.IMMEDIATE) for _ in range(4)]
        later = max(c.due_at for c in concerns) + dt.timedelta(minutes=1)
        before = Notification.objects.filter(user=coordinator).count()

        mail.outbox.clear()

        attempt = partial(safeguarding_alerts_run, now=later)
        runs = simultaneously(attempt, attempt)

        assert not any(isinstance(r, Exception) for r in runs), runs
        sent = sorted(a.concern_id for r in runs for a in r.sent)
        assert sent == sorted(c.pk for c in concerns)
        assert ConcernAlert.objects.filter(concern__in=concerns).count() == 4
        assert Notification.objects.filter(user=coordinator).count() - before == 4
        emailed = [m for m in mail.outbox if m.to == [coordinator.email]]
        assert len(emailed) == 4  # one email per alert, not one per run


def test_two_leads_acknowledging_at_once_cannot_both_succeed():
    for _ in range(ROUNDS):
        first, second = lead(), lead()
        concern = raise_concern()
        seen = concern.version
        results = simultaneously(
            partial(concern_acknowledge, actor=first, concern=concern, expected_version=seen),
            partial(concern_acknowledge, actor=second, concern=concern, expected_version=seen),
        )
        assert sum(isinstance(r, ConcernConflict) for r in results) == 1, results
        assert sum(not isinstance(r, Exception) for r in results) == 1
