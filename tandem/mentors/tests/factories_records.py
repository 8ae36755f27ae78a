"""Test data for vetting, training, accreditation and quality-assurance records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tandem.mentors.models import (
    CheckOutcome,
    FeedbackRecord,
    FeedbackSource,
    ObservationRating,
    ObservedPractice,
    TrainingCompletion,
    TrainingModule,
    VettingCheck,
    VettingCheckType,
)

from .factories import coordinator


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def add_check(mentor, code="identity", *, outcome=CheckOutcome.PASSED, on=None, by=None, **kw):
    kw.setdefault("verifier", "Vetting officer")
    if outcome == CheckOutcome.FAILED:
        kw.setdefault("failure_reason", "Did not attend")
    return VettingCheck.objects.create(
        mentor=mentor,
        check_type=VettingCheckType.objects.get(code=code),
        outcome=outcome,
        checked_on=on or days_ago(10),
        recorded_by=by or coordinator(),
        **kw,
    )


def complete(mentor, *codes, on=None, by=None, hours=None) -> list[TrainingCompletion]:
    by = by or coordinator()
    done = []
    for code in codes:
        module = TrainingModule.objects.get(code=code)
        done.append(
            TrainingCompletion.objects.create(
                mentor=mentor,
                module=module,
                completed_on=on or days_ago(20),
                cpd_hours=module.cpd_hours if hours is None else Decimal(hours),
                recorded_by=by,
            )
        )
    return done


def complete_all(mentor, **kw) -> list[TrainingCompletion]:
    codes = TrainingModule.objects.filter(is_active=True).values_list("code", flat=True)
    return complete(mentor, *codes, **kw)


def observe(mentor, rating=ObservationRating.GOOD, *, on=None, by=None, notes="Warm, clear"):
    observation = ObservedPractice(
        mentor=mentor,
        observed_on=on or days_ago(30),
        observer="Senior practitioner",
        rating=rating,
        notes=notes,
        recorded_by=by or coordinator(),
    )
    observation.save()
    return observation


def give_feedback(mentor, *, positive=True, on=None, by=None, summary="Helpful sessions"):
    feedback = FeedbackRecord(
        mentor=mentor,
        received_on=on or days_ago(5),
        source=FeedbackSource.REFERRER,
        positive=positive,
        summary=summary,
        recorded_by=by or coordinator(),
    )
    feedback.save()
    return feedback
