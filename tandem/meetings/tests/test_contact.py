"""Contact monitoring: which cases are overdue and why, the coordinators' list and
check-ins, and the contact_alerts command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent
from tandem.core.models import Notification
from tandem.matching.models import MatchStatus

from ..contact_summary import FIELDS
from ..models import (
    ContactAlert,
    CoordinatorCheckIn,
    MatchContact,
    MeetingsPolicy,
    SessionStatus,
)
from ..selectors.monitoring import overdue_matches
from ..services.contact import contact_alerts_raise
from .factories import active_match, make_session

pytestmark = pytest.mark.django_db

HELD = SessionStatus.HELD
DNA = SessionStatus.DID_NOT_ATTEND


def overdue_ids():
    return {m.pk for m in overdue_matches(policy=MeetingsPolicy.current())}


# Who is overdue ---------------------------------------------------------------------------


def test_a_weekly_case_is_overdue_after_twice_its_frequency_without_a_held_session():
    recent = active_match()
    make_session(recent, days_ago=10, status=HELD)
    late = active_match()
    make_session(late, days_ago=15, status=HELD)
    make_session(late, days_ago=3, status=SessionStatus.CANCELLED, cancelled_by="person")
    assert overdue_ids() == {late.pk}


def test_without_a_held_session_the_gap_counts_from_the_start_of_the_match():
    active_match(started_days_ago=5)  # started recently: not overdue
    old = active_match(started_days_ago=20)
    assert overdue_ids() == {old.pk}


def test_each_frequency_has_its_own_rhythm_and_no_plan_means_fortnightly():
    monthly_ok = active_match(frequency="monthly", started_days_ago=200)
    make_session(monthly_ok, days_ago=50, status=HELD)
    monthly_late = active_match(frequency="monthly", started_days_ago=200)
    make_session(monthly_late, days_ago=61, status=HELD)
    no_plan_ok = active_match(frequency=None, started_days_ago=200)
    make_session(no_plan_ok, days_ago=20, status=HELD)
    no_plan_late = active_match(frequency=None, started_days_ago=200)
    make_session(no_plan_late, days_ago=29, status=HELD)
    assert overdue_ids() == {monthly_late.pk, no_plan_late.pk}


def test_the_gap_multiple_is_the_schemes_to_set():
    match = active_match(started_days_ago=20)
    make_session(match, days_ago=12, status=HELD)
    assert overdue_ids() == set()
    MeetingsPolicy.objects.filter(pk=1).update(gap_multiple=Decimal("1.5"))
    assert overdue_ids() == {match.pk}


def test_two_did_not_attends_in_a_row_make_a_case_overdue_and_a_held_session_ends_the_run():
    match = active_match(started_days_ago=10)
    make_session(match, days_ago=6, status=HELD)
    make_session(match, days_ago=4, status=DNA)
    assert overdue_ids() == set()
    make_session(match, days_ago=2, status=SessionStatus.CANCELLED, cancelled_by="mentor")
    make_session(match, days_ago=1, status=DNA)
    assert overdue_ids() == {match.pk}
    make_session(match, days_ago=0.5, status=HELD)
    assert overdue_ids() == set()


def test_only_active_matches_are_watched():
    match = active_match(started_days_ago=90)
    match.status = MatchStatus.ENDED
    match.end_reason = "completed"
    match.save()
    assert overdue_ids() == set()


def test_the_threshold_of_missed_sessions_is_the_schemes_to_set():
    match = active_match(started_days_ago=5)
    make_session(match, days_ago=1, status=DNA)
    assert overdue_ids() == set()
    MeetingsPolicy.objects.filter(pk=1).update(missed_in_a_row=1)
    assert overdue_ids() == {match.pk}


# The coordinators' list ------------------------------------------------------------------


def _overdue_cases(n: int) -> None:
    for i in range(n):
        match = active_match(frequency=("weekly", "monthly", None)[i % 3], started_days_ago=400)
        for days in (300, 200, 100):
            make_session(match, days_ago=days, status=HELD)
        make_session(match, days_ago=2, status=DNA)
        make_session(match, days_ago=1, status=DNA)
        CoordinatorCheckIn.objects.create(
            case=match.case, contacted="mentor", outcome="no_answer", recorded_by=match.proposed_by
        )


def test_the_list_shows_reference_mentor_days_rhythm_reason_and_latest_check_in(client, signed_in):
    match = active_match(frequency="fortnightly", started_days_ago=100)
    make_session(match, days_ago=40, status=HELD)
    make_session(match, days_ago=9, status=DNA)
    make_session(match, days_ago=2, status=DNA)
    coordinator = create_user("coordinator")
    CoordinatorCheckIn.objects.create(
        case=match.case, contacted="mentor", outcome="no_answer", recorded_by=coordinator
    )
    signed_in(coordinator)
    response = client.get(reverse("meetings:contact_overdue"))
    text = response.content.decode()
    assert response.status_code == 200
    assert match.case.reference in text and match.mentor.full_name in text
    assert ">40<" in text
    assert "Every two weeks" in text
    assert "No session held for more than 28 days" in text
    assert "Did not attend 2 times in a row" in text
    assert "The mentor: no answer" in text
    assert match.case.first_name not in text


def test_the_list_is_honest_when_nothing_is_overdue(client, signed_in):
    signed_in(create_user("coordinator"))
    response = client.get(reverse("meetings:contact_overdue"))
    assert "No case is overdue" in response.content.decode()


def test_the_list_reads_a_fixed_number_of_queries_whatever_the_number_of_cases(client, signed_in):
    signed_in(create_user("coordinator"))
    url = reverse("meetings:contact_overdue")
    _overdue_cases(2)
    client.get(url)  # warm caches (session, policy row)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _overdue_cases(12)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count("Record a check-in") == 14
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_a_mentor_may_not_see_the_list(client, signed_in):
    signed_in(create_user("mentor"))
    assert client.get(reverse("meetings:contact_overdue")).status_code == 403


# Check-ins -------------------------------------------------------------------------------


def test_a_coordinator_records_a_check_in_on_the_timeline_without_its_note(client, signed_in):
    match = active_match(started_days_ago=30)
    coordinator = create_user("coordinator")
    signed_in(coordinator)
    url = reverse("meetings:contact_check_in", args=[match.case.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"contacted": "mentor", "outcome": "reached", "note": "Mentor was ill; back Monday"}
    )
    assert response.status_code == 302
    check_in = CoordinatorCheckIn.objects.get(case=match.case)
    assert check_in.note == "Mentor was ill; back Monday" and check_in.recorded_by == coordinator
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM meetings_coordinatorcheckin")
        (stored,) = cursor.fetchone()
    assert "ill" not in stored
    event = CaseEvent.objects.get(case=match.case, kind="contact.check_in")
    assert (
        event.summary == "Coordinator check-in with the mentor: reached: contact is back on track"
    )
    audit = AuditEvent.objects.get(action="contact.check_in")
    assert sorted(audit.changed_fields) == ["contacted", "note", "outcome"]
    assert "ill" not in str(audit.reason)
    # The note is shown back on the page, and that read is audited.
    page = client.get(url).content.decode()
    assert "back Monday" in page
    assert AuditEvent.objects.filter(
        action="cases.case.view", object_id=str(match.case.pk)
    ).exists()


def test_a_bad_check_in_keeps_what_was_typed_and_says_what_is_wrong(client, signed_in):
    match = active_match()
    signed_in(create_user("coordinator"))
    url = reverse("meetings:contact_check_in", args=[match.case.pk])
    response = client.post(url, {"contacted": "the-pope", "outcome": "", "note": "Typed text"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Choose who you contacted" in text and "Choose what happened" in text
    assert "Typed text" in text
    assert not CoordinatorCheckIn.objects.exists()


def test_a_check_in_on_a_case_that_does_not_exist_is_404(client, signed_in):
    signed_in(create_user("coordinator"))
    for pk in (999999, 2**63):
        response = client.get(f"/meetings/contact/{pk}/check-in/")
        assert response.status_code == 404


# The scheduled alerts ---------------------------------------------------------------------


def test_contact_alerts_alert_each_gap_once_by_reference_only(django_capture_on_commit_callbacks):
    coordinators = [create_user("coordinator"), create_user("coordinator")]
    late = active_match(started_days_ago=60)
    make_session(late, days_ago=20, status=HELD)
    fine = active_match(started_days_ago=10)
    make_session(fine, days_ago=2, status=HELD)
    with django_capture_on_commit_callbacks(execute=True):
        first = contact_alerts_raise()
    assert [(a.case_id, a.kind, a.anchor) for a in first.raised] == [
        (late.case_id, "gap", f"held:{late.sessions.get().pk}")
    ]
    notes = Notification.objects.filter(user__in=coordinators)
    assert notes.count() == 2
    assert all(late.case.reference in n.message for n in notes)
    assert len(mail.outbox) == 2
    body = mail.outbox[0].body
    assert late.case.reference in body
    assert late.case.first_name not in body and late.case.last_name not in body
    assert AuditEvent.objects.filter(action="contact_alert.raise").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = contact_alerts_raise()
    assert again.raised == [] and ContactAlert.objects.count() == 1
    assert Notification.objects.count() == 2 and len(mail.outbox) == 2


def test_a_run_of_misses_is_one_gap_and_alerts_resolve_when_contact_resumes():
    match = active_match(started_days_ago=10)
    make_session(match, days_ago=5, status=HELD)
    first_miss = make_session(match, days_ago=3, status=DNA)
    make_session(match, days_ago=2, status=DNA)
    (alert,) = contact_alerts_raise().raised
    assert (alert.kind, alert.anchor) == ("missed", f"missed:{first_miss.pk}")
    make_session(match, days_ago=1, status=DNA)  # the same run goes on: no new alert
    assert contact_alerts_raise().raised == []

    make_session(match, days_ago=0.1, status=HELD)
    run = contact_alerts_raise()
    assert run.raised == [] and run.resolved == 1
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert AuditEvent.objects.filter(action="contact_alert.resolve").count() == 1


def test_a_new_gap_after_contact_resumed_is_alerted_again():
    match = active_match(started_days_ago=100)
    make_session(match, days_ago=60, status=HELD)
    assert len(contact_alerts_raise().raised) == 1
    make_session(match, days_ago=30, status=HELD)  # contact resumed, then lapsed again
    run = contact_alerts_raise()
    assert len(run.raised) == 1 and run.resolved == 1
    assert ContactAlert.objects.filter(resolved_at__isnull=True).count() == 1


def test_the_command_reports_what_it_did(capsys):
    active_match(started_days_ago=60)
    call_command("contact_alerts")
    out = capsys.readouterr().out
    assert "Contact alerts raised: 1; resolved: 0; contact summaries repaired: 0." in out
    call_command("contact_alerts")
    assert "Contact alerts raised: 0; resolved: 0;" in capsys.readouterr().out


# The stored summary ------------------------------------------------------------------------


def summary(match) -> tuple:
    row = MatchContact.objects.filter(match=match).values_list(*FIELDS).first()
    return row or (None, None, 0, None)


def test_the_summary_follows_every_change_to_a_session():
    match = active_match()
    assert summary(match) == (None, None, 0, None)
    held = make_session(match, days_ago=20, status=HELD)
    assert summary(match) == (held.starts_at, held.pk, 0, None)
    first_miss = make_session(match, days_ago=13, status=DNA)
    second_miss = make_session(match, days_ago=6, status=DNA)
    make_session(match, days_ago=2, status=SessionStatus.CANCELLED)
    assert summary(match) == (held.starts_at, held.pk, 2, first_miss.pk)
    # A correction: the first "missed" session was in fact held.
    first_miss.status, first_miss.approach = HELD, "befriending"
    first_miss.style = first_miss.engagement = first_miss.trust = 3
    first_miss.save()
    assert summary(match) == (first_miss.starts_at, first_miss.pk, 1, second_miss.pk)
    first_miss.delete()
    assert summary(match) == (held.starts_at, held.pk, 1, second_miss.pk)


def test_another_matchs_sessions_never_count():
    match, other = active_match(), active_match()
    make_session(other, days_ago=2, status=HELD)
    make_session(match, days_ago=5, status=DNA)
    assert summary(match)[:3] == (None, None, 1)


def test_a_save_of_what_the_summary_does_not_read_leaves_it_alone():
    session = make_session(active_match(), days_ago=2, status=HELD)
    session.duration_minutes = 90
    with CaptureQueriesContext(connection) as queries:
        session.save(update_fields=["duration_minutes"])
    assert not [q for q in queries if "meetings_matchcontact" in q["sql"]]
    session.status = DNA
    with CaptureQueriesContext(connection) as queries:
        session.save(update_fields=["status"])
    assert [q for q in queries if "meetings_matchcontact" in q["sql"]]
    assert summary(session.match)[2] == 1


def test_each_alerts_run_repairs_a_summary_that_drifted_before_it_reads_them():
    match = active_match(started_days_ago=60)
    make_session(match, days_ago=3, status=HELD)
    # A write that bypassed the model (a bulk load, a hand-made fix) left it stale.
    MatchContact.objects.filter(match=match).update(last_held_at=None, last_held=None)
    assert overdue_ids() == {match.pk}
    run = contact_alerts_raise()
    assert run.repaired == 1 and run.raised == []
    assert overdue_ids() == set()
    assert contact_alerts_raise().repaired == 0


def test_the_alert_times_are_the_runs(settings):
    match = active_match(started_days_ago=60)
    now = timezone.now() + dt.timedelta(minutes=1)
    (alert,) = contact_alerts_raise(now=now).raised
    assert alert.raised_at == now and alert.case_id == match.case_id


def test_the_list_sorts_by_column_on_the_server_with_a_fixed_number_of_queries(client, signed_in):
    signed_in(create_user("coordinator"))
    url = reverse("meetings:contact_overdue")
    _overdue_cases(3)

    def order(query):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + query)
        assert response.status_code == 200
        return [row.match.case.reference for row in response.context["rows"]], len(queries)

    default, default_queries = order("")
    reverse_order, reverse_queries = order("?sort=contact_desc")
    assert reverse_order == default[::-1]
    assert order("?sort=reference")[0] == sorted(default)
    assert order("?sort=contact_from")[0] == default  # not offered: the default order
    assert reverse_queries == default_queries
    html = client.get(url + "?sort=contact_desc").content.decode()
    assert 'data-module="moj-sortable-table"' in html
    assert (
        'class="govuk-table__header govuk-table__header--numeric" aria-sort="descending">'
        '<a class="govuk-link" href="?sort=contact">Days since contact' in html
    )
