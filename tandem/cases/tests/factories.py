"""Test data for cases. ``make_case`` builds a referred case; tests move it on with
the lifecycle services (or ``at_status`` for a case already in a given state)."""

from __future__ import annotations

import itertools

from django.utils import timezone

from conftest import create_user
from tandem.cases.models import Case, CaseStatus, Consent, Urgency
from tandem.cases.services.lifecycle import reference_allocate
from tandem.catalogues.models import ConcernType, ReferralSource

_n = itertools.count(1)


def make_case(*, referred_by=None, status=CaseStatus.REFERRED, **fields) -> Case:
    n = next(_n)
    fields.setdefault("first_name", f"Client{n}")
    fields.setdefault("last_name", "Example")
    fields.setdefault("date_of_birth", "2009-05-17")
    fields.setdefault("age_at_referral", 17)
    fields.setdefault("gender", "male")
    fields.setdefault("reason", "Sharing extremist material online; teachers worried.")
    fields.setdefault("concern_type", ConcernType.objects.order_by("position").first())
    fields.setdefault("urgency", Urgency.ROUTINE)
    fields.setdefault("referral_source", ReferralSource.objects.get(code="school"))
    fields.setdefault("referrer_organisation", "Example Academy")
    if status == CaseStatus.ON_HOLD:
        fields.setdefault("status_before_hold", CaseStatus.ASSESSMENT)
    if status == CaseStatus.CLOSED:
        fields.setdefault("closure_outcome", "completed")
    return Case.objects.create(
        reference=reference_allocate(),
        referred_by=referred_by or create_user("referrer"),
        status=status,
        **fields,
    )


def consented(case: Case, *, by=None) -> Case:
    """Give ``case`` a consent in force (the person's own), as recorded at screening."""
    Consent.objects.create(
        case=case,
        decision="given",
        given_by="person",
        giver_name="Sam Carter",
        decided_on=timezone.localdate(),
        method="in_person",
        recorded_by=by or create_user("coordinator"),
    )
    return case
