"""The assessment_record service: its rules, enforced whatever the form did, and the
immutability of what it records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.assessments.models import Assessment, AssessmentKind, FactorRating
from tandem.assessments.selectors import default_framework_shape, evidence_levels, kind_for
from tandem.assessments.services import (
    AssessmentRefused,
    RatingInput,
    assessment_record,
)
from tandem.cases.models import CaseStatus
from tandem.cases.services.lifecycle import CaseConflict, case_transition

from .factories_assessments import assessment_case, coordinator, record, small_framework

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def ratings(shape, level="low", **overrides):
    return [
        RatingInput(
            factor=f,
            level=shape.level(overrides.get(f"f{f.number}", level)),
            narrative="Evidence.",
        )
        for f in shape.factors
    ]


def call(case, **kwargs):
    shape = kwargs.pop("shape", None) or default_framework_shape()
    defaults = {
        "actor": coordinator(),
        "case": case,
        "framework": shape.framework,
        "kind": kind_for(case),
        "assessed_on": YESTERDAY,
        "ratings": ratings(shape),
        "summary": "Summary.",
        "management_plan": "Plan.",
    }
    defaults.update(kwargs)
    return assessment_record(**defaults)


def test_the_evidence_rule_is_the_upper_half_of_the_known_levels():
    shape = default_framework_shape()
    assert evidence_levels(shape.levels) == {"moderate", "high"}
    assert shape.evidence_labels == ["moderate", "high"]


def test_recording_bumps_the_case_version_and_refuses_a_stale_one():
    case = assessment_case()
    seen = case.version
    call(case, expected_version=seen)
    assert case.version == seen + 1
    with pytest.raises(CaseConflict):
        call(case, expected_version=seen)
    assert Assessment.objects.filter(case=case).count() == 1


def test_the_kind_must_follow_the_history():
    case = assessment_case()
    with pytest.raises(AssessmentRefused, match="no initial assessment yet"):
        call(case, kind=AssessmentKind.REASSESSMENT)
    call(case, kind=AssessmentKind.INTAKE)
    with pytest.raises(AssessmentRefused, match="already been recorded"):
        call(case, kind=AssessmentKind.INTAKE)
    call(case, kind=AssessmentKind.REASSESSMENT)
    assert kind_for(case) == AssessmentKind.REASSESSMENT


def test_every_factor_must_be_rated_once_on_the_frameworks_scale():
    case = assessment_case()
    shape = default_framework_shape()
    rows = ratings(shape)
    with pytest.raises(AssessmentRefused, match=r"Not rated: 22\. Criminal capability"):
        call(case, ratings=rows[:-1])
    with pytest.raises(AssessmentRefused, match="rated twice"):
        call(case, ratings=[*rows, rows[0]])
    other = small_framework(make_default=False)
    foreign_level = other.levels.get(code="lots")
    with pytest.raises(AssessmentRefused, match="not on the scale"):
        call(case, ratings=[RatingInput(rows[0].factor, foreign_level, "x"), *rows[1:]])
    foreign_factor = other.dimensions.first().factors.first()
    with pytest.raises(AssessmentRefused, match="is not a factor of"):
        call(case, ratings=[*rows, RatingInput(foreign_factor, rows[0].level, "x")])
    assert not Assessment.objects.exists()
    assert not FactorRating.objects.exists()


def test_a_rating_of_concern_needs_evidence_in_the_service_too():
    case = assessment_case()
    shape = default_framework_shape()
    rows = ratings(shape, f5="high")
    rows[4] = RatingInput(rows[4].factor, rows[4].level, "  ")
    with pytest.raises(AssessmentRefused, match="a rating of high needs evidence"):
        call(case, ratings=rows)


def test_dates_in_the_future_or_before_the_previous_assessment_are_refused():
    case = assessment_case()
    with pytest.raises(AssessmentRefused, match="today or in the past"):
        call(case, assessed_on=timezone.localdate() + dt.timedelta(days=1))
    call(case, assessed_on=YESTERDAY)
    with pytest.raises(AssessmentRefused, match="on or after the date of the previous"):
        call(case, assessed_on=YESTERDAY - dt.timedelta(days=1))
    call(case, assessed_on=YESTERDAY)  # the same day is fine


def test_summary_and_plan_cannot_be_blank():
    case = assessment_case()
    with pytest.raises(AssessmentRefused, match="summary"):
        call(case, summary="  ")
    with pytest.raises(AssessmentRefused, match="management plan"):
        call(case, management_plan="")


@pytest.mark.parametrize(
    "status",
    [
        CaseStatus.CLOSED,
        CaseStatus.NOT_SUITABLE,
        CaseStatus.CONSENT_DECLINED,
        CaseStatus.CONSENT_WITHDRAWN,
        CaseStatus.ESCALATED,
    ],
)
def test_an_ended_case_is_refused_and_keeps_its_version(status):
    case = assessment_case(status=status)
    seen = case.version
    with pytest.raises(AssessmentRefused, match="no assessment can be recorded"):
        call(case, expected_version=seen)
    case.refresh_from_db()
    assert case.version == seen  # the refusal rolled back the version claim


def test_a_case_closed_after_the_form_was_loaded_is_refused():
    case = assessment_case()
    actor = coordinator()
    case_transition(actor=actor, case=case, action="withdraw_consent", reason="Changed their mind")
    with pytest.raises(AssessmentRefused, match="consent withdrawn"):
        call(case)


def test_recorded_assessments_are_kept_unchanged_by_later_ones():
    case = assessment_case()
    first = record(case, level="high", summary="First summary.")
    before = {
        r.factor_id: (r.level_id, r.narrative)
        for r in FactorRating.objects.filter(assessment=first)
    }
    record(case, level="low", narratives={1: "Rewritten."}, summary="Second summary.")
    first.refresh_from_db()
    assert first.summary == "First summary."
    after = {
        r.factor_id: (r.level_id, r.narrative)
        for r in FactorRating.objects.filter(assessment=first)
    }
    assert after == before
    assert Assessment.objects.filter(case=case).count() == 2


def test_the_only_assessment_pages_are_to_list_record_read_and_compare():
    from tandem.assessments import urls

    assert {p.name for p in urls.urlpatterns} == {"list", "create", "detail", "compare"}
