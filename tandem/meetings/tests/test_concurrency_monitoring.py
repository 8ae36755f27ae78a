"""Contact alerts and lone-working alerts under real concurrency (PostgreSQL): two
copies of each command released at the same moment alert each gap and each missed
check-out exactly once between them. Each run has its own thread and connection."""

from __future__ import annotations

import datetime as dt
import time
from functools import partial

import pytest
from django.db import connection, transaction
from django.utils import timezone

from conftest import create_user
from tandem.core.models import Notification
from tandem.core.testing import simultaneously as at_once

from ..models import ContactAlert, MatchContact, Session, SessionStatus
from ..services.contact import contact_alerts_raise
from ..services.lone_working import lone_working_alerts_run
from .factories import active_match, make_session, mentor_with_account

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers (immediate transactions), so two runs can never "
            "overlap; test_contact.py and test_lone_working.py cover repeated runs."
        )


def simultaneously(*attempts) -> list:
    """Every run must finish without an error: the alerts are idempotent, not refused."""
    values = at_once(*attempts)
    assert not any(isinstance(v, Exception) for v in values), values
    return values


def test_two_contact_alert_runs_at_once_alert_each_gap_once():
    coordinator = create_user("coordinator")
    for _ in range(ROUNDS):
        matches = [active_match(started_days_ago=60) for _ in range(4)]
        missed = active_match(started_days_ago=10)
        make_session(missed, days_ago=2, status=SessionStatus.DID_NOT_ATTEND)
        make_session(missed, days_ago=1, status=SessionStatus.DID_NOT_ATTEND)
        before = Notification.objects.filter(user=coordinator).count()

        runs = simultaneously(contact_alerts_raise, contact_alerts_raise)

        raised = sorted(a.case_id for run in runs for a in run.raised)
        expected = sorted(m.case_id for m in [*matches, missed])
        assert raised == expected
        cases = [m.case_id for m in [*matches, missed]]
        assert ContactAlert.objects.filter(case__in=cases).count() == 5
        assert Notification.objects.filter(user=coordinator).count() - before == 5


def test_two_sessions_of_one_match_recorded_at_once_both_count_in_its_summary():
    # Each writer holds its transaction open after its refresh: without the summary row's
    # lock, the second would derive the summary from a snapshot without the first's
    # session and store a run of one miss.
    def miss(match, days_ago):
        def attempt():
            with transaction.atomic():
                make_session(match, days_ago=days_ago, status=SessionStatus.DID_NOT_ATTEND)
                time.sleep(0.2)

        return attempt

    for fresh in (True, False):  # the summary row made by the writers, or already there
        match = active_match(started_days_ago=30)
        if not fresh:
            make_session(match, days_ago=20, status=SessionStatus.HELD)
        simultaneously(miss(match, 3), miss(match, 2))
        assert MatchContact.objects.get(match=match).missed_run == 2


def test_two_lone_working_runs_at_once_alert_and_escalate_once():
    coordinator = create_user("coordinator")
    create_user("safeguarding_lead")
    for _ in range(ROUNDS):
        sessions = []
        for _ in range(3):
            match = active_match(mentor=mentor_with_account(), started_days_ago=10)
            session = make_session(
                match, starts_at=timezone.now() - dt.timedelta(minutes=95), place_code="home"
            )
            Session.objects.filter(pk=session.pk).update(checked_in_at=session.starts_at)
            sessions.append(session)

        runs = simultaneously(lone_working_alerts_run, lone_working_alerts_run)
        assert sum(r.alerted for r in runs) == 3

        later = timezone.now() + dt.timedelta(minutes=31)
        runs = simultaneously(
            partial(lone_working_alerts_run, now=later), partial(lone_working_alerts_run, now=later)
        )
        assert sum(r.escalated for r in runs) == 3
        assert (
            Session.objects.filter(
                pk__in=[s.pk for s in sessions], check_out_escalated_at__isnull=False
            ).count()
            == 3
        )
    # Per round: one alert and one escalation notification per session.
    assert Notification.objects.filter(user=coordinator).count() == ROUNDS * 3 * 2
