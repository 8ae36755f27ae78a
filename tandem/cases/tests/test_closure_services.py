"""Closing a case with its outcome and closing report, the follow-ups scheduled 6 and 12
calendar months after closure, and recording a follow-up as done."""

import datetime as dt

import pytest
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.cadence import follow_up_dates
from tandem.cases.models import Case, CaseEvent, CaseStatus, FollowUp
from tandem.cases.services import plans as services
from tandem.cases.services.lifecycle import CaseConflict, LifecycleRefused, case_transition
from tandem.core.tests.encryption.rawsql import raw_column

from .factories_plans import close_case, coordinator, days_ago, fresh, open_case

pytestmark = pytest.mark.django_db


def closing_case(**fields):
    return open_case(status=CaseStatus.CLOSING, **fields)


# Month arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closed_on", "six", "twelve"),
    [
        (dt.date(2026, 3, 12), dt.date(2026, 9, 12), dt.date(2027, 3, 12)),
        (dt.date(2026, 8, 31), dt.date(2027, 2, 28), dt.date(2027, 8, 31)),
        (dt.date(2027, 8, 31), dt.date(2028, 2, 29), dt.date(2028, 8, 31)),  # leap year
        (dt.date(2026, 12, 31), dt.date(2027, 6, 30), dt.date(2027, 12, 31)),
        (dt.date(2028, 2, 29), dt.date(2028, 8, 29), dt.date(2029, 2, 28)),
        (dt.date(2026, 7, 1), dt.date(2027, 1, 1), dt.date(2027, 7, 1)),
    ],
)
def test_follow_ups_fall_whole_calendar_months_after_closure_clamped_to_month_ends(
    closed_on, six, twelve
):
    assert follow_up_dates(closed_on) == {"6m": six, "12m": twelve}


# Closing ---------------------------------------------------------------------------------


def test_closing_records_the_outcome_and_report_and_schedules_both_follow_ups():
    case = closing_case()
    actor = coordinator()
    closed_on = days_ago(5)
    services.case_close(
        actor=actor,
        case=case,
        outcome="partial",
        closing_report="Back in college; still isolated at weekends.",
        closed_on=closed_on,
        expected_version=case.version,
    )
    case = fresh(case)
    assert case.status == CaseStatus.CLOSED
    assert case.closure_outcome == "partial"
    assert case.closing_report == "Back in college; still isolated at weekends."
    assert case.closed_by == actor
    assert timezone.localdate(case.closed_at) == closed_on
    follow_ups = {f.kind: f.due_on for f in FollowUp.objects.filter(case=case)}
    assert follow_ups == follow_up_dates(closed_on)
    summaries = list(
        CaseEvent.objects.filter(case=case)
        .order_by("occurred_at", "pk")
        .values_list("summary", flat=True)
    )
    assert "Case closed (support completed, some goals met)" in summaries
    assert any(s.startswith("Follow-ups scheduled for ") for s in summaries)
    close_audit = AuditEvent.objects.get(action="case.close")
    assert {"closure_outcome", "closing_report", "closed_at", "closed_by"} <= set(
        close_audit.changed_fields
    )
    assert AuditEvent.objects.filter(action="case.follow_ups_schedule").exists()


def test_closing_today_stamps_the_current_time():
    case = closing_case()
    before = timezone.now()
    services.case_close(
        actor=coordinator(),
        case=case,
        outcome="completed",
        closing_report="Done.",
        expected_version=None,
    )
    assert fresh(case).closed_at >= before


@pytest.mark.parametrize(
    ("outcome", "report", "message"),
    [
        ("", "A report", "Select the outcome"),
        ("vanished", "A report", "Select the outcome"),
        ("completed", "", "Enter the closing report"),
        ("completed", "   ", "Enter the closing report"),
    ],
)
def test_closing_needs_an_outcome_and_a_report(outcome, report, message):
    case = closing_case()
    with pytest.raises(services.PlanRefused, match=message):
        services.case_close(
            actor=coordinator(),
            case=case,
            outcome=outcome,
            closing_report=report,
            expected_version=None,
        )
    assert fresh(case).status == CaseStatus.CLOSING
    assert not FollowUp.objects.filter(case=case).exists()


def test_only_a_closing_case_can_be_closed():
    case = open_case(status=CaseStatus.ACTIVE)
    with pytest.raises(LifecycleRefused):
        services.case_close(
            actor=coordinator(),
            case=case,
            outcome="completed",
            closing_report="Report",
            expected_version=None,
        )
    assert fresh(case).status == CaseStatus.ACTIVE
    assert not FollowUp.objects.filter(case=case).exists()


def test_the_closure_date_cannot_be_in_the_future_or_before_the_referral():
    case = closing_case()
    for closed_on, message in [
        (timezone.localdate() + dt.timedelta(days=1), "today or in the past"),
        (days_ago(400), "when the referral was received"),
    ]:
        with pytest.raises(services.PlanRefused, match=message):
            services.case_close(
                actor=coordinator(),
                case=case,
                outcome="completed",
                closing_report="Report",
                closed_on=closed_on,
                expected_version=None,
            )


def test_a_stale_closing_form_is_refused():
    case = closing_case()
    seen = case.version
    Case.objects.filter(pk=case.pk).update(version=seen + 1)  # someone else, meanwhile
    with pytest.raises(CaseConflict):
        services.case_close(
            actor=coordinator(),
            case=case,
            outcome="completed",
            closing_report="Report",
            expected_version=seen,
        )
    assert fresh(case).status == CaseStatus.CLOSING


def test_the_closing_report_is_encrypted_in_the_database():
    case = close_case(open_case(), closing_report="He told us about his cousin's group.")
    assert "cousin" not in str(raw_column(Case, "closing_report", case.pk))


def test_start_closing_then_close():
    case = open_case(status=CaseStatus.ACTIVE)
    actor = coordinator()
    case = case_transition(
        actor=actor, case=case, action="start_closing", expected_version=case.version
    )
    assert case.status == CaseStatus.CLOSING
    close_case(case, by=actor)
    assert fresh(case).status == CaseStatus.CLOSED
    assert FollowUp.objects.filter(case=case).count() == 2


# Follow-ups ------------------------------------------------------------------------------


def record(case, follow_up, **kwargs):
    kwargs.setdefault("completed_on", timezone.localdate())
    kwargs.setdefault("notes", "In work, no contact with the old group.")
    kwargs.setdefault("re_referred", False)
    return services.follow_up_record(
        actor=kwargs.pop("actor", None) or coordinator(),
        case=fresh(case),
        follow_up=follow_up,
        expected_version=kwargs.pop("expected_version", None),
        **kwargs,
    )


def test_recording_a_follow_up_marks_it_done_with_its_findings():
    case = close_case(open_case(), closed_on=days_ago(200))
    six = FollowUp.objects.get(case=case, kind="6m")
    actor = coordinator()
    record(case, six, actor=actor, completed_on=days_ago(15), re_referred=True)
    six.refresh_from_db()
    assert six.completed_on == days_ago(15)
    assert six.completed_by == actor
    assert six.re_referred is True
    assert six.notes == "In work, no contact with the old group."
    event = CaseEvent.objects.filter(case=case, kind="follow_up.recorded").get()
    assert event.summary == "Follow-up recorded (6 months after closure; referred again)"
    assert AuditEvent.objects.get(action="case.follow_up_record").object_id == str(six.pk)
    twelve = FollowUp.objects.get(case=case, kind="12m")
    assert twelve.completed_on is None


def test_a_follow_up_is_recorded_once():
    case = close_case(open_case(), closed_on=days_ago(200))
    six = FollowUp.objects.get(case=case, kind="6m")
    record(case, six)
    with pytest.raises(services.PlanRefused, match="already done"):
        record(case, six)


def test_a_follow_up_cannot_predate_the_closure_or_be_in_the_future():
    case = close_case(open_case(), closed_on=days_ago(20))
    six = FollowUp.objects.get(case=case, kind="6m")
    with pytest.raises(services.PlanRefused, match="when the case closed"):
        record(case, six, completed_on=days_ago(21))
    with pytest.raises(services.PlanRefused, match="today or in the past"):
        record(case, six, completed_on=timezone.localdate() + dt.timedelta(days=1))


def test_a_follow_up_needs_notes_and_a_re_referral_answer():
    case = close_case(open_case(), closed_on=days_ago(20))
    six = FollowUp.objects.get(case=case, kind="6m")
    with pytest.raises(services.PlanRefused, match="what the follow-up found"):
        record(case, six, notes="")
    with pytest.raises(services.PlanRefused, match="referred again"):
        record(case, six, re_referred=None)


def test_a_follow_up_of_another_case_cannot_be_recorded_through_this_one():
    case = close_case(open_case(), closed_on=days_ago(20))
    other = close_case(open_case(), closed_on=days_ago(20))
    theirs = FollowUp.objects.get(case=other, kind="6m")
    with pytest.raises(services.PlanRefused, match="not part of this case"):
        record(case, theirs)


def test_a_stale_follow_up_form_is_refused():
    case = close_case(open_case(), closed_on=days_ago(20))
    six = FollowUp.objects.get(case=case, kind="6m")
    seen = fresh(case).version
    Case.objects.filter(pk=case.pk).update(version=seen + 1)
    with pytest.raises(CaseConflict):
        record(case, six, expected_version=seen)


def test_follow_up_notes_are_encrypted_in_the_database():
    case = close_case(open_case(), closed_on=days_ago(20))
    six = FollowUp.objects.get(case=case, kind="6m")
    record(case, six, notes="Seen at the mosque youth club")
    assert "mosque" not in str(raw_column(FollowUp, "notes", six.pk))
