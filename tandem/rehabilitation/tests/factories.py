"""Test data for the rehabilitation pathway."""

from __future__ import annotations

import datetime as dt

from conftest import create_user
from tandem.cases.models import Case, Pathway
from tandem.catalogues.models import Area
from tandem.meetings.tests.factories import working_match

from ..models import ConditionKind, CustodyStatus, LicenceCondition, RehabilitationRecord


def rehab_match(**fields):
    """A working match whose case is on the rehabilitation pathway."""
    match = working_match(**fields)
    Case.objects.filter(pk=match.case_id).update(pathway=Pathway.REHABILITATION)
    match.case.refresh_from_db()
    return match


def make_record(case, *, status=CustodyStatus.ON_LICENCE, release=None, **fields):
    return RehabilitationRecord.objects.create(
        case=case,
        custody_status=status,
        expected_release_date=release,
        establishment=fields.pop("establishment", "HMP Example"),
        offender_manager_name=fields.pop("offender_manager_name", "Pat Officer"),
        updated_by=fields.pop("updated_by", None) or create_user("coordinator"),
        **fields,
    )


def exclusion(case, area_name="Coventry"):
    return LicenceCondition.objects.create(
        case=case,
        kind=ConditionKind.EXCLUSION_ZONE,
        area=Area.objects.get(name=area_name),
        details="Not to enter without approval.",
        added_by=create_user("coordinator"),
    )


def non_association(case, names="Daniel Whitfield\nMarcus Tolland", **fields):
    return LicenceCondition.objects.create(
        case=case,
        kind=ConditionKind.NON_ASSOCIATION,
        names=names,
        added_by=create_user("coordinator"),
        **fields,
    )


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
