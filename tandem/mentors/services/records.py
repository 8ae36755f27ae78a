"""Writes to a mentor's vetting, training, accreditation and quality-assurance records.

Each function is keyword-only, takes the acting user, runs in one transaction and
records an audit event against the mentor naming the fields written (never their
values). A request the rules refuse raises ``RecordRefused`` with a message that is
safe to show; forms check the same things first so the message is rarely seen.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.core.dates import long_date

from ..models import (
    Accreditation,
    AccreditationLevel,
    CheckOutcome,
    FeedbackRecord,
    FeedbackSource,
    Mentor,
    MentorStatus,
    ObservationRating,
    ObservedPractice,
    TrainingCompletion,
    TrainingModule,
    VettingCheck,
    VettingCheckType,
)
from ..quality import level_check, supervised_session_count
from .pipeline import mentor_transition

MAX_CPD_HOURS = Decimal(200)


class RecordRefused(Exception):
    """A record the rules do not allow; the message is safe to show."""


class AccreditationRefused(RecordRefused):
    """The mentor does not meet the level's requirements; ``unmet`` lists each one."""

    def __init__(self, level: AccreditationLevel, unmet: list[str]):
        self.level = level
        self.unmet = unmet
        super().__init__(f"The mentor does not meet the requirements for {level.name}.")


def _not_future(date: dt.date, what: str) -> None:
    if date > timezone.localdate():
        raise RecordRefused(f"{what} must be today or in the past.")


def _locked(mentor: Mentor) -> Mentor:
    """The mentor row locked until the transaction ends: writes to one mentor's records
    queue behind each other, so checks made before a write still hold when it lands."""
    return Mentor.objects.select_for_update().get(pk=mentor.pk)


def default_check_expiry(check_type: VettingCheckType, checked_on: dt.date) -> dt.date | None:
    if not check_type.validity_days:
        return None
    return checked_on + dt.timedelta(days=check_type.validity_days)


# Vetting -------------------------------------------------------------------------------


@transaction.atomic
def check_record(
    *,
    actor,
    mentor: Mentor,
    check_type: VettingCheckType,
    outcome: str,
    checked_on: dt.date,
    verifier: str,
    reference_number: str = "",
    failure_reason: str = "",
    expires_on: dt.date | None = None,
    request=None,
) -> VettingCheck:
    """Record a vetting check. A passed check expires after the type's validity period
    unless ``expires_on`` names a later date explicitly; a failed one must say why."""
    if outcome not in CheckOutcome.values:
        raise RecordRefused("Choose whether the check passed, failed or is pending.")
    if not check_type.is_active:
        raise RecordRefused(f"{check_type.name} checks are no longer in use.")
    _not_future(checked_on, "The date the check was done")
    verifier = verifier.strip()
    if not verifier:
        raise RecordRefused("Enter who carried out or verified the check.")
    failure_reason = failure_reason.strip()
    if outcome == CheckOutcome.FAILED and not failure_reason:
        raise RecordRefused("Enter why the check failed.")
    if outcome != CheckOutcome.FAILED and failure_reason:
        raise RecordRefused("Only a failed check has a reason for failing.")
    if outcome == CheckOutcome.PASSED:
        if expires_on is None:
            expires_on = default_check_expiry(check_type, checked_on)
        elif expires_on <= checked_on:
            raise RecordRefused("The expiry date must be after the date the check was done.")
    elif expires_on is not None:
        raise RecordRefused("Only a passed check has an expiry date.")

    mentor = _locked(mentor)
    check = VettingCheck(
        mentor=mentor,
        check_type=check_type,
        outcome=outcome,
        checked_on=checked_on,
        expires_on=expires_on,
        verifier=verifier,
        reference_number=reference_number.strip(),
        failure_reason=failure_reason,
        recorded_by=actor,
    )
    check.save()
    fields = ["check_type", "outcome", "checked_on", "verifier"]
    fields += [
        name
        for name, value in (
            ("expires_on", expires_on),
            ("reference_number", check.reference_number),
            ("failure_reason", failure_reason),
        )
        if value
    ]
    record_event(
        actor=actor,
        action="mentor.check_record",
        obj=mentor,
        request=request,
        changed_fields=[f"checks.{name}" for name in fields],
    )
    return check


# Training ------------------------------------------------------------------------------


@transaction.atomic
def completion_record(
    *,
    actor,
    mentor: Mentor,
    module: TrainingModule,
    completed_on: dt.date,
    cpd_hours: Decimal | None = None,
    request=None,
) -> TrainingCompletion:
    """Record that the mentor completed a training module; CPD hours default to the
    module's."""
    _not_future(completed_on, "The date the module was completed")
    if cpd_hours is None:
        cpd_hours = module.cpd_hours
    if not (0 <= cpd_hours <= MAX_CPD_HOURS):
        raise RecordRefused(f"CPD hours must be between 0 and {MAX_CPD_HOURS}.")
    mentor = _locked(mentor)
    if TrainingCompletion.objects.filter(
        mentor=mentor, module=module, completed_on=completed_on
    ).exists():
        raise RecordRefused(
            f"A completion of {module.name} on {long_date(completed_on)} is already recorded."
        )
    completion = TrainingCompletion.objects.create(
        mentor=mentor,
        module=module,
        completed_on=completed_on,
        cpd_hours=cpd_hours,
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action="mentor.completion_record",
        obj=mentor,
        request=request,
        changed_fields=["completions.module", "completions.completed_on", "completions.cpd_hours"],
    )
    return completion


# Accreditation -------------------------------------------------------------------------

# Statuses in which a mentor can be awarded accreditation: a first award ends training;
# a later one renews (also during a pause). Others must change status first.
AWARDABLE = frozenset({MentorStatus.TRAINING, MentorStatus.ACTIVE, MentorStatus.PAUSED})


def check_level(mentor: Mentor, level: AccreditationLevel, on: dt.date):
    """The level's requirements for this mentor as they stood on ``on`` (reads the
    database; for showing many levels at once the views pass prefetched rows)."""
    return level_check(
        level=level,
        on=on,
        completions=list(mentor.completions.all()),
        observations=list(mentor.observations.all()),
        supervised_sessions=supervised_session_count(mentor, on),
    )


@transaction.atomic
def accreditation_award(
    *,
    actor,
    mentor: Mentor,
    level: AccreditationLevel,
    awarded_on: dt.date,
    note: str = "",
    request=None,
) -> Accreditation:
    """Award ``level`` from ``awarded_on`` for the level's validity in calendar months.

    Tandem checks the level's requirements as they stood on the award date and refuses
    with every unmet one (``AccreditationRefused.unmet``); the coordinator decides the
    rest. A mentor in training becomes active in the same transaction; for an active
    mentor the award is a renewal.
    """
    _not_future(awarded_on, "The award date")
    mentor = _locked(mentor)
    if mentor.status not in AWARDABLE:
        raise RecordRefused(
            f"A mentor whose status is {MentorStatus(mentor.status).label.lower()} cannot be "
            "awarded accreditation. Accreditation follows vetting and training."
        )
    result = check_level(mentor, level, awarded_on)
    if not result.met:
        raise AccreditationRefused(level, result.unmet)
    if Accreditation.objects.filter(
        mentor=mentor, level=level, awarded_on=awarded_on, revoked_on__isnull=True
    ).exists():
        raise RecordRefused(
            f"{level.name} accreditation from {long_date(awarded_on)} is already recorded."
        )
    renewal = mentor.status != MentorStatus.TRAINING
    accreditation = Accreditation.objects.create(
        mentor=mentor,
        level=level,
        awarded_on=awarded_on,
        expires_on=awarded_on + relativedelta(months=level.validity_months),
        awarded_by=actor,
        note=note.strip(),
    )
    record_event(
        actor=actor,
        action="mentor.accreditation_renew" if renewal else "mentor.accreditation_award",
        obj=mentor,
        request=request,
        changed_fields=[
            "accreditations.level",
            "accreditations.awarded_on",
            "accreditations.expires_on",
            *(["accreditations.note"] if accreditation.note else []),
        ],
    )
    if not renewal:
        mentor_transition(
            actor=actor,
            mentor=mentor,
            to_status=MentorStatus.ACTIVE,
            reason=f"Accredited as {level.name}",
            request=request,
        )
    return accreditation


@transaction.atomic
def accreditation_revoke(
    *, actor, accreditation: Accreditation, reason: str, request=None
) -> Accreditation:
    """Revoke an accreditation from today, saying why. The mentor stops being matchable
    (unless another accreditation is current); their status does not change."""
    reason = reason.strip()
    if not reason:
        raise RecordRefused("Enter why the accreditation is being revoked.")
    _locked(accreditation.mentor)
    accreditation = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
    if accreditation.revoked_on is not None:
        raise RecordRefused("This accreditation has already been revoked.")
    accreditation.revoked_on = timezone.localdate()
    accreditation.revoked_reason = reason
    accreditation.save(update_fields=["revoked_on", "revoked_reason"])
    record_event(
        actor=actor,
        action="mentor.accreditation_revoke",
        obj=accreditation.mentor,
        request=request,
        # The reason stays on the accreditation (erased with the mentor), not in the log.
        changed_fields=["accreditations.revoked_on", "accreditations.revoked_reason"],
    )
    return accreditation


# Quality assurance ---------------------------------------------------------------------


@transaction.atomic
def observation_record(
    *,
    actor,
    mentor: Mentor,
    observed_on: dt.date,
    observer: str,
    rating: str,
    notes: str = "",
    request=None,
) -> ObservedPractice:
    _not_future(observed_on, "The date of the observation")
    if rating not in ObservationRating.values:
        raise RecordRefused("Choose a rating.")
    observer = observer.strip()
    if not observer:
        raise RecordRefused("Enter who observed the practice.")
    mentor = _locked(mentor)
    observation = ObservedPractice(
        mentor=mentor,
        observed_on=observed_on,
        observer=observer,
        rating=rating,
        notes=notes.strip(),
        recorded_by=actor,
    )
    observation.save()
    record_event(
        actor=actor,
        action="mentor.observation_record",
        obj=mentor,
        request=request,
        changed_fields=[
            "observations.observed_on",
            "observations.observer",
            "observations.rating",
            *(["observations.notes"] if observation.notes else []),
        ],
    )
    return observation


@transaction.atomic
def feedback_record(
    *,
    actor,
    mentor: Mentor,
    received_on: dt.date,
    source: str,
    positive: bool,
    summary: str,
    request=None,
) -> FeedbackRecord:
    _not_future(received_on, "The date the feedback was received")
    if source not in FeedbackSource.values:
        raise RecordRefused("Choose who gave the feedback.")
    summary = summary.strip()
    if not summary:
        raise RecordRefused("Enter a summary of the feedback.")
    mentor = _locked(mentor)
    feedback = FeedbackRecord(
        mentor=mentor,
        received_on=received_on,
        source=source,
        positive=positive,
        summary=summary,
        recorded_by=actor,
    )
    feedback.save()
    record_event(
        actor=actor,
        action="mentor.feedback_record",
        obj=mentor,
        request=request,
        changed_fields=[
            "feedback.received_on",
            "feedback.source",
            "feedback.positive",
            "feedback.summary",
        ],
    )
    return feedback


__all__ = [
    "AccreditationRefused",
    "RecordRefused",
    "accreditation_award",
    "accreditation_revoke",
    "check_level",
    "check_record",
    "completion_record",
    "default_check_expiry",
    "feedback_record",
    "observation_record",
]
