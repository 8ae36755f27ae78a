"""Reminders of expiring checks and accreditations: the right thresholds, never twice."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.core.models import Notification
from tandem.mentors import selectors
from tandem.mentors.models import (
    Accreditation,
    AccreditationLevel,
    CheckOutcome,
    ReminderSent,
    VettingCheck,
    VettingCheckType,
)
from tandem.mentors.services import reminders

from .factories import coordinator, make_mentor
from .factories_profile import mentor_with_account

pytestmark = pytest.mark.django_db

E = dt.date(2026, 10, 1)


def dbs(mentor, expires_on=E, *, outcome=CheckOutcome.PASSED, by=None, checked_on=None):
    return VettingCheck.objects.create(
        mentor=mentor,
        check_type=VettingCheckType.objects.get(code="enhanced-dbs"),
        outcome=outcome,
        checked_on=checked_on or expires_on - dt.timedelta(days=3 * 365),
        expires_on=expires_on,
        verifier="Vetting officer",
        reference_number="DBS-001234567890",
        failure_reason="Barred" if outcome == CheckOutcome.FAILED else "",
        recorded_by=by or create_user(),  # no role: not a recipient
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def _send(today):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.reminders_send(today=today)

    return _send


def test_reminders_go_at_60_30_and_7_days_before_and_on_expiry(send):
    boss = coordinator()
    user, mentor = mentor_with_account(full_name="Yusuf Ali")
    dbs(mentor, by=boss)
    sent_on = {}
    day = E - dt.timedelta(days=70)
    while day <= E + dt.timedelta(days=5):
        count = send(day)
        if count:
            sent_on[(E - day).days] = count
        day += dt.timedelta(days=1)
    assert sent_on == {60: 2, 30: 2, 7: 2, 0: 2}
    mine = list(Notification.objects.filter(user=user).order_by("pk"))
    assert [n.message for n in mine] == [
        "Your enhanced criminal-records check with barred list expires on 1 October 2026.",
        "Your enhanced criminal-records check with barred list expires on 1 October 2026.",
        "Your enhanced criminal-records check with barred list expires on 1 October 2026.",
        "Your enhanced criminal-records check with barred list expired on 1 October 2026.",
    ]
    assert mine[0].link == "/mentors/me/"
    theirs = Notification.objects.filter(user=boss).first()
    assert theirs.message.startswith("Yusuf Ali's enhanced criminal-records check")
    assert theirs.link == reverse("mentors:vetting", kwargs={"pk": mentor.pk})


def test_emails_say_what_expires_and_when_and_nothing_more(send):
    boss = coordinator()
    user, mentor = mentor_with_account(full_name="Yusuf Ali")
    dbs(mentor, by=boss)
    assert send(E - dt.timedelta(days=60)) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    own = by_address[user.email]
    assert own.subject == (
        "Reminder: your enhanced criminal-records check with barred list expires on 1 October 2026"
    )
    assert (
        "Your enhanced criminal-records check with barred list expires on 1 October 2026."
        in own.body
    )
    coordinator_mail = by_address[boss.email]
    assert "A mentor's enhanced criminal-records check" in coordinator_mail.body
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Yusuf" not in text and "DBS-001234567890" not in text


def test_running_twice_sends_nothing_new(send):
    coordinator()
    _, mentor = mentor_with_account()
    dbs(mentor)
    today = E - dt.timedelta(days=30)
    assert send(today) == 2
    assert send(today) == 0
    assert send(today + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2
    assert ReminderSent.objects.count() == 2


def test_a_check_first_seen_late_gets_only_the_most_urgent_reminder(send):
    _user, mentor = mentor_with_account()
    dbs(mentor)
    assert send(E - dt.timedelta(days=20)) == 1  # the 30-day reminder only
    assert send(E - dt.timedelta(days=19)) == 0
    assert ReminderSent.objects.get().key.endswith(":30")


def test_a_renewed_check_starts_its_reminders_afresh(send):
    _user, mentor = mentor_with_account()
    dbs(mentor)
    assert send(E - dt.timedelta(days=60)) == 1
    renewed_expiry = E + dt.timedelta(days=3 * 365)
    dbs(mentor, renewed_expiry, checked_on=E - dt.timedelta(days=40))
    assert send(E - dt.timedelta(days=30)) == 0  # the old check is no longer the latest
    assert send(E) == 0
    assert send(renewed_expiry - dt.timedelta(days=60)) == 1
    assert ReminderSent.objects.count() == 2


def test_a_corrected_expiry_date_is_a_new_reminder(send):
    _user, mentor = mentor_with_account()
    check = dbs(mentor)
    assert send(E - dt.timedelta(days=7)) == 1
    VettingCheck.objects.filter(pk=check.pk).update(expires_on=E + dt.timedelta(days=3))
    assert send(E - dt.timedelta(days=6)) == 1


def test_left_mentors_get_no_reminders(send):
    coordinator()
    _user, mentor = mentor_with_account(status="left")
    dbs(mentor)
    assert send(E - dt.timedelta(days=7)) == 0
    assert not Notification.objects.exists() and not mail.outbox


def test_paused_and_suspended_mentors_still_get_reminders(send):
    _, paused = mentor_with_account(status="paused")
    _, suspended = mentor_with_account(status="suspended")
    dbs(paused)
    dbs(suspended)
    assert send(E - dt.timedelta(days=7)) == 2


def test_recipients_are_the_mentors_active_account_and_active_coordinators(send, make_user):
    active_boss = coordinator()
    gone_boss = coordinator()
    gone_boss.is_active = False
    gone_boss.deactivated_at = timezone.now()
    gone_boss.save()
    user, mentor = mentor_with_account()
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save()
    dbs(mentor)
    no_account = make_mentor()
    dbs(no_account)
    assert send(E - dt.timedelta(days=7)) == 2  # the active coordinator, once per mentor
    assert set(Notification.objects.values_list("user_id", flat=True)) == {active_boss.pk}


def test_a_mentor_who_is_also_a_coordinator_is_told_once(send, make_user):
    user = make_user("mentor", "coordinator")
    mentor = make_mentor(user=user)
    dbs(mentor)
    assert send(E - dt.timedelta(days=7)) == 1
    assert Notification.objects.get().message.startswith("Your ")


def test_accreditations_are_reminded_and_revoked_ones_are_not(send):
    boss = coordinator()
    user, mentor = mentor_with_account()
    level = AccreditationLevel.objects.get(code="accredited")
    Accreditation.objects.create(
        mentor=mentor,
        level=level,
        awarded_on=E - dt.timedelta(days=720),
        expires_on=E,
        awarded_by=boss,
    )
    assert send(E - dt.timedelta(days=30)) == 2
    assert Notification.objects.filter(user=user).get().message == (
        "Your accreditation expires on 1 October 2026."
    )
    link = Notification.objects.filter(user=boss).get().link
    assert link == reverse("mentors:training", kwargs={"pk": mentor.pk})
    _, other = mentor_with_account()
    Accreditation.objects.create(
        mentor=other,
        level=level,
        awarded_on=E - dt.timedelta(days=720),
        expires_on=E,
        awarded_by=boss,
        revoked_on=E - dt.timedelta(days=100),
        revoked_reason="Misconduct",
    )
    assert send(E - dt.timedelta(days=7)) == 2  # the first mentor's 7-day reminder only


def test_a_later_accreditation_replaces_the_expiring_one(send):
    boss = coordinator()
    _, mentor = mentor_with_account()
    level = AccreditationLevel.objects.get(code="accredited")
    Accreditation.objects.create(
        mentor=mentor,
        level=level,
        awarded_on=E - dt.timedelta(days=700),
        expires_on=E,
        awarded_by=boss,
    )
    Accreditation.objects.create(
        mentor=mentor,
        level=level,
        awarded_on=E - dt.timedelta(days=40),
        expires_on=E + dt.timedelta(days=680),
        awarded_by=boss,
    )
    assert send(E - dt.timedelta(days=7)) == 0


def test_failed_pending_non_expiring_and_inactive_type_checks_are_not_reminded(send):
    _, mentor = mentor_with_account()
    dbs(mentor, outcome=CheckOutcome.PENDING)
    _, failed = mentor_with_account()
    dbs(failed, outcome=CheckOutcome.FAILED)
    _, retired = mentor_with_account()
    dbs(retired)
    VettingCheckType.objects.filter(code="enhanced-dbs").update(is_active=False)
    _, identity = mentor_with_account()
    VettingCheck.objects.create(
        mentor=identity,
        check_type=VettingCheckType.objects.get(code="identity"),
        outcome=CheckOutcome.PASSED,
        checked_on=E - dt.timedelta(days=10),
        verifier="x",
        recorded_by=create_user(),
    )
    assert send(E - dt.timedelta(days=7)) == 0


def test_expiries_long_past_are_not_announced(send):
    _, mentor = mentor_with_account()
    dbs(mentor)
    assert send(E + dt.timedelta(days=selectors.EXPIRED_GRACE_DAYS + 1)) == 0
    assert send(E + dt.timedelta(days=selectors.EXPIRED_GRACE_DAYS)) == 1


def test_a_concurrent_run_that_inserted_first_wins(send):
    """Another run inserted the ledger row after this run read the ledger: the insert
    fails and this run sends nothing."""
    user, mentor = mentor_with_account()
    check = dbs(mentor)
    key = f"check:{check.pk}:{E:%Y-%m-%d}:7"
    ReminderSent.objects.create(key=key, recipient=user)
    with mock.patch.object(reminders, "_already_sent", return_value=set()):
        assert send(E - dt.timedelta(days=7)) == 0
    assert not Notification.objects.exists() and not mail.outbox


def test_the_query_count_does_not_grow_with_the_number_of_mentors(
    django_assert_max_num_queries, send
):
    coordinator()
    coordinator()
    for _ in range(3):
        _, mentor = mentor_with_account()
        dbs(mentor)
    today = E - dt.timedelta(days=7)
    send(today)
    with django_assert_max_num_queries(20) as few:
        assert reminders.reminders_send(today=today) == 0
    for _ in range(12):
        _, mentor = mentor_with_account()
        dbs(mentor)
        Accreditation.objects.create(
            mentor=mentor,
            level=AccreditationLevel.objects.get(code="trainee"),
            awarded_on=E - dt.timedelta(days=300),
            expires_on=E,
            awarded_by=create_user(),
        )
    send(today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert reminders.reminders_send(today=today) == 0


def test_the_command_takes_a_date_and_reports_the_count(capsys, django_capture_on_commit_callbacks):
    _, mentor = mentor_with_account()
    dbs(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", (E - dt.timedelta(days=60)).isoformat())
    assert "Reminders sent: 1." in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "1/10/2026")


def test_the_command_defaults_to_today(capsys):
    call_command("send_reminders")
    assert "Reminders sent: 0." in capsys.readouterr().out
