"""Under real concurrency (PostgreSQL): two copies of ``supervision_reminders`` released
at the same moment remind each mentor and supervisor once between them, in Tandem and by
email. Each run has its own thread and connection."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from conftest import create_user
from tandem.core.models import Notification
from tandem.core.testing import simultaneously
from tandem.mentors.tests.factories import make_matchable_mentor

from ..models import SupervisionReminder
from ..services import supervision_reminders_send
from .factories import assign, make_supervisor

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers (immediate transactions), so two runs can never "
            "overlap; test_services.py covers a second run sending nothing."
        )


def test_two_reminder_runs_at_once_remind_each_mentor_once():
    supervisor = make_supervisor()
    for round_ in range(ROUNDS):
        mentors = [make_matchable_mentor(user=create_user("mentor")) for _ in range(3)]
        for mentor in mentors:  # accredited: due in 6 weeks, so overdue after this
            assign(mentor, supervisor, started_on=timezone.localdate() - dt.timedelta(weeks=7))
        today = timezone.localdate() + dt.timedelta(days=round_)
        mail.outbox.clear()
        before = Notification.objects.filter(user=supervisor).count()

        attempt = partial(supervision_reminders_send, today=today)
        runs = simultaneously(attempt, attempt)

        assert not any(isinstance(r, Exception) for r in runs), runs
        assert sum(r["overdue"] for r in runs) == 3
        assert SupervisionReminder.objects.filter(mentor__in=mentors).count() == 3
        assert Notification.objects.filter(user=supervisor).count() - before == 3
        for mentor in mentors:
            assert [m.to for m in mail.outbox].count([mentor.user.email]) == 1
        assert [m.to for m in mail.outbox].count([supervisor.email]) == 3
