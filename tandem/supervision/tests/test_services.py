import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.core.models import Notification
from tandem.mentors.models import Mentor
from tandem.mentors.tests.factories import make_matchable_mentor
from tandem.supervision import services
from tandem.supervision.models import (
    DebriefRequirement,
    LevelRule,
    SupervisionAction,
    SupervisionKind,
    SupervisionPolicy,
    SupervisionRecord,
    SupervisionReminder,
    SupervisorAssignment,
)

from .factories import assign, make_supervisor

pytestmark = pytest.mark.django_db

SECRET = "He spoke of his brother's martyrdom video"


def test_assigning_keeps_the_history_audits_and_tells_the_supervisor(
    django_capture_on_commit_callbacks,
):
    coordinator = create_user("coordinator")
    mentor = make_matchable_mentor()
    first, second = make_supervisor(), make_supervisor()
    with django_capture_on_commit_callbacks(execute=True):
        services.supervisor_assign(actor=coordinator, mentor=mentor, supervisor=first)
        services.supervisor_assign(actor=coordinator, mentor=mentor, supervisor=second)
    mentor.refresh_from_db()
    assert mentor.supervisor == second
    history = list(SupervisorAssignment.objects.filter(mentor=mentor).order_by("pk"))
    assert [a.supervisor for a in history] == [first, second]
    assert history[0].ended_at is not None and history[1].ended_at is None
    assert AuditEvent.objects.filter(action="supervision.supervisor_assign").count() == 2
    assert Notification.objects.filter(user=second).exists()
    assert services.supervisor_assign(actor=coordinator, mentor=mentor, supervisor=second) is None


def test_only_supervisors_can_be_assigned():
    coordinator = create_user("coordinator")
    mentor = make_matchable_mentor()
    with pytest.raises(services.SupervisionRefused):
        services.supervisor_assign(
            actor=coordinator, mentor=mentor, supervisor=create_user("mentor")
        )


def _record(mentor, supervisor, **fields):
    fields.setdefault("held_on", timezone.localdate())
    fields.setdefault("kind", SupervisionKind.INDIVIDUAL)
    return services.supervision_record(
        actor=supervisor,
        mentor=mentor,
        notes={"approach": SECRET, "theology": SECRET},
        actions=[{"text": SECRET, "owner": "mentor", "due_on": timezone.localdate()}],
        **fields,
    )


def test_notes_and_actions_are_encrypted_and_never_in_audit_or_notifications(
    django_capture_on_commit_callbacks,
):
    supervisor = make_supervisor()
    mentor = make_matchable_mentor(user=create_user("mentor"))
    assign(mentor, supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        record = _record(mentor, supervisor)
    assert SupervisionRecord.objects.get(pk=record.pk).approach == SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT approach, theology FROM supervision_supervisionrecord")
        raw = cursor.fetchall()
        cursor.execute("SELECT text FROM supervision_supervisionaction")
        raw += cursor.fetchall()
    assert raw and all("martyrdom" not in str(value) for row in raw for value in row)
    assert SupervisionAction.objects.get(record=record).text == SECRET
    texts = [n.message for n in Notification.objects.all()] + [
        f"{e.action} {e.reason} {e.changed_fields}" for e in AuditEvent.objects.all()
    ]
    assert texts and all("martyrdom" not in t for t in texts)


def test_only_the_current_supervisor_records_and_not_in_the_future():
    supervisor = make_supervisor()
    mentor = make_matchable_mentor()
    assign(mentor, supervisor)
    with pytest.raises(services.SupervisionRefused):
        _record(mentor, make_supervisor())
    with pytest.raises(services.SupervisionRefused):
        _record(mentor, supervisor, held_on=timezone.localdate() + dt.timedelta(days=1))


def test_a_low_wellbeing_score_alerts_the_supervisor_without_the_answers(
    django_capture_on_commit_callbacks,
):
    supervisor = make_supervisor()
    user = create_user("mentor")
    mentor = make_matchable_mentor(user=user)
    assign(mentor, supervisor)
    good = dict.fromkeys(["drained", "intrusive", "numb", "on_edge", "alone"], 4)
    with django_capture_on_commit_callbacks(execute=True):
        fine = services.wellbeing_check_in(actor=user, mentor=mentor, answers=good)
    assert not fine.is_low and fine.total == 20
    assert not Notification.objects.filter(user=supervisor).exists() and not mail.outbox
    low = {**good, "intrusive": 1}
    with django_capture_on_commit_callbacks(execute=True):
        checkin = services.wellbeing_check_in(actor=user, mentor=mentor, answers=low)
    assert checkin.is_low
    (note,) = Notification.objects.filter(user=supervisor)
    assert "low wellbeing" in note.message
    (email,) = mail.outbox
    assert email.to == [supervisor.email]
    # No score in the email (names may hold any digits, so the score as a word).
    assert not re.search(r"\b17\b", email.body) and "of 25" not in email.body


def test_the_policy_threshold_decides_what_is_low():
    user = create_user("mentor")
    mentor = make_matchable_mentor(user=user)
    SupervisionPolicy.objects.filter(pk=1).update(low_wellbeing_total=15)
    answers = dict.fromkeys(["drained", "intrusive", "numb", "on_edge", "alone"], 3)
    assert services.wellbeing_check_in(actor=user, mentor=mentor, answers=answers).is_low
    with pytest.raises(services.SupervisionRefused):
        services.wellbeing_check_in(actor=create_user("mentor"), mentor=mentor, answers=answers)


def test_a_debrief_is_required_once_per_source_and_met_by_a_debrief():
    supervisor = make_supervisor()
    mentor = make_matchable_mentor()
    assign(mentor, supervisor)
    first = services.debrief_require(
        mentor=mentor, reason_code="concern.risk_to_others", source="safeguarding.concern:7"
    )
    again = services.debrief_require(
        mentor=mentor, reason_code="concern.risk_to_others", source="safeguarding.concern:7"
    )
    assert first.pk == again.pk and DebriefRequirement.objects.count() == 1
    assert first.due_by == timezone.localdate() + dt.timedelta(days=7)
    _record(mentor, supervisor, kind=SupervisionKind.INDIVIDUAL)
    assert DebriefRequirement.objects.get().met_by is None
    record = _record(mentor, supervisor, kind=SupervisionKind.DEBRIEF)
    assert DebriefRequirement.objects.get().met_by == record


def test_reminders_are_sent_once_before_and_once_after_the_due_date(
    django_capture_on_commit_callbacks,
):
    supervisor = make_supervisor()
    mentor = make_matchable_mentor(user=create_user("mentor"))
    assign(mentor, supervisor, started_on=timezone.localdate() - dt.timedelta(weeks=6, days=-3))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("supervision_reminders", stdout=io.StringIO())
        call_command("supervision_reminders", stdout=io.StringIO())
    assert list(SupervisionReminder.objects.values_list("kind", flat=True)) == ["due_soon"]
    assert len(mail.outbox) == 2  # the mentor and the supervisor, once
    later = timezone.localdate() + dt.timedelta(days=10)
    assert services.supervision_reminders_send(today=later) == {"due_soon": 0, "overdue": 1}
    assert services.supervision_reminders_send(today=later) == {"due_soon": 0, "overdue": 0}


def test_the_policy_change_is_audited_by_field():
    coordinator = create_user("coordinator")
    trainee = LevelRule.objects.get(level__code="trainee")
    changed = services.supervision_policy_update(
        actor=coordinator,
        data={"reminder_days": 10, "debrief_days": 7, "low_wellbeing_total": 13},
        levels={trainee.level_id: {"frequency_weeks": 3, "format": "group", "caseload_cap": 2}},
    )
    assert changed == ["reminder_days", "level.trainee.frequency_weeks", "level.trainee.format"]
    event = AuditEvent.objects.get(action="supervision.policy_change")
    assert sorted(event.changed_fields) == sorted(changed)
    assert Mentor.objects.count() == 0
