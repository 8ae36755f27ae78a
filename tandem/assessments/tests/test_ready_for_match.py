"""A case waits for a match only with consent in force and a current assessment: the
lifecycle refuses "ready for a match" otherwise, saying what is missing, and the case
page's guidance follows the assessment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.assessments.selectors import has_current_assessment
from tandem.cases.guidance import case_facts
from tandem.cases.models import CaseStatus
from tandem.cases.services.lifecycle import LifecycleRefused, case_change_status
from tandem.cases.tests.factories import consented

from .factories_assessments import assessment_case, coordinator, record

pytestmark = pytest.mark.django_db

CONSENT = "Record the person's consent: none is in force."
ASSESSMENT = "Complete an assessment of the person: the case has none yet."


def test_without_consent_or_assessment_both_are_named():
    case = assessment_case()
    with pytest.raises(LifecycleRefused) as refusal:
        case_change_status(actor=coordinator(), case=case, action="complete_assessment")
    assert str(refusal.value) == (
        "The case cannot be moved by “ready for a match” yet. " + CONSENT + " " + ASSESSMENT
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_with_consent_but_no_assessment_only_the_assessment_is_named():
    case = consented(assessment_case())
    with pytest.raises(LifecycleRefused) as refusal:
        case_change_status(actor=coordinator(), case=case, action="complete_assessment")
    assert CONSENT not in str(refusal.value) and ASSESSMENT in str(refusal.value)


def test_with_consent_and_an_assessment_the_case_waits_for_a_match():
    case = consented(assessment_case())
    record(case)
    assert has_current_assessment(case)
    moved = case_change_status(actor=coordinator(), case=case, action="complete_assessment")
    assert moved.status == CaseStatus.AWAITING_MATCH


def test_the_status_page_shows_what_is_missing_and_keeps_the_case_as_it_was(client, signed_in):
    case = consented(assessment_case())
    signed_in(coordinator())

    response = client.post(
        reverse("cases:act", kwargs={"pk": case.pk}),
        {"action": "complete_assessment", "reason": "", "version": case.version},
    )

    assert response.status_code == 200
    assert "Complete an assessment of the person: the case has none yet." in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_the_guidance_knows_whether_the_case_was_assessed(client, signed_in):
    case = consented(assessment_case(screening_outcome="clear"))
    assert case_facts(case).assessed is False
    record(case)
    assert case_facts(case).assessed is True
    signed_in(coordinator())
    html = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert f'href="{reverse("cases:plan_edit", kwargs={"pk": case.pk})}"' in html
    assert ">Write the plan</a>" in html
