"""``safeguarding_alerts``: the lead before a deadline, the deputy, the leads and the
coordinators when it is missed, again every interval until acknowledged; each alert
once, however often the command runs; in Tandem and by email."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from conftest import create_user
from tandem.core.models import Notification

from ..models import AlertKind, ConcernAlert, SafeguardingPolicy, Urgency
from ..services import concern_acknowledge, concern_urgency_change, safeguarding_alerts_run
from .factories import lead, raise_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    the_lead, deputy = lead(), lead()
    coordinator = create_user("coordinator")
    policy = SafeguardingPolicy.current()
    policy.deputy = deputy
    policy.warn_minutes = 30
    policy.repeat_minutes = 60
    policy.save()
    return the_lead, deputy, coordinator


def _messages(user):
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


def run(now, capture):
    with capture(execute=True):
        return safeguarding_alerts_run(now=now)


def test_nearing_then_missed_then_repeated_until_acknowledged(
    people, django_capture_on_commit_callbacks
):
    the_lead, deputy, coordinator = people
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_concern(urgency=Urgency.IMMEDIATE)
    due = concern.due_at
    Notification.objects.all().delete()  # the "new concern" messages

    assert run(due - dt.timedelta(minutes=45), django_capture_on_commit_callbacks).sent == []
    assert len(run(due - dt.timedelta(minutes=20), django_capture_on_commit_callbacks).sent) == 1
    assert len(_messages(the_lead)) == 1 and _messages(coordinator) == []
    assert "must be acknowledged" in _messages(the_lead)[0]

    # Running again in the same window sends nothing more.
    assert run(due - dt.timedelta(minutes=10), django_capture_on_commit_callbacks).sent == []

    missed = run(due + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert [a.kind for a in missed.sent] == [AlertKind.MISSED]
    assert any("not been acknowledged" in m for m in _messages(deputy))
    assert any("not been acknowledged" in m for m in _messages(coordinator))
    assert run(due + dt.timedelta(minutes=30), django_capture_on_commit_callbacks).sent == []

    repeat = run(due + dt.timedelta(minutes=61), django_capture_on_commit_callbacks)
    assert [a.slot for a in repeat.sent] == [1]

    concern_acknowledge(actor=the_lead, concern=concern)
    assert run(due + dt.timedelta(minutes=200), django_capture_on_commit_callbacks).sent == []
    assert ConcernAlert.objects.count() == 3


def test_a_changed_urgency_starts_a_new_series_of_alerts(
    people, django_capture_on_commit_callbacks
):
    the_lead = people[0]
    concern = raise_concern(urgency=Urgency.IMMEDIATE)
    run(concern.due_at + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    changed = concern_urgency_change(actor=the_lead, concern=concern, urgency=Urgency.URGENT)
    sent = run(changed.due_at + dt.timedelta(minutes=1), django_capture_on_commit_callbacks).sent
    assert [(a.kind, a.slot) for a in sent] == [(AlertKind.MISSED, 0)]


def test_alert_messages_hold_no_content(people, django_capture_on_commit_callbacks):
    concern = raise_concern(details="He named the target and the day.")
    run(concern.due_at + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert Notification.objects.exists()
    assert not Notification.objects.filter(message__icontains="target").exists()


def test_the_command_runs_and_says_what_it_sent(people, capsys):
    raise_concern(urgency=Urgency.IMMEDIATE, now=None)
    call_command("safeguarding_alerts")
    assert "0 alerts" in capsys.readouterr().out


def _inboxes():
    """Each address with the subjects emailed to it (one recipient per message)."""
    boxes: dict[str, list[str]] = {}
    for message in mail.outbox:
        (address,) = message.to
        boxes.setdefault(address, []).append(message.subject)
    return boxes


def test_alerts_reach_people_by_email_once_each_and_without_content(
    people, django_capture_on_commit_callbacks
):
    the_lead, deputy, coordinator = people
    other_lead = lead(is_active=False, deactivated_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_concern(urgency=Urgency.IMMEDIATE, details="He named the target.")
    raised = _inboxes()
    assert set(raised) == {the_lead.email, deputy.email}  # the leads, told at once
    assert other_lead.email not in raised
    mail.outbox.clear()

    run(concern.due_at - dt.timedelta(minutes=20), django_capture_on_commit_callbacks)
    soon = [f"Tandem: safeguarding concern {concern.reference} is due soon"]
    assert _inboxes() == {the_lead.email: soon, deputy.email: soon}  # the leads only
    mail.outbox.clear()

    run(concern.due_at + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    run(concern.due_at + dt.timedelta(minutes=2), django_capture_on_commit_callbacks)  # again
    overdue = f"Tandem: safeguarding concern {concern.reference} is overdue"
    assert _inboxes() == {
        the_lead.email: [overdue],
        deputy.email: [overdue],
        coordinator.email: [overdue],
    }
    for message in mail.outbox:
        assert concern.reference in message.body
        assert "target" not in message.body and "target" not in message.subject


def test_a_failing_mail_server_does_not_lose_the_alert(
    people, django_capture_on_commit_callbacks, monkeypatch
):
    the_lead, deputy, _ = people
    concern = raise_concern(urgency=Urgency.IMMEDIATE)
    sent_to = []

    def flaky(subject, body, from_email, recipients):
        if recipients == [the_lead.email]:
            raise OSError("connection refused")
        sent_to.extend(recipients)

    monkeypatch.setattr("tandem.core.notifications.send_mail", flaky)
    run(concern.due_at + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert deputy.email in sent_to  # the others still go
    assert ConcernAlert.objects.filter(concern=concern, kind=AlertKind.MISSED).count() == 1
    assert any("not been acknowledged" in m for m in _messages(the_lead))
