from io import StringIO

import pytest
from django.core.management import call_command

from tandem.safeguarding.models import Concern, ConcernStatus

pytestmark = pytest.mark.django_db


def test_demo_concerns_cover_every_state_one_overdue_and_one_escalated_with_a_reference():
    call_command("demo_data", stdout=StringIO())
    concerns = list(Concern.objects.all())
    assert {c.status for c in concerns} == set(ConcernStatus.values)
    assert sum(c.is_overdue() for c in concerns) == 1
    escalated = Concern.objects.get(status=ConcernStatus.ESCALATED)
    assert escalated.escalations.get().agency_reference == "CSC/2026/0418"
    assert Concern.objects.filter(case__isnull=True).count() == 1
    closed = Concern.objects.get(status=ConcernStatus.CLOSED)
    assert closed.signed_off_by is not None and closed.outcome
    count = len(concerns)
    call_command("demo_data", stdout=StringIO())
    assert Concern.objects.count() == count
