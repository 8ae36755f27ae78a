"""Test data for referrals, screening, consent and the lifecycle: the answers of a
referral (for the service and for the form), and a case moved on through the real
services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import create_user
from tandem.cases.models import Case
from tandem.cases.services.referrals import referral_submit
from tandem.cases.services.screening import consent_record, screening_record
from tandem.catalogues.models import Area, ConcernType, Language, ReferralSource


def coordinator(**extra):
    return create_user("coordinator", **extra)


def referrer(**extra):
    return create_user("referrer", **extra)


def years_ago(years: int, *, days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)


def referral_data(**overrides) -> dict:
    """The answers ``referral_submit`` takes, for an adult by default."""
    data = {
        "first_name": "Sam",
        "last_name": "Carter",
        "date_of_birth": years_ago(25, days=10),
        "gender": "male",
        "area": Area.objects.order_by("name").first(),
        "guardian_name": "",
        "guardian_relationship": "",
        "guardian_contact": "",
        "reason": "Posting support for a proscribed group; family worried.",
        "concern_type": ConcernType.objects.filter(is_active=True).order_by("position").first(),
        "urgency": "routine",
        "other_agencies": "",
        "languages": [Language.objects.get(name="English")],
        "interpreter_needed": False,
        "accessibility_needs": "",
        "mentor_gender_preference": "any",
        "preferred_language": None,
        "faith_preference": "",
        "accepts_online": True,
        "referral_source": ReferralSource.objects.get(code="police"),
        "referrer_organisation": "West Midlands Police",
    }
    data.update(overrides)
    return data


def child_data(**overrides) -> dict:
    return referral_data(
        **{
            "first_name": "Jo",
            "last_name": "Bloggs",
            "date_of_birth": years_ago(15, days=40),
            "guardian_name": "Pat Bloggs",
            "guardian_relationship": "Mother",
            "guardian_contact": "07700 900111",
            "referral_source": ReferralSource.objects.get(code="school"),
            "referrer_organisation": "Example Academy",
            **overrides,
        }
    )


def form_data(**overrides) -> dict:
    """The referral form as a browser posts it."""
    data = {
        "first_name": "Sam",
        "last_name": "Carter",
        "date_of_birth": years_ago(25, days=10).strftime("%d/%m/%Y"),
        "gender": "male",
        "area": str(Area.objects.order_by("name").first().pk),
        "reason": "Posting support for a proscribed group; family worried.",
        "concern_type": str(
            ConcernType.objects.filter(is_active=True).order_by("position").first().pk
        ),
        "urgency": "routine",
        "languages": [str(Language.objects.get(name="English").pk)],
        "mentor_gender_preference": "any",
        "preferred_language": "",
        "accepts_online": "yes",
        "referral_source": str(ReferralSource.objects.get(code="police").pk),
        "referrer_organisation": "West Midlands Police",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def refer(*, by=None, **overrides) -> Case:
    return referral_submit(actor=by or referrer(), data=referral_data(**overrides))


def refer_child(*, by=None, **overrides) -> Case:
    return referral_submit(actor=by or referrer(), data=child_data(**overrides))


def screened_in(case: Case, *, by=None) -> Case:
    """Screen ``case`` in (clear vulnerability) and record consent: it reaches assessment."""
    by = by or coordinator()
    case = screening_record(actor=by, case=case, outcome="clear", notes="Screened.")
    consent_record(
        actor=by,
        case=case,
        decision="given",
        given_by="parent" if case.is_child else "person",
        giver_name="Pat Bloggs" if case.is_child else "Sam Carter",
        decided_on=timezone.localdate(),
        method="in_person",
    )
    case.refresh_from_db()
    return case


def post_referral(client, data: dict):
    """Send a referral as a browser does: the form, then "check your answers". Returns
    the answer to the confirmation (or to the form, when it had errors)."""
    from django.urls import reverse

    answered = client.post(reverse("cases:refer"), data)
    if answered.status_code != 302:
        return answered
    assert answered["Location"] == reverse("cases:refer_check")
    return client.post(reverse("cases:refer_check"))
