from io import StringIO

import pytest
from django.core.management import call_command

from tandem.privacy.models import Disclosure, InformationRequest, ProgressReport

pytestmark = pytest.mark.django_db


def test_the_demo_shares_a_released_report_with_the_referrer_and_answers_a_police_request():
    call_command("demo_data", stdout=StringIO())
    report = ProgressReport.objects.get()
    assert report.status == "released"
    assert report.case.referred_by.email == "referrer@tandem.example"
    assert Disclosure.objects.filter(report=report).exists()
    answered = InformationRequest.objects.get(status="answered")
    assert answered.decision == "part_release"
    assert Disclosure.objects.filter(request=answered).exists()
    assert InformationRequest.objects.filter(status="logged").exists()
    assert Disclosure.objects.filter(kind="court_order").exists()
    # Running it again changes nothing.
    before = Disclosure.objects.count()
    call_command("demo_data", stdout=StringIO())
    assert Disclosure.objects.count() == before
