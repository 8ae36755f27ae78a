"""A person whose processing is restricted (UK GDPR Article 18) is left out of the
analytics while the restriction stands, and counts again once it is lifted (the
evaluation export's own test is in test_export.py)."""

from __future__ import annotations

import pytest

from conftest import create_user
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.privacy.restrictions import restriction_lift, restriction_place
from tandem.reports import analytics

pytestmark = pytest.mark.django_db


def test_a_restricted_person_is_left_out_of_the_analytics_until_lifted():
    kept = make_case(status=CaseStatus.CLOSED)
    restricted = make_case(status=CaseStatus.CLOSED, gender="female")
    assert len(analytics.case_rows()) == 2
    officer = create_user("data_protection_officer")
    restriction_place(actor=officer, case=restricted, reason="Accuracy contested")
    rows = analytics.case_rows()
    assert len(rows) == 1
    assert rows[0]["age"] == kept.age_at_referral
    restriction_lift(actor=officer, case=restricted)
    assert len(analytics.case_rows()) == 2
