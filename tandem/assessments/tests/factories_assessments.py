"""Test data for assessments: the default framework's shape, form data for it, and
recorded assessments."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import create_user
from tandem.assessments.forms import evidence_name, rating_name
from tandem.assessments.models import (
    Dimension,
    Factor,
    Framework,
    RatingLevel,
)
from tandem.assessments.selectors import default_framework_shape, framework_shape, kind_for
from tandem.assessments.services import RatingInput, assessment_record
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case


def coordinator():
    return create_user("coordinator")


def shape():
    return default_framework_shape()


def assessment_case(**fields):
    """A case in assessment, the usual state for recording one."""
    fields.setdefault("status", CaseStatus.ASSESSMENT)
    return make_case(**fields)


def form_data(
    framework_shape=None, *, level="low", levels=None, narratives=None, case=None, **extra
):
    """A complete, valid POST for ``framework_shape`` (the default): every factor at
    ``level`` (or ``levels[factor.number]``), with evidence for every factor."""
    framework_shape = framework_shape or shape()
    levels = levels or {}
    narratives = narratives or {}
    data = {
        "assessed_on": timezone.localdate().strftime("%d/%m/%Y"),
        "summary": "Engaging well; grievance remains the main driver.",
        "management_plan": "Weekly mentoring; review in six weeks.",
    }
    if case is not None:
        data["version"] = str(case.version)
    for factor in framework_shape.factors:
        data[rating_name(factor)] = levels.get(factor.number, level)
        data[evidence_name(factor)] = narratives.get(
            factor.number, f"Evidence about factor {factor.number}."
        )
    data.update(extra)
    return data


def record(
    case,
    *,
    actor=None,
    level="low",
    levels=None,
    narratives=None,
    assessed_on=None,
    summary="Summary of the assessment.",
    management_plan="The management plan.",
    framework=None,
):
    """Record an assessment of ``case`` through the service: every factor at ``level``
    (or ``levels[factor.number]``, a level code), the kind following the case's history."""
    actor = actor or coordinator()
    the_shape = framework_shape(framework) if framework else shape()
    levels = levels or {}
    narratives = narratives or {}
    ratings = [
        RatingInput(
            factor=factor,
            level=the_shape.level(levels.get(factor.number, level)),
            narrative=narratives.get(factor.number, f"Evidence about factor {factor.number}."),
        )
        for factor in the_shape.factors
    ]
    return assessment_record(
        actor=actor,
        case=case,
        framework=the_shape.framework,
        kind=kind_for(case),
        assessed_on=assessed_on or timezone.localdate() - dt.timedelta(days=1),
        ratings=ratings,
        summary=summary,
        management_plan=management_plan,
    )


def small_framework(*, make_default: bool = True) -> Framework:
    """A framework configured differently from the default: two dimensions, three
    factors, a three-point scale plus "unsure"."""
    framework = Framework.objects.create(
        code="test-small", name="Small test framework", version="1"
    )
    first = Dimension.objects.create(framework=framework, name="Wellbeing", position=1)
    second = Dimension.objects.create(framework=framework, name="Connections", position=2)
    Factor.objects.create(dimension=first, number=1, name="Sleep")
    Factor.objects.create(dimension=first, number=2, name="Mood")
    Factor.objects.create(dimension=second, number=3, name="Friends")
    for position, (code, label, rank) in enumerate(
        [("none", "None", 0), ("some", "Some", 1), ("lots", "Lots", 2), ("unsure", "Unsure", None)],
        start=1,
    ):
        RatingLevel.objects.create(
            framework=framework, code=code, label=label, rank=rank, position=position
        )
    if make_default:
        Framework.objects.exclude(pk=framework.pk).update(is_default=False)
        Framework.objects.filter(pk=framework.pk).update(is_default=True)
        framework.refresh_from_db()
    return framework
