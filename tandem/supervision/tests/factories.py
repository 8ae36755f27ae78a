"""Test data for supervision."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import create_user
from tandem.supervision.models import (
    ActionOwner,
    SupervisionAction,
    SupervisionKind,
    SupervisionRecord,
    SupervisorAssignment,
)


def make_supervisor(**extra):
    return create_user("supervisor", **extra)


def assign(mentor, supervisor, *, started_on: dt.date | None = None, by=None):
    """Make ``supervisor`` the mentor's supervisor with history, without the service."""
    SupervisorAssignment.objects.filter(mentor=mentor, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    assignment = SupervisorAssignment.objects.create(
        mentor=mentor,
        supervisor=supervisor,
        started_on=started_on or timezone.localdate(),
        assigned_by=by,
    )
    type(mentor).objects.filter(pk=mentor.pk).update(supervisor=supervisor)
    mentor.supervisor = supervisor
    return assignment


def make_record(
    mentor,
    *,
    supervisor=None,
    held_on: dt.date | None = None,
    kind=SupervisionKind.INDIVIDUAL,
    notes: str = "We talked about boundaries.",
    action: bool = True,
) -> SupervisionRecord:
    supervisor = supervisor or mentor.supervisor or make_supervisor()
    record = SupervisionRecord.objects.create(
        mentor=mentor,
        supervisor=supervisor,
        held_on=held_on or timezone.localdate(),
        kind=kind,
        approach=notes,
        boundaries=notes,
        recorded_by=supervisor,
    )
    if action:
        SupervisionAction.objects.create(
            record=record,
            mentor=mentor,
            text="Read the guidance on disclosures.",
            owner=ActionOwner.MENTOR,
            due_on=timezone.localdate() + dt.timedelta(days=14),
        )
    return record
