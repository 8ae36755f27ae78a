from io import StringIO

import pytest
from django.core.management import call_command

from tandem.site.demo.cases import DEMO_CASES

pytestmark = pytest.mark.django_db


def test_the_demo_data_command_reports_the_cases_it_created_then_creates_none():
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert f"Demo cases created: {len(DEMO_CASES)} (of {len(DEMO_CASES)})." in out.getvalue()
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert f"Demo cases created: 0 (of {len(DEMO_CASES)})." in out.getvalue()
