"""Recording assessments. An assessment is never changed once recorded: a correction or
an update is a new reassessment, so every judgement made about the person stays on
the record with its date and its assessor."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.cases.lifecycle import ENDED
from tandem.cases.models import Case, CaseStatus
from tandem.cases.services.lifecycle import case_event_add, case_version_claim
from tandem.core.dates import long_date

from .models import (
    Assessment,
    AssessmentDraft,
    AssessmentKind,
    Factor,
    FactorRating,
    Framework,
    RatingLevel,
)
from .selectors import FrameworkShape, draft_progress, evidence_levels

TIMELINE = {
    AssessmentKind.INTAKE: "Initial assessment recorded",
    AssessmentKind.REASSESSMENT: "Reassessment recorded",
}


class AssessmentRefused(Exception):
    """An assessment that cannot be recorded; the message is safe to show."""


@dataclass(frozen=True)
class RatingInput:
    """One factor's rating, as the assessor gave it."""

    factor: Factor
    level: RatingLevel
    narrative: str = ""


def refusal_for_status(status: str) -> str | None:
    """Why no assessment can be recorded for a case in ``status``, or None when one can.
    Assessing belongs to an open case; an ended case keeps its record as it was."""
    if status in ENDED:
        return (
            f"This case is {CaseStatus(status).label.lower()}, so no assessment can be "
            "recorded for it."
        )
    return None


@transaction.atomic
def assessment_list_audit(*, actor, case: Case, request=None) -> None:
    """The list shows no narrative, but it tells who looked at this person's assessments."""
    record_event(actor=actor, action="assessments.assessment.list", obj=case, request=request)


@transaction.atomic
def assessment_record(
    *,
    actor,
    case: Case,
    framework: Framework,
    kind: str,
    assessed_on,
    ratings: Iterable[RatingInput],
    summary: str,
    management_plan: str,
    expected_version: int | None = None,
    request=None,
) -> Assessment:
    """Record an assessment of ``case``: a rating (and evidence) for every factor of
    ``framework``, a summary and a management plan. No score is computed.

    Refused (``AssessmentRefused``) when the case has ended, when ``kind`` is not what
    the case's history makes it (the first is the intake, every later one a
    reassessment), when a factor is missing, rated twice or rated on another scale,
    when a rating of concern has no evidence, or when the date is in the future or
    before the previous assessment. A stale form raises ``CaseConflict``. Recording
    does not move the case's status: that is a lifecycle action of its own.
    """
    locked = case_version_claim(case=case, expected_version=expected_version)
    case.version = locked.version
    refusal = refusal_for_status(locked.status)
    if refusal:
        raise AssessmentRefused(refusal)

    previous = (
        Assessment.objects.filter(case=case).order_by("-assessed_on", "-pk").only("assessed_on")
    ).first()
    expected_kind = AssessmentKind.INTAKE if previous is None else AssessmentKind.REASSESSMENT
    if kind != expected_kind:
        if expected_kind == AssessmentKind.INTAKE:
            raise AssessmentRefused("This case has no initial assessment yet: record that first.")
        raise AssessmentRefused(
            "An initial assessment has already been recorded for this case: record a "
            "reassessment instead."
        )

    if assessed_on is None:
        raise AssessmentRefused("Enter the date of the assessment.")
    if assessed_on > timezone.localdate():
        raise AssessmentRefused("The date of the assessment must be today or in the past.")
    if previous is not None and assessed_on < previous.assessed_on:
        raise AssessmentRefused(
            "The date of the assessment must be on or after the date of the previous "
            f"assessment, {long_date(previous.assessed_on)}."
        )

    summary = (summary or "").strip()
    management_plan = (management_plan or "").strip()
    if not summary:
        raise AssessmentRefused("Enter a summary of the assessment.")
    if not management_plan:
        raise AssessmentRefused("Enter a management plan.")

    rows = _checked_ratings(framework, list(ratings))

    assessment = Assessment(
        case=case,
        framework=framework,
        kind=kind,
        assessed_on=assessed_on,
        assessor=actor,
        summary=summary,
        management_plan=management_plan,
    )
    assessment.save()
    FactorRating.objects.bulk_create(
        FactorRating(
            assessment=assessment,
            factor=row.factor,
            level=row.level,
            narrative=(row.narrative or "").strip(),
        )
        for row in rows
    )
    # The draft it was written from, if any, has served its purpose.
    AssessmentDraft.objects.filter(case=case).delete()
    case_event_add(
        case=case,
        kind=f"assessment.{kind}",
        summary=TIMELINE[kind],
        actor=actor,
    )
    record_event(
        actor=actor,
        action="assessment.record",
        obj=assessment,
        request=request,
        changed_fields=["kind", "assessed_on", "ratings", "summary", "management_plan"],
    )
    return assessment


def _checked_ratings(framework: Framework, rows: list[RatingInput]) -> list[RatingInput]:
    """Every factor of the framework rated exactly once, on the framework's own scale,
    with evidence where the level needs it."""
    factors = {f.pk: f for f in Factor.objects.filter(dimension__framework=framework)}
    levels = list(RatingLevel.objects.filter(framework=framework))
    level_ids = {level.pk for level in levels}
    needs_evidence = evidence_levels(levels)
    seen: set[int] = set()
    for row in rows:
        if row.factor.pk not in factors:
            raise AssessmentRefused(
                f"{row.factor.number}. {row.factor.name} is not a factor of {framework.name}."
            )
        if row.factor.pk in seen:
            raise AssessmentRefused(f"{row.factor.number}. {row.factor.name} is rated twice.")
        seen.add(row.factor.pk)
        if row.level.pk not in level_ids:
            raise AssessmentRefused(
                f"The rating for {row.factor.number}. {row.factor.name} is not on the "
                f"scale of {framework.name}."
            )
        if row.level.code in needs_evidence and not (row.narrative or "").strip():
            raise AssessmentRefused(
                f"Enter the evidence for {row.factor.number}. {row.factor.name}: a rating "
                f"of {row.level.label.lower()} needs evidence."
            )
    missing = [f for pk, f in sorted(factors.items()) if pk not in seen]
    if missing:
        names = ", ".join(f"{f.number}. {f.name}" for f in sorted(missing, key=lambda f: f.number))
        raise AssessmentRefused(f"Rate every factor. Not rated: {names}.")
    return rows


# Drafts ---------------------------------------------------------------------------------

DRAFT_STALE = (
    "Someone saved this draft again after you opened it. Your answers are shown below "
    "but not saved: check them against the draft, then save again."
)


@transaction.atomic
def assessment_draft_save(
    *,
    actor,
    case: Case,
    shape: FrameworkShape,
    answers: Mapping[str, str],
    expected_revision: int | None,
    request=None,
) -> AssessmentDraft:
    """Save ``answers`` (the assessment form's fields as typed, any of them empty) as the
    case's draft assessment against ``shape``'s framework, replacing the previous draft.

    ``expected_revision`` is the revision of the draft the page was built from (None
    when there was none): a draft saved meanwhile by someone else is not overwritten
    (``AssessmentRefused``), and nor is a draft saved for an ended case.
    """
    locked = Case.objects.select_for_update().only("status").get(pk=case.pk)
    refusal = refusal_for_status(locked.status)
    if refusal:
        raise AssessmentRefused(refusal)
    draft = AssessmentDraft.objects.select_for_update().filter(case=case).first()
    current = draft.revision if draft else None
    if current != expected_revision:
        raise AssessmentRefused(DRAFT_STALE)
    done, total = draft_progress(shape, answers)
    now = timezone.now()
    if draft is None:
        draft = AssessmentDraft(case=case, started_by=actor, revision=1)
        action = "assessment.draft_start"
    else:
        draft.revision += 1
        action = "assessment.draft_save"
    draft.case = case
    draft.framework = shape.framework
    draft.answers = json.dumps(dict(answers), sort_keys=True)
    draft.dimensions_done = done
    draft.dimensions_total = total
    draft.updated_by = actor
    draft.updated_at = now
    draft.save()
    record_event(
        actor=actor,
        action=action,
        obj=draft,
        request=request,
        changed_fields=["answers"],
    )
    return draft
