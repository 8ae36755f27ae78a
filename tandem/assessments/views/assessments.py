"""A case's structured assessments: the list, recording an (initial or re-)assessment,
one assessment in full, and the comparison of the latest with the previous one and
with the intake. Assessments are never changed once recorded."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.cases.models import Case
from tandem.cases.navigation import case_tabs
from tandem.cases.services.lifecycle import CaseConflict
from tandem.core.permissions import permission_required

from .. import selectors
from ..forms import INCOMPLETE_PAGE, AssessmentForm, initial_from
from ..models import AssessmentKind
from ..permissions import case_assessments
from ..services import (
    TIMELINE,
    AssessmentRefused,
    assessment_list_audit,
    assessment_record,
    refusal_for_status,
)

TEMPLATES = "assessments"
PAGE_SIZE = 25
ID_RE = re.compile(r"[0-9]{1,18}")


def _posted(request):
    """The posted data, even when empty (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _can_change(request, case: Case) -> bool:
    return case_assessments.has_object_permission(request.user, "change", case)


@require_GET
@permission_required("case_assessment", "view")
def assessment_list(request, pk: int):
    case = case_assessments.get_object_or_404(request.user, "view", pk=pk)
    page = Paginator(selectors.case_assessments(case), PAGE_SIZE).get_page(request.GET.get("page"))
    # The list shows no narrative, but it tells who looked at this person's assessments.
    assessment_list_audit(actor=request.user, case=case, request=request)
    can_change = _can_change(request, case)
    has_any = page.paginator.count > 0
    return render(
        request,
        f"{TEMPLATES}/list.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "page": page,
            "assessments": page.object_list,
            "can_change": can_change,
            "refusal": refusal_for_status(case.status),
            "next_kind": AssessmentKind.REASSESSMENT if has_any else AssessmentKind.INTAKE,
        },
    )


def _create_context(request, case: Case, shape) -> dict:
    """What the form page needs, as the case stands now: the previous assessment (to
    start from, and whose date the new one cannot precede) decides the kind."""
    previous = selectors.latest_assessment(case, with_ratings=True)
    kind = AssessmentKind.REASSESSMENT if previous else AssessmentKind.INTAKE
    return {
        "case": case,
        "tabs": case_tabs(request, case),
        "shape": shape,
        "previous": previous,
        "kind": kind,
        "kind_label": AssessmentKind(kind).label,
        "refusal": refusal_for_status(case.status),
    }


def _assessment_form(context: dict, data=None) -> AssessmentForm:
    previous, shape = context["previous"], context["shape"]
    initial = initial_from(previous, shape)
    initial["version"] = context["case"].version
    return AssessmentForm(
        data,
        shape=shape,
        not_before=previous.assessed_on if previous else None,
        initial=initial,
    )


def _refreshed_form(context: dict, posted, case: Case, message: str) -> AssessmentForm:
    """The posted form again, carrying the case's current version, with ``message``."""
    data = posted.copy()
    data["version"] = str(case.version)
    form = _assessment_form(context, data)
    form.is_valid()
    form.add_error(None, message)
    return form


@require_http_methods(["GET", "POST"])
@permission_required("case_assessment", "change")
def assessment_create(request, pk: int):
    case = case_assessments.get_object_or_404(request.user, "change", pk=pk)
    shape = selectors.default_framework_shape()
    context = _create_context(request, case, shape)
    if shape is None or (context["refusal"] and request.method == "GET"):
        # Nothing to fill in: say why instead of showing a form that cannot be saved.
        return render(request, f"{TEMPLATES}/create.html", {**context, "form": None})

    form = _assessment_form(context, _posted(request))
    if request.method == "POST" and not form.is_valid() and "version" in form.errors:
        # A page sent without the version it was built from: show it again carrying
        # the current version, with everything typed, so it can be checked and saved.
        form = _refreshed_form(context, request.POST, case, INCOMPLETE_PAGE)
    if request.method == "POST" and form.is_bound and not form.errors:
        data = form.cleaned_data
        kind = context["kind"]
        try:
            assessment = assessment_record(
                actor=request.user,
                case=case,
                framework=shape.framework,
                kind=kind,
                assessed_on=data["assessed_on"],
                ratings=form.ratings(),
                summary=data["summary"],
                management_plan=data["management_plan"],
                expected_version=data["version"],
                request=request,
            )
        except (AssessmentRefused, CaseConflict) as refusal:
            # Keep everything typed. Show the page as the case is now (someone may have
            # recorded an assessment meanwhile) and carry the case's current version,
            # so that once the user has checked, saving again is possible.
            case.refresh_from_db(fields=["version", "status"])
            context = _create_context(request, case, shape)
            form = _refreshed_form(context, request.POST, case, str(refusal))
        else:
            messages.success(request, f"{TIMELINE[kind]} for {case.reference}.")
            return redirect(_detail_url(case, assessment.pk))
    elif request.method == "GET" and context["previous"] is not None:
        # The form shows the previous assessment's evidence.
        record_view(actor=request.user, obj=context["previous"], request=request)
    return render(request, f"{TEMPLATES}/create.html", {**context, "form": form})


def _detail_url(case: Case, assessment_id: int) -> str:
    return f"{reverse('assessments:detail', kwargs={'pk': case.pk})}?id={assessment_id}"


@require_GET
@permission_required("case_assessment", "view")
def assessment_detail(request, pk: int):
    case = case_assessments.get_object_or_404(request.user, "view", pk=pk)
    raw = request.GET.get("id")
    if raw is None:
        return redirect("assessments:list", pk=case.pk)
    if not ID_RE.fullmatch(raw):
        raise Http404
    assessment = selectors.assessment_detail(case, int(raw))
    if assessment is None:
        raise Http404
    record_view(actor=request.user, obj=assessment, request=request)
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "assessment": assessment,
            "groups": selectors.ratings_by_dimension(assessment),
            "scale": selectors.Scale.of(assessment.framework.levels.all()),
            "can_change": _can_change(request, case),
            "refusal": refusal_for_status(case.status),
        },
    )


@require_GET
@permission_required("case_assessment", "view")
def assessment_compare(request, pk: int):
    case = case_assessments.get_object_or_404(request.user, "view", pk=pk)
    comparison = selectors.compare_assessments(case)
    if comparison.possible:
        # Every assessment whose evidence the page shows.
        shown = {a.pk: a for c in comparison.contrasts for a in (c.earlier, c.later)}
        # One transaction for the page's events: one commit, one hold of the
        # audit chain's head lock.
        with transaction.atomic():
            for assessment in shown.values():
                record_view(actor=request.user, obj=assessment, request=request)
    return render(
        request,
        f"{TEMPLATES}/compare.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "comparison": comparison,
            "can_change": _can_change(request, case),
            "refusal": refusal_for_status(case.status),
        },
    )


urlpatterns = [
    path("<int:pk>/assessments/", assessment_list, name="list"),
    path("<int:pk>/assessments/new/", assessment_create, name="create"),
    path("<int:pk>/assessments/view/", assessment_detail, name="detail"),
    path("<int:pk>/assessments/compare/", assessment_compare, name="compare"),
]
