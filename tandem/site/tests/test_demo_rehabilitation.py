from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tandem.cases.models import Case, Pathway
from tandem.rehabilitation.models import (
    IN_CUSTODY,
    CustodyStatus,
    CustodyVisit,
    LicenceCondition,
    PanelDecision,
    PanelMeeting,
    RehabilitationRecord,
)

pytestmark = pytest.mark.django_db


def test_about_one_case_in_six_is_on_the_rehabilitation_pathway_with_custody_licence_and_panel():
    call_command("demo_data", stdout=StringIO())
    total = Case.objects.count()
    rehab = Case.objects.filter(pathway=Pathway.REHABILITATION).count()
    assert total // 7 <= rehab <= total // 5
    assert RehabilitationRecord.objects.count() == rehab
    today = timezone.localdate()
    coming = RehabilitationRecord.objects.filter(
        custody_status__in=IN_CUSTODY, expected_release_date__gt=today
    )
    assert coming.exists()
    assert all((r.expected_release_date - today).days <= 42 for r in coming)
    on_licence = RehabilitationRecord.objects.filter(custody_status=CustodyStatus.ON_LICENCE)
    assert on_licence.exists()
    assert LicenceCondition.objects.filter(case__rehabilitation__in=on_licence).exists()
    assert CustodyVisit.objects.exists()
    decisions = set(PanelMeeting.objects.values_list("decision", flat=True))
    assert {PanelDecision.ADOPT, PanelDecision.SIGNPOST, ""} <= decisions

    call_command("demo_data", stdout=StringIO())
    assert Case.objects.filter(pathway=Pathway.REHABILITATION).count() == rehab
    assert RehabilitationRecord.objects.count() == rehab
