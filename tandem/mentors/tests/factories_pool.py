"""Mentors with every relation the pool pages read populated, for query-count tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tandem.catalogues.models import Area, Language, Specialism
from tandem.mentors.models import (
    AvailabilitySlot,
    DayPart,
    FeedbackRecord,
    FeedbackSource,
    MentorLanguage,
    MentorSpecialism,
    MentorStatus,
    ObservationRating,
    ObservedPractice,
    Proficiency,
    StatusChange,
    TrainingCompletion,
    TrainingModule,
)

from .factories import accept_code, accredit, coordinator, make_mentor, pass_all_checks


def add_profile(
    mentor,
    *,
    languages=(("English", Proficiency.FIRST),),
    areas=("Birmingham",),
    specialisms=("youth-work",),
):
    for name, proficiency in languages:
        MentorLanguage.objects.create(
            mentor=mentor, language=Language.objects.get(name=name), proficiency=proficiency
        )
    mentor.areas.add(*Area.objects.filter(name__in=areas))
    for code in specialisms:
        specialism = Specialism.objects.get(code=code)
        MentorSpecialism.objects.create(
            mentor=mentor,
            specialism=specialism,
            qualification="MA Islamic Studies" if specialism.requires_qualification else "",
        )
    return mentor


def make_full_mentor(*, by=None, status=MentorStatus.ACTIVE, **fields):
    """A mentor with languages, areas, specialisms, availability, checks, training,
    accreditation, observation, feedback, code acceptance and status history."""
    by = by or coordinator()
    mentor = make_mentor(status=status, **fields)
    add_profile(
        mentor,
        languages=(("English", Proficiency.FIRST), ("Urdu", Proficiency.FLUENT)),
        areas=("Birmingham", "Sandwell"),
        specialisms=("islamic-theology", "youth-work"),
    )
    AvailabilitySlot.objects.create(mentor=mentor, weekday=0, part=DayPart.EVENING)
    pass_all_checks(mentor, by=by)
    today = timezone.localdate()
    for module in TrainingModule.objects.all():
        TrainingCompletion.objects.create(
            mentor=mentor,
            module=module,
            completed_on=today - dt.timedelta(days=60),
            cpd_hours=module.cpd_hours,
            recorded_by=by,
        )
    accredit(mentor, by=by)
    accept_code(mentor)
    ObservedPractice.objects.create(
        mentor=mentor,
        observed_on=today - dt.timedelta(days=20),
        observer="Senior mentor",
        rating=ObservationRating.GOOD,
        recorded_by=by,
    )
    FeedbackRecord.objects.create(
        mentor=mentor,
        received_on=today - dt.timedelta(days=5),
        source=FeedbackSource.REFERRER,
        positive=True,
        summary="Reliable and well prepared.",
        recorded_by=by,
    )
    StatusChange.objects.create(mentor=mentor, from_status="", to_status=status, changed_by=by)
    return mentor
