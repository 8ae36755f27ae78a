"""Services that write vetting, training, accreditation and quality-assurance records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from tandem.audit.models import AuditEvent
from tandem.mentors.models import (
    Accreditation,
    AccreditationLevel,
    CheckOutcome,
    FeedbackSource,
    MentorStatus,
    ObservationRating,
    StatusChange,
    TrainingModule,
    VettingCheck,
    VettingCheckType,
)
from tandem.mentors.services import records as services

from .factories import accredit, coordinator, make_mentor
from .factories_records import complete, complete_all, days_ago, observe

pytestmark = pytest.mark.django_db


def check_type(code):
    return VettingCheckType.objects.get(code=code)


def record(mentor, code="enhanced-dbs", **kw):
    kw.setdefault("outcome", CheckOutcome.PASSED)
    kw.setdefault("checked_on", dt.date(2026, 1, 10))
    kw.setdefault("verifier", "Disclosure service")
    return services.check_record(
        actor=kw.pop("actor", None) or coordinator(),
        mentor=mentor,
        check_type=check_type(code),
        **kw,
    )


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


# Vetting -------------------------------------------------------------------------------


def test_a_passed_check_expires_after_the_types_validity_period():
    check = record(make_mentor())
    assert check.expires_on == dt.date(2026, 1, 10) + dt.timedelta(days=3 * 365)


def test_a_passed_check_of_a_type_without_validity_does_not_expire():
    assert record(make_mentor(), "identity").expires_on is None


def test_a_coordinator_can_set_a_later_expiry_explicitly():
    check = record(make_mentor(), expires_on=dt.date(2027, 6, 1))
    assert check.expires_on == dt.date(2027, 6, 1)


def test_an_expiry_on_or_before_the_check_date_is_refused():
    with pytest.raises(services.RecordRefused, match="after the date the check was done"):
        record(make_mentor(), expires_on=dt.date(2026, 1, 10))


def test_a_failed_or_pending_check_has_no_expiry():
    mentor = make_mentor()
    failed = record(mentor, outcome=CheckOutcome.FAILED, failure_reason="Barred list match")
    pending = record(mentor, outcome=CheckOutcome.PENDING)
    assert failed.expires_on is None
    assert pending.expires_on is None
    with pytest.raises(services.RecordRefused, match="Only a passed check"):
        record(mentor, outcome=CheckOutcome.PENDING, expires_on=dt.date(2027, 1, 1))


def test_a_failed_check_without_a_reason_is_refused():
    with pytest.raises(services.RecordRefused, match="why the check failed"):
        record(make_mentor(), outcome=CheckOutcome.FAILED, failure_reason="   ")
    assert not VettingCheck.objects.exists()


def test_the_database_also_refuses_a_failed_check_without_a_reason():
    mentor = make_mentor()
    with pytest.raises(IntegrityError), transaction.atomic():
        VettingCheck.objects.create(
            mentor=mentor,
            check_type=check_type("interview"),
            outcome=CheckOutcome.FAILED,
            checked_on=days_ago(1),
            verifier="Panel",
            recorded_by=coordinator(),
        )


def test_a_check_dated_in_the_future_is_refused():
    with pytest.raises(services.RecordRefused, match="today or in the past"):
        record(make_mentor(), checked_on=days_ago(-1))


def test_recording_a_check_is_audited_with_field_names_only():
    mentor = make_mentor()
    actor = coordinator()
    record(mentor, actor=actor, reference_number="DBS-001122334455")
    event = AuditEvent.objects.get(action="mentor.check_record")
    assert event.actor == actor
    assert event.object_type == "mentors.mentor"
    assert event.object_id == str(mentor.pk)
    assert "checks.reference_number" in event.changed_fields
    assert "DBS-001122334455" not in repr(event.__dict__)


def test_the_reference_number_is_not_stored_in_plain_text():
    check = record(make_mentor(), reference_number="DBS-001122334455")
    stored = raw("mentors_vettingcheck", "reference_number", check.pk)
    assert "DBS-001122334455" not in stored
    assert stored.startswith("e1:")
    assert VettingCheck.objects.get(pk=check.pk).reference_number == "DBS-001122334455"


def test_an_inactive_check_type_cannot_be_recorded():
    VettingCheckType.objects.filter(code="security-vetting").update(is_active=False)
    with pytest.raises(services.RecordRefused, match="no longer in use"):
        record(make_mentor(), "security-vetting")


# Training ------------------------------------------------------------------------------


def completion(mentor, code="safeguarding", **kw):
    kw.setdefault("completed_on", days_ago(3))
    return services.completion_record(
        actor=coordinator(), mentor=mentor, module=TrainingModule.objects.get(code=code), **kw
    )


def test_cpd_hours_default_to_the_modules_hours():
    assert completion(make_mentor(), "mentoring-skills").cpd_hours == Decimal(12)


def test_cpd_hours_can_be_given():
    assert completion(make_mentor(), cpd_hours=Decimal("1.5")).cpd_hours == Decimal("1.5")


@pytest.mark.parametrize("hours", [Decimal("-0.5"), Decimal("200.5")])
def test_cpd_hours_out_of_range_are_refused(hours):
    with pytest.raises(services.RecordRefused, match="between 0 and 200"):
        completion(make_mentor(), cpd_hours=hours)


def test_a_completion_in_the_future_is_refused():
    with pytest.raises(services.RecordRefused, match="today or in the past"):
        completion(make_mentor(), completed_on=days_ago(-1))


def test_the_same_completion_twice_is_refused_with_a_message():
    mentor = make_mentor()
    completion(mentor)
    with pytest.raises(services.RecordRefused, match="already recorded"):
        completion(mentor)


def test_recording_a_completion_is_audited():
    mentor = make_mentor()
    completion(mentor)
    event = AuditEvent.objects.get(action="mentor.completion_record")
    assert event.object_id == str(mentor.pk)
    assert event.changed_fields == [
        "completions.completed_on",
        "completions.cpd_hours",
        "completions.module",
    ]


# Accreditation -------------------------------------------------------------------------


def award(mentor, code="trainee", on=None, **kw):
    return services.accreditation_award(
        actor=kw.pop("actor", None) or coordinator(),
        mentor=mentor,
        level=AccreditationLevel.objects.get(code=code),
        awarded_on=on or days_ago(0),
        **kw,
    )


def test_an_award_is_refused_listing_every_unmet_requirement():
    mentor = make_mentor(status=MentorStatus.TRAINING)
    complete(mentor, "safeguarding")
    with pytest.raises(services.AccreditationRefused) as refused:
        award(mentor, "accredited")
    unmet = refused.value.unmet
    assert len(unmet) == 2
    assert unmet[0].startswith("Required modules not completed: ")
    for name in ["Extremist ideologies", "Mentoring skills", "Ethics and boundaries"]:
        assert name in unmet[0]
    assert "Safeguarding" not in unmet[0]
    assert unmet[1].startswith("Observed practice: no observation rated good or outstanding")
    assert not Accreditation.objects.exists()
    assert status_of(mentor) == MentorStatus.TRAINING


def status_of(mentor):
    mentor.refresh_from_db(fields=["status"])
    return mentor.status


def test_the_senior_level_is_refused_without_enough_held_sessions():
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    complete_all(mentor)
    observe(mentor, ObservationRating.OUTSTANDING, on=days_ago(10))
    with pytest.raises(services.AccreditationRefused) as refused:
        award(mentor, "senior")
    assert refused.value.unmet == ["Supervised sessions: 0 of 20 recorded"]


def test_an_award_to_a_mentor_in_training_makes_them_active():
    mentor = make_mentor(status=MentorStatus.TRAINING)
    complete(mentor, "safeguarding", "prevention-duty", "data-protection", on=dt.date(2026, 1, 5))
    actor = coordinator()
    accreditation = award(mentor, "trainee", on=dt.date(2026, 1, 31), actor=actor)

    assert accreditation.expires_on == dt.date(2027, 1, 31)
    assert accreditation.awarded_by == actor
    assert status_of(mentor) == MentorStatus.ACTIVE
    change = StatusChange.objects.get(mentor=mentor)
    assert (change.from_status, change.to_status) == (MentorStatus.TRAINING, MentorStatus.ACTIVE)
    assert change.reason == "Accredited as Trainee"
    assert change.changed_by == actor
    actions = list(
        AuditEvent.objects.filter(object_id=str(mentor.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["mentor.accreditation_award", "mentor.status_change"]


def test_an_award_expires_after_the_levels_calendar_months_clamping_the_day():
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    complete_all(mentor, on=dt.date(2024, 1, 1))
    observe(mentor, ObservationRating.GOOD, on=dt.date(2024, 2, 1))
    accreditation = award(mentor, "accredited", on=dt.date(2024, 2, 29))
    assert accreditation.expires_on == dt.date(2026, 2, 28)


def test_an_award_to_an_active_mentor_is_a_renewal():
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    accredit(mentor, level_code="trainee", on=days_ago(300))
    complete(mentor, "safeguarding", "prevention-duty", "data-protection")
    renewed = award(mentor, "trainee")
    assert status_of(mentor) == MentorStatus.ACTIVE
    assert not StatusChange.objects.filter(mentor=mentor).exists()
    assert mentor.accreditations.count() == 2
    assert renewed.awarded_on == days_ago(0)
    assert AuditEvent.objects.filter(action="mentor.accreditation_renew").count() == 1


@pytest.mark.parametrize(
    "status",
    [MentorStatus.APPLICANT, MentorStatus.VETTING, MentorStatus.SUSPENDED, MentorStatus.LEFT],
)
def test_no_award_outside_training_or_active_service(status):
    mentor = make_mentor(status=status)
    complete(mentor, "safeguarding", "prevention-duty", "data-protection")
    with pytest.raises(services.RecordRefused, match="cannot be awarded"):
        award(mentor, "trainee")


def test_the_same_award_twice_is_refused():
    mentor = make_mentor(status=MentorStatus.TRAINING)
    complete(mentor, "safeguarding", "prevention-duty", "data-protection")
    award(mentor, "trainee")
    with pytest.raises(services.RecordRefused, match="already recorded"):
        award(mentor, "trainee")


def test_an_award_in_the_future_is_refused():
    mentor = make_mentor(status=MentorStatus.TRAINING)
    with pytest.raises(services.RecordRefused, match="today or in the past"):
        award(mentor, "trainee", on=days_ago(-1))


def test_revoking_needs_a_reason_and_is_audited():
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    accreditation = accredit(mentor)
    with pytest.raises(services.RecordRefused, match="why"):
        services.accreditation_revoke(actor=coordinator(), accreditation=accreditation, reason=" ")
    services.accreditation_revoke(
        actor=coordinator(), accreditation=accreditation, reason="Breach of boundaries"
    )
    accreditation.refresh_from_db()
    assert accreditation.revoked_on == days_ago(0)
    assert accreditation.revoked_reason == "Breach of boundaries"
    assert AuditEvent.objects.filter(action="mentor.accreditation_revoke").count() == 1
    with pytest.raises(services.RecordRefused, match="already"):
        services.accreditation_revoke(actor=coordinator(), accreditation=accreditation, reason="x")


# Quality assurance ---------------------------------------------------------------------


def test_observation_notes_are_encrypted_and_the_record_audited():
    mentor = make_mentor()
    observation = services.observation_record(
        actor=coordinator(),
        mentor=mentor,
        observed_on=days_ago(2),
        observer="Practice lead",
        rating=ObservationRating.GOOD,
        notes="Handled a disclosure calmly",
    )
    stored = raw("mentors_observedpractice", "notes", observation.pk)
    assert "disclosure" not in stored
    assert stored.startswith("e1:")
    event = AuditEvent.objects.get(action="mentor.observation_record")
    assert "observations.notes" in event.changed_fields


def test_an_observation_in_the_future_is_refused():
    with pytest.raises(services.RecordRefused, match="today or in the past"):
        services.observation_record(
            actor=coordinator(),
            mentor=make_mentor(),
            observed_on=days_ago(-1),
            observer="Lead",
            rating=ObservationRating.GOOD,
        )


def test_feedback_summaries_are_encrypted_and_the_record_audited():
    mentor = make_mentor()
    feedback = services.feedback_record(
        actor=coordinator(),
        mentor=mentor,
        received_on=days_ago(1),
        source=FeedbackSource.CLIENT,
        positive=False,
        summary="Arrived late twice",
    )
    stored = raw("mentors_feedbackrecord", "summary", feedback.pk)
    assert "late" not in stored
    assert stored.startswith("e1:")
    assert AuditEvent.objects.get(action="mentor.feedback_record").object_id == str(mentor.pk)


def test_feedback_without_a_summary_is_refused():
    with pytest.raises(services.RecordRefused, match="summary"):
        services.feedback_record(
            actor=coordinator(),
            mentor=make_mentor(),
            received_on=days_ago(1),
            source=FeedbackSource.CLIENT,
            positive=True,
            summary=" ",
        )
