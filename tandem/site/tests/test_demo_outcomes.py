import json
from io import StringIO

import pytest
from django.core.management import call_command

from tandem.cases.models import CaseStatus
from tandem.outcomes.models import AnswerLink, Respondent, Response

pytestmark = pytest.mark.django_db


def test_demo_cases_have_questionnaires_answered_over_time_once():
    call_command("demo_data", stdout=StringIO())
    responses = Response.objects.select_related("case", "version__instrument")
    respondents = set(responses.values_list("respondent", flat=True))
    assert respondents == {Respondent.PERSON, Respondent.REFERRER, Respondent.MENTOR}
    case = responses.filter(occasion="closure").first().case
    assert case.status == CaseStatus.CLOSED
    ons = [r for r in responses.filter(case=case) if r.version.instrument.key == "ons4"]
    assert len(ons) >= 2
    assert all(json.loads(r.scores)["answered"] == 4 for r in ons)
    assert (
        AnswerLink.objects.filter(used_at__isnull=False).count()
        == responses.filter(link__isnull=False).count()
    )
    count = Response.objects.count()
    call_command("demo_data", stdout=StringIO())
    assert Response.objects.count() == count
