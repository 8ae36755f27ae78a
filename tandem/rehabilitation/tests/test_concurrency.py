"""Under real concurrency (PostgreSQL): two copies of ``release_alerts`` released at the
same moment prompt each release once between them and raise each contact alert once.
Each attempt has its own thread and connection."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone

from conftest import create_user
from tandem.core.models import Notification
from tandem.core.testing import simultaneously

from ..models import CustodyStatus, RehabilitationPolicy, ReleaseAlert
from ..services import release_alerts_raise
from .factories import make_record, rehab_match

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers (immediate transactions), so two runs can never "
            "overlap; test_services.py covers repeated runs."
        )


def test_two_runs_at_once_prompt_and_alert_each_release_once():
    coordinator = create_user("coordinator")
    today = timezone.localdate()
    late = RehabilitationPolicy.current().first_meeting_days + 2
    for _ in range(ROUNDS):
        coming = [
            make_record(
                rehab_match().case,
                status=CustodyStatus.SENTENCED,
                release=today + dt.timedelta(days=5),
            )
            for _ in range(2)
        ]
        overdue = make_record(
            rehab_match().case,
            status=CustodyStatus.ON_LICENCE,
            release=today - dt.timedelta(days=late),
        )
        before = Notification.objects.filter(user=coordinator).count()

        attempt = partial(release_alerts_raise, today=today)
        runs = simultaneously(attempt, attempt)

        assert not any(isinstance(r, Exception) for r in runs), runs
        prompted = sorted(ref for r in runs for ref in r.prompted)
        assert prompted == sorted(r.case.reference for r in coming)
        assert [ref for r in runs for ref in r.raised] == [overdue.case.reference]
        assert ReleaseAlert.objects.filter(case=overdue.case).count() == 1
        assert Notification.objects.filter(user=coordinator).count() - before == 3
