"""Test data for information sharing, made through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import create_user
from tandem.cases.tests.factories import make_case

from .. import services
from ..models import LawfulBasis


def basis(code: str = "crime-prevention") -> LawfulBasis:
    return LawfulBasis.objects.get(code=code)


def police_request(case=None, *, by=None, **fields):
    fields.setdefault("kind", "police_request")
    fields.setdefault("requester_agency", "West Midlands Police")
    fields.setdefault("requester_person", "DC Jordan Hale")
    fields.setdefault("what_requested", "Dates of sessions in March and any mention of travel.")
    fields.setdefault("received_on", timezone.localdate() - dt.timedelta(days=2))
    return services.request_log(
        actor=by or create_user("coordinator"),
        case=case or make_case(),
        received=services.Received(**fields),
    )


def part_release(info, *, by=None):
    return services.request_decide(
        actor=by or create_user("data_protection_officer"),
        info_request=info,
        decision=services.Decision(
            decision="part_release",
            reasons="Session dates help a live investigation; the content is not needed.",
            exemption="crime",
            lawful_basis=basis(),
            to_release="Dates of the sessions held in March.",
            withheld="What was said in sessions: not necessary for the stated purpose.",
        ),
    )


def draft_report(case, *, by=None, audience="referrer", overall="Steady progress."):
    today = timezone.localdate()
    return services.report_compose(
        actor=by or create_user("coordinator"),
        case=case,
        audience=audience,
        period_start=today - dt.timedelta(days=90),
        period_end=today,
        overall=overall,
    )


def released_report(case, *, by=None, audience="referrer"):
    report = draft_report(case, by=by, audience=audience)
    return services.report_release(
        actor=by or create_user("coordinator"),
        report=report,
        recipient_agency=case.referrer_organisation,
        lawful_basis=basis("consent"),
    )
