"""Test data for the mentor register. ``make_matchable_mentor`` builds a mentor who
passes every rule today; tests then break one rule at a time."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from conftest import create_user
from tandem.mentors.models import (
    Accreditation,
    AccreditationLevel,
    ApplicationSource,
    CheckOutcome,
    CodeAcceptance,
    CodeOfConduct,
    Mentor,
    MentorStatus,
    VettingCheck,
    VettingCheckType,
)

_n = itertools.count(1)


def coordinator():
    return create_user("coordinator")


def make_mentor(*, status=MentorStatus.APPLICANT, **fields) -> Mentor:
    n = next(_n)
    fields.setdefault("full_name", f"Mentor {n}")
    fields.setdefault("email", f"mentor{n}@example.org")
    fields.setdefault("source", ApplicationSource.COORDINATOR)
    fields.setdefault("caseload_cap", 2)
    return Mentor.objects.create(status=status, **fields)


def pass_all_checks(mentor: Mentor, *, on: dt.date | None = None, by=None) -> list[VettingCheck]:
    on = on or timezone.localdate() - dt.timedelta(days=30)
    by = by or coordinator()
    checks = []
    for check_type in VettingCheckType.objects.filter(is_active=True):
        expires = (
            on + dt.timedelta(days=check_type.validity_days) if check_type.validity_days else None
        )
        checks.append(
            VettingCheck.objects.create(
                mentor=mentor,
                check_type=check_type,
                outcome=CheckOutcome.PASSED,
                checked_on=on,
                expires_on=expires,
                verifier="Vetting officer",
                reference_number=f"REF-{mentor.pk}-{check_type.pk}",
                recorded_by=by,
            )
        )
    return checks


def accredit(mentor: Mentor, *, level_code="accredited", on: dt.date | None = None, by=None):
    on = on or timezone.localdate() - dt.timedelta(days=10)
    level = AccreditationLevel.objects.get(code=level_code)
    return Accreditation.objects.create(
        mentor=mentor,
        level=level,
        awarded_on=on,
        expires_on=on + dt.timedelta(days=30 * level.validity_months),
        awarded_by=by or coordinator(),
    )


def accept_code(mentor: Mentor) -> CodeAcceptance:
    code = CodeOfConduct.objects.latest()
    return CodeAcceptance.objects.create(mentor=mentor, code=code)


def make_matchable_mentor(**fields) -> Mentor:
    by = fields.pop("by", None) or coordinator()
    mentor = make_mentor(status=MentorStatus.ACTIVE, **fields)
    pass_all_checks(mentor, by=by)
    accredit(mentor, by=by)
    accept_code(mentor)
    return mentor
