"""Draft assessments: part of an assessment is saved ("Save and continue later") and
resumed; the draft is encrypted, audited and never counts as the case's assessment;
completing it records the assessment and removes the draft; the case page shows how
far it has got."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from tandem.assessments.forms import evidence_name, rating_name
from tandem.assessments.models import Assessment, AssessmentDraft
from tandem.assessments.selectors import (
    assessment_requirement,
    case_draft,
    draft_answers,
    draft_progress,
    has_current_assessment,
)
from tandem.assessments.services import (
    DRAFT_STALE,
    AssessmentRefused,
    assessment_draft_save,
)
from tandem.audit.models import AuditEvent
from tandem.cases.guidance import IN_PROGRESS, Facts, case_facts, intake_tasks, next_task
from tandem.cases.models import CaseStatus
from tandem.cases.services.lifecycle import LifecycleRefused, case_change_status
from tandem.cases.tests.factories import consented

from .factories_assessments import assessment_case, coordinator, form_data, record, shape

pytestmark = pytest.mark.django_db


def create_url(case):
    return reverse("assessments:create", args=[case.pk])


def first_dimension_only(the_shape=None, **extra) -> dict:
    """Form data with only the first dimension's factors rated (and the date)."""
    the_shape = the_shape or shape()
    full = form_data(the_shape)
    first = {f.pk for f in the_shape.dimensions[0][1]}
    data = {"assessed_on": full["assessed_on"]}
    for factor in the_shape.factors:
        if factor.pk in first:
            data[rating_name(factor)] = full[rating_name(factor)]
            data[evidence_name(factor)] = full[evidence_name(factor)]
    data.update(extra)
    return data


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


# Progress: pure --------------------------------------------------------------------------


def test_progress_counts_dimensions_with_every_factor_rated():
    the_shape = shape()
    total = len(the_shape.dimensions)
    assert draft_progress(the_shape, {}) == (0, total)
    assert draft_progress(the_shape, first_dimension_only(the_shape)) == (1, total)
    assert draft_progress(the_shape, form_data(the_shape)) == (total, total)
    # A rating not on the scale does not count as rated.
    broken = first_dimension_only(the_shape)
    broken[rating_name(the_shape.dimensions[0][1][0])] = "nonsense"
    assert draft_progress(the_shape, broken) == (0, total)


def test_guidance_offers_to_continue_a_draft_and_shows_its_progress():
    facts = Facts(screened=True, consent=True, assessment_progress=(1, 3))
    task = next_task(5, CaseStatus.ASSESSMENT, facts)
    assert task.text == "Continue the assessment"
    assessment = intake_tasks(5, CaseStatus.ASSESSMENT, facts)[2]
    assert assessment.status == IN_PROGRESS
    assert assessment.hint == "A draft: 1 of 3 dimensions rated."
    assert assessment.task.url_name == "assessments:create"


# Saving and resuming through the page ------------------------------------------------------


def test_save_and_continue_later_keeps_part_of_the_assessment(client, staff):
    case = consented(assessment_case(screening_outcome="clear"))
    data = first_dimension_only(version=case.version, draft="1")

    response = client.post(create_url(case), data)

    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.pk])
    draft = AssessmentDraft.objects.get(case=case)
    assert (draft.dimensions_done, draft.dimensions_total) == (1, 3)
    assert draft.started_by == staff and draft.updated_by == staff
    assert not Assessment.objects.filter(case=case).exists()
    # The answers are encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM assessments_assessmentdraft WHERE id = %s", [draft.pk])
        stored = cursor.fetchone()[0]
    assert "Evidence about factor 1" not in stored
    assert draft_answers(draft)[evidence_name(shape().factors[0])] == "Evidence about factor 1."
    assert AuditEvent.objects.filter(action="assessment.draft_start", actor=staff).exists()

    # The case page shows the progress, and offers to continue.
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "A draft: 1 of 3 dimensions rated." in page
    assert "In progress" in page
    assert ">Continue the assessment</a>" in page


def test_the_form_resumes_from_the_draft(client, staff):
    case = consented(assessment_case())
    client.post(create_url(case), first_dimension_only(version=case.version, draft="1"))
    first = shape().factors[0]

    response = client.get(create_url(case))

    html = response.content.decode()
    assert "You are continuing a draft" in html
    assert "1 of 3 dimensions rated" in html
    assert "Evidence about factor 1." in html
    assert f'name="{rating_name(first)}" value="low"' in html
    assert 'name="draft_revision" value="1"' in html
    assert AuditEvent.objects.filter(
        action="assessments.assessmentdraft.view", actor=staff
    ).exists()


def test_a_draft_is_saved_again_and_then_completed(client, staff):
    case = consented(assessment_case())
    client.post(create_url(case), first_dimension_only(version=case.version, draft="1"))
    case.refresh_from_db()

    client.post(
        create_url(case),
        form_data(version=case.version, draft="end", draft_revision="1", summary=""),
    )
    draft = AssessmentDraft.objects.get(case=case)
    assert (draft.revision, draft.dimensions_done) == (2, 3)
    assert AuditEvent.objects.filter(action="assessment.draft_save").count() == 1
    assert not has_current_assessment(case)

    response = client.post(
        create_url(case), form_data(version=case.version, draft_revision="2", complete="1")
    )

    assert response.status_code == 302
    assert has_current_assessment(case)
    assert not AssessmentDraft.objects.filter(case=case).exists()
    assert case_facts(case).assessed is True


def test_completing_needs_every_factor_and_keeps_what_was_typed(client, staff):
    case = consented(assessment_case())
    data = first_dimension_only(version=case.version, complete="1")

    response = client.post(create_url(case), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a rating for" in html
    assert "Evidence about factor 1." in html
    assert not Assessment.objects.filter(case=case).exists()
    assert not AssessmentDraft.objects.filter(case=case).exists()


def test_a_draft_with_a_bad_date_is_refused_with_a_clear_error(client, staff):
    case = consented(assessment_case())
    data = first_dimension_only(version=case.version, draft="1", assessed_on="31/02/2026")

    response = client.post(create_url(case), data)

    assert response.status_code == 200
    assert "must be a real date" in response.content.decode()
    assert not AssessmentDraft.objects.filter(case=case).exists()


def test_a_stale_draft_page_does_not_overwrite_a_newer_save(client, staff):
    case = consented(assessment_case())
    client.post(create_url(case), first_dimension_only(version=case.version, draft="1"))
    client.post(create_url(case), form_data(version=case.version, draft="1", draft_revision="1"))
    assert AssessmentDraft.objects.get(case=case).dimensions_done == 3

    # A second tab, opened before the second save, saves its (older) page.
    response = client.post(
        create_url(case),
        first_dimension_only(version=case.version, draft="1", draft_revision="1"),
    )

    assert response.status_code == 200
    assert DRAFT_STALE.split(".")[0] in response.content.decode()
    draft = AssessmentDraft.objects.get(case=case)
    assert (draft.revision, draft.dimensions_done) == (2, 3)


def test_no_draft_for_an_ended_case():
    case = assessment_case(status=CaseStatus.CLOSED)
    with pytest.raises(AssessmentRefused):
        assessment_draft_save(
            actor=coordinator(), case=case, shape=shape(), answers={}, expected_revision=None
        )
    assert not AssessmentDraft.objects.exists()


# A draft never counts ---------------------------------------------------------------------


def test_a_draft_is_not_an_assessment_for_the_lifecycle():
    case = consented(assessment_case())
    assessment_draft_save(
        actor=coordinator(),
        case=case,
        shape=shape(),
        answers=form_data(),  # every factor rated, but never completed
        expected_revision=None,
    )

    assert not has_current_assessment(case)
    assert assessment_requirement(case) == (
        "Complete the assessment of the person: it is a draft, with 3 of 3 dimensions rated."
    )
    with pytest.raises(LifecycleRefused) as refusal:
        case_change_status(actor=coordinator(), case=case, action="complete_assessment")
    assert "it is a draft" in str(refusal.value)
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_a_draft_of_a_reassessment_leaves_the_completed_one_current():
    case = consented(assessment_case())
    record(case)
    assessment_draft_save(
        actor=coordinator(), case=case, shape=shape(), answers={}, expected_revision=None
    )
    assert has_current_assessment(case)
    assert case_facts(case).assessment_progress is None
    assert case_draft(case) is not None


def test_the_draft_document_is_read_defensively():
    draft = AssessmentDraft(answers=json.dumps(["not", "a", "mapping"]))
    assert draft_answers(draft) == {}
    draft = AssessmentDraft(answers="{broken")
    assert draft_answers(draft) == {}
