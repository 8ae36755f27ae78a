"""Recording an assessment: the form built from the framework, its validation (nothing
typed is lost), stale forms, the refusals, and what is written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tandem.assessments.forms import evidence_name, rating_name
from tandem.assessments.models import Assessment, AssessmentKind, FactorRating
from tandem.assessments.selectors import default_framework_shape
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent, CaseStatus

from .factories_assessments import (
    assessment_case,
    coordinator,
    form_data,
    record,
    small_framework,
)

pytestmark = pytest.mark.django_db


def create_url(case):
    return reverse("assessments:create", args=[case.pk])


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


def body_of(response) -> str:
    return response.content.decode()


# The form ------------------------------------------------------------------------------


def test_the_form_shows_every_factor_grouped_by_dimension_from_the_framework(client, staff):
    case = assessment_case()
    response = client.get(create_url(case))
    assert response.status_code == 200
    body = body_of(response)
    assert body.count("<h1") == 1
    assert "Initial assessment" in body
    shape = default_framework_shape()
    assert len(shape.factors) == 22
    for dimension, factors in shape.dimensions:
        assert f'<h2 class="govuk-fieldset__heading">{dimension.name}</h2>' in body
        for factor in factors:
            legend = f"{factor.number}. {factor.name}".replace('"', "&quot;")
            assert f'govuk-fieldset__legend--s">{legend}</legend>' in body
            name = factor.name.replace('"', "&quot;")
            assert f">Evidence for {name}</label>" in body
    for label in ["Not present", "Low", "Moderate", "High", "Not known"]:
        assert body.count(f">{label}</label>") == 22
    assert ">Date of assessment" in body and "For example, 27/3/2026" in body
    assert ">Summary" in body and ">Management plan" in body
    assert "Save assessment" in body
    assert "Needed when the rating is moderate or high." in body
    assert "cannot be changed once they are recorded" in body
    assert f'name="version" value="{case.version}"' in body
    assert "total" not in body.lower().replace("no total score", "")


def test_the_dimension_order_follows_the_framework(client, staff):
    body = body_of(client.get(create_url(assessment_case())))
    positions = [
        body.index(name)
        for name in (
            "Engagement with a group, cause or ideology",
            "Intent to cause harm",
            "Capability to cause harm",
        )
    ]
    assert positions == sorted(positions)
    assert body.index("1. Feelings of grievance") < body.index("22. Criminal capability")


def test_a_complete_form_records_the_initial_assessment(client, staff):
    case = assessment_case()
    data = form_data(case=case, levels={1: "high", 2: "moderate", 3: "not_known"})
    response = client.post(create_url(case), data)
    assessment = Assessment.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('assessments:detail', args=[case.pk])}?id={assessment.pk}"
    )
    assert assessment.kind == AssessmentKind.INTAKE
    assert assessment.assessor == staff
    assert assessment.summary == data["summary"]
    ratings = {r.factor.number: r for r in assessment.ratings.select_related("level", "factor")}
    assert len(ratings) == 22
    assert ratings[1].level.code == "high"
    assert ratings[1].narrative == "Evidence about factor 1."
    assert ratings[3].level.code == "not_known"
    assert ratings[22].level.code == "low"
    page = client.get(response["Location"])
    assert "Initial assessment recorded for " + case.reference in body_of(page)


def test_recording_the_first_assessment_does_not_move_the_case(client, staff):
    case = assessment_case()
    client.post(create_url(case), form_data(case=case))
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT
    assert case.version == 2


def test_recording_writes_the_timeline_and_the_audit_log_without_narrative(client, staff):
    case = assessment_case()
    client.post(create_url(case), form_data(case=case))
    event = CaseEvent.objects.get(case=case, kind="assessment.intake")
    assert event.summary == "Initial assessment recorded"
    assert event.actor == staff
    assert event.reason == ""
    audit = AuditEvent.objects.get(action="assessment.record")
    assert audit.actor == staff
    assert audit.object_id == str(Assessment.objects.get(case=case).pk)
    assert set(audit.changed_fields) == {
        "kind",
        "assessed_on",
        "ratings",
        "summary",
        "management_plan",
    }
    assert "Evidence about" not in str(audit.changed_fields) + audit.reason


def test_a_second_assessment_is_a_reassessment_with_its_own_timeline_line(client, staff):
    case = assessment_case()
    record(case)
    case.refresh_from_db()
    body = body_of(client.get(create_url(case)))
    assert "Reassessment" in body
    client.post(create_url(case), form_data(case=case))
    assert list(
        Assessment.objects.filter(case=case).order_by("pk").values_list("kind", flat=True)
    ) == [AssessmentKind.INTAKE, AssessmentKind.REASSESSMENT]
    assert CaseEvent.objects.filter(case=case, summary="Reassessment recorded").count() == 1


# Reassessment pre-fill -----------------------------------------------------------------


def test_a_reassessment_starts_from_the_previous_ratings_evidence_and_plan(client, staff):
    case = assessment_case()
    previous = record(
        case,
        levels={4: "high", 5: "not_known"},
        narratives={4: "Talks about wanting respect from older boys."},
        management_plan="Plan carried forward.",
    )
    case.refresh_from_db()
    body = body_of(client.get(create_url(case)))
    shape = default_framework_shape()
    factor4 = shape.factors[3]
    factor5 = shape.factors[4]
    checked = re.search(rf'<input[^>]*name="{rating_name(factor4)}"[^>]*value="high"[^>]*>', body)
    assert checked and "checked" in checked.group(0)
    checked = re.search(
        rf'<input[^>]*name="{rating_name(factor5)}"[^>]*value="not_known"[^>]*>', body
    )
    assert checked and "checked" in checked.group(0)
    assert "Talks about wanting respect from older boys." in body
    assert "Plan carried forward." in body
    assert "change what is different" in body
    # Showing the previous evidence is a view of the previous assessment.
    assert AuditEvent.objects.filter(
        action="assessments.assessment.view", object_id=str(previous.pk), actor=staff
    ).exists()


# Validation keeps what was typed -------------------------------------------------------


def _posted_back(body: str, shape, data: dict):
    """Every typed value is on the page again."""
    for factor in shape.factors:
        value = data.get(rating_name(factor))
        if value:
            tag = re.search(
                rf'<input[^>]*name="{rating_name(factor)}"[^>]*value="{value}"[^>]*>', body
            )
            assert tag and "checked" in tag.group(0), factor
        assert data[evidence_name(factor)] in body
    assert data["summary"] in body
    assert data["management_plan"] in body


def test_an_unrated_factor_is_named_and_linked_and_everything_typed_is_kept(client, staff):
    case = assessment_case()
    shape = default_framework_shape()
    data = form_data(case=case, narratives={n: f"Typed evidence {n}" for n in range(1, 23)})
    factor = shape.factors[6]
    del data[rating_name(factor)]
    response = client.post(create_url(case), data)
    assert response.status_code == 200
    body = body_of(response)
    assert "There is a problem" in body
    message = f"Select a rating for 7. {factor.name}"
    assert f'<a href="#id_{rating_name(factor)}_0">{message}</a>' in body
    assert 'aria-describedby="id_rating_' in body
    _posted_back(body, shape, data)
    assert not Assessment.objects.exists()


def test_a_high_rating_without_evidence_is_refused_keeping_the_rest(client, staff):
    case = assessment_case()
    shape = default_framework_shape()
    data = form_data(case=case, levels={16: "high", 17: "moderate"})
    factor16, factor17 = shape.factors[15], shape.factors[16]
    data[evidence_name(factor16)] = "   "
    data[evidence_name(factor17)] = ""
    response = client.post(create_url(case), data)
    body = body_of(response)
    assert f"Enter the evidence for 16. {factor16.name}: a rating of high needs evidence" in body
    assert (
        f"Enter the evidence for 17. {factor17.name}: a rating of moderate needs evidence" in body
    )
    assert f'href="#id_{evidence_name(factor16)}"' in body
    assert "govuk-textarea--error" in body
    data[evidence_name(factor16)] = data[evidence_name(factor17)] = "Evidence about factor"
    _posted_back(body, shape, data)
    assert not Assessment.objects.exists()


def test_low_and_not_known_ratings_need_no_evidence(client, staff):
    case = assessment_case()
    shape = default_framework_shape()
    data = form_data(case=case, levels={1: "not_known", 2: "not_present"})
    for factor in shape.factors:
        data[evidence_name(factor)] = ""
    response = client.post(create_url(case), data)
    assert response.status_code == 302
    assert FactorRating.objects.filter(narrative__isnull=False).count() == 22


NOT_A_DATE = "The date of the assessment must be a real date, like 27/3/2026"
ARABIC_INDIC_DATE = "\u0660\u0661/\u0660\u0661/\u0662\u0660\u0662\u0666"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the date of the assessment"),
        ("31/2/2026", NOT_A_DATE),
        ("yesterday", NOT_A_DATE),
        (ARABIC_INDIC_DATE, NOT_A_DATE),
        ("1/1/99999", NOT_A_DATE),
        (None, "The date of the assessment must be today or in the past"),
    ],
)
def test_a_missing_wrong_or_future_date_is_refused_keeping_everything(
    client, staff, typed, message
):
    case = assessment_case()
    shape = default_framework_shape()
    if typed is None:
        typed = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    data = form_data(case=case, levels={3: "high"}, assessed_on=typed)
    response = client.post(create_url(case), data)
    body = body_of(response)
    assert response.status_code == 200
    assert f'<a href="#id_assessed_on">{message}</a>' in body
    _posted_back(body, shape, data)
    assert not Assessment.objects.exists()


def test_a_reassessment_cannot_be_dated_before_the_previous_one(client, staff):
    case = assessment_case()
    record(case, assessed_on=timezone.localdate() - dt.timedelta(days=10))
    case.refresh_from_db()
    early = (timezone.localdate() - dt.timedelta(days=11)).strftime("%d/%m/%Y")
    response = client.post(create_url(case), form_data(case=case, assessed_on=early))
    assert "on or after the date of the previous assessment" in body_of(response)
    assert Assessment.objects.filter(case=case).count() == 1


def test_summary_and_management_plan_are_required(client, staff):
    case = assessment_case()
    data = form_data(case=case, summary=" ", management_plan="")
    body = body_of(client.post(create_url(case), data))
    assert '<a href="#id_summary">Enter a summary of the assessment</a>' in body
    assert '<a href="#id_management_plan">Enter a management plan</a>' in body


def test_a_made_up_rating_is_refused(client, staff):
    case = assessment_case()
    shape = default_framework_shape()
    data = form_data(case=case)
    data[rating_name(shape.factors[0])] = "catastrophic"
    body = body_of(client.post(create_url(case), data))
    assert "Choose one of the ratings listed for 1." in body
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("version", [None, "", "abc", "\u0662", "0", "9" * 40])
def test_a_page_without_a_proper_version_is_shown_again_and_can_then_be_saved(
    client, staff, version
):
    case = assessment_case()
    data = form_data(case=case, narratives={n: f"Kept {n}" for n in range(1, 23)})
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = client.post(create_url(case), data)
    body = body_of(response)
    assert response.status_code == 200
    assert "This page was incomplete when it was sent." in body
    assert "Kept 22" in body
    assert f'name="version" value="{case.version}"' in body
    assert not Assessment.objects.exists()
    data["version"] = str(case.version)
    assert client.post(create_url(case), data).status_code == 302


def test_an_empty_post_is_a_submission_with_every_factor_named(client, staff):
    case = assessment_case()
    body = body_of(client.post(create_url(case), {}))
    assert body.count("Select a rating for") == 22 * 2  # summary link and field message
    assert not Assessment.objects.exists()


# Stale forms and refusals --------------------------------------------------------------


def test_a_stale_form_is_refused_keeping_everything_typed(client, staff):
    case = assessment_case()
    shape = default_framework_shape()
    data = form_data(
        case=case,
        levels={2: "high"},
        narratives={n: f"My careful note {n}" for n in range(1, 23)},
    )
    record(assessment_case())  # unrelated case: no effect
    # Someone else changes the case meanwhile.
    from tandem.cases.services.lifecycle import case_version_claim

    case_version_claim(case=case, expected_version=case.version)
    response = client.post(create_url(case), data)
    body = body_of(response)
    assert response.status_code == 200
    assert "Someone else changed this case while you were working on it" in body
    _posted_back(body, shape, data)
    assert not Assessment.objects.filter(case=case).exists()
    case.refresh_from_db()
    # The form now carries the current version, so saving again works.
    assert f'name="version" value="{case.version}"' in body
    data["version"] = str(case.version)
    assert client.post(create_url(case), data).status_code == 302
    assert Assessment.objects.filter(case=case).count() == 1


def test_two_coordinators_recording_the_intake_at_once_one_is_told_and_loses_nothing(client, staff):
    case = assessment_case()
    mine = form_data(case=case, narratives={n: f"Mine {n}" for n in range(1, 23)})
    record(case)  # a colleague records the intake first, from the same version
    response = client.post(create_url(case), mine)
    body = body_of(response)
    assert "Someone else changed this case" in body
    assert '<h1 class="govuk-heading-l">Reassessment</h1>' in body
    assert "Mine 7" in body
    case.refresh_from_db()
    mine["version"] = str(case.version)
    assert client.post(create_url(case), mine).status_code == 302
    kinds = list(Assessment.objects.filter(case=case).order_by("pk").values_list("kind", flat=True))
    assert kinds == [AssessmentKind.INTAKE, AssessmentKind.REASSESSMENT]
    latest = Assessment.objects.filter(case=case).order_by("-pk").first()
    assert latest.ratings.get(factor__number=7).narrative == "Mine 7"


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
def test_an_ended_case_cannot_be_assessed(client, staff, status):
    case = assessment_case(status=status)
    response = client.get(create_url(case))
    assert response.status_code == 200
    body = body_of(response)
    assert "so no assessment can be recorded for it" in body
    assert "Save assessment" not in body
    response = client.post(create_url(case), form_data(case=case))
    assert "so no assessment can be recorded for it" in body_of(response)
    assert not Assessment.objects.exists()
    assert "Start an assessment" not in body_of(
        client.get(reverse("assessments:list", args=[case.pk]))
    )


@pytest.mark.parametrize(
    "status",
    [CaseStatus.SCREENING, CaseStatus.ASSESSMENT, CaseStatus.ACTIVE, CaseStatus.ON_HOLD],
)
def test_an_open_case_can_be_assessed(client, staff, status):
    case = assessment_case(status=status)
    assert client.post(create_url(case), form_data(case=case)).status_code == 302


def test_narratives_summary_and_plan_are_encrypted_in_the_database(client, staff):
    case = assessment_case()
    data = form_data(
        case=case,
        narratives={1: "Plaintext-evidence-marker"},
        summary="Plaintext-summary-marker",
        management_plan="Plaintext-plan-marker",
    )
    client.post(create_url(case), data)
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM assessments_factorrating")
        narratives = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT summary, management_plan FROM assessments_assessment")
        summary, plan = cursor.fetchone()
    assert len(narratives) == 22
    assert not any("Plaintext" in n or "Evidence about" in n for n in narratives)
    assert "Plaintext" not in summary and "Plaintext" not in plan
    assert FactorRating.objects.get(factor__number=1).narrative == "Plaintext-evidence-marker"


# A framework configured differently ----------------------------------------------------


def test_a_differently_configured_default_framework_drives_the_form(client, staff):
    framework = small_framework()
    case = assessment_case()
    body = body_of(client.get(create_url(case)))
    assert "Small test framework" in body
    assert '<h2 class="govuk-fieldset__heading">Wellbeing</h2>' in body
    assert '<h2 class="govuk-fieldset__heading">Connections</h2>' in body
    for legend in ["1. Sleep", "2. Mood", "3. Friends"]:
        assert f">{legend}</legend>" in body
    assert "Evidence for Friends" in body
    assert body.count(">Unsure</label>") == 3
    assert "Feelings of grievance" not in body
    # The upper half of this scale (some, lots) needs evidence.
    assert "Needed when the rating is some or lots." in body
    factors = list(framework.dimensions.get(position=1).factors.all()) + list(
        framework.dimensions.get(position=2).factors.all()
    )
    data = {
        "version": str(case.version),
        "assessed_on": timezone.localdate().strftime("%d/%m/%Y"),
        "summary": "Summary",
        "management_plan": "Plan",
        f"rating_{factors[0].pk}": "lots",
        f"evidence_{factors[0].pk}": "",
        f"rating_{factors[1].pk}": "none",
        f"evidence_{factors[1].pk}": "",
    }
    body = body_of(client.post(create_url(case), data))
    assert "Select a rating for 3. Friends" in body
    assert "Enter the evidence for 1. Sleep: a rating of lots needs evidence" in body
    data[f"rating_{factors[2].pk}"] = "unsure"
    data[f"evidence_{factors[0].pk}"] = "Up all night gaming."
    assert client.post(create_url(case), data).status_code == 302
    assessment = Assessment.objects.get(case=case)
    assert assessment.framework == framework
    assert assessment.ratings.count() == 3


def test_without_a_default_framework_the_page_says_so(client, staff):
    from tandem.assessments.models import Framework

    Framework.objects.update(is_default=False)
    body = body_of(client.get(create_url(assessment_case())))
    assert "No assessment framework is set as the default" in body
    assert "Save assessment" not in body
