from io import StringIO

import pytest
from django.core.management import call_command

from tandem.safeguarding.models import Concern, ConcernStatus, SafeguardingPolicy
from tandem.site.demo.accounts import DEMO_USERS

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


def test_the_demo_deputy_lead_is_named_in_the_policy_and_listed_with_its_secret():
    out = StringIO()
    call_command("demo_data", stdout=out)
    deputy = SafeguardingPolicy.current().deputy
    assert deputy.email == "deputy-safeguarding@tandem.example"
    spec = next(s for s in DEMO_USERS if s.email == deputy.email)
    assert f"{spec.email}  {spec.totp_secret}  Safeguarding lead" in out.getvalue()
    # A deputy the scheme has chosen since is kept.
    other = next(s for s in DEMO_USERS if s.email == "safeguarding@tandem.example")
    policy = SafeguardingPolicy.current()
    policy.deputy = deputy.__class__.objects.get(email=other.email)
    policy.save()
    call_command("demo_data", stdout=StringIO())
    assert SafeguardingPolicy.current().deputy.email == other.email
