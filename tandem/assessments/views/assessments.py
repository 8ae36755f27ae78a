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
    assessment_draft_save,
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
    draft = selectors.case_draft(case)
    if draft is not None and shape is not None and draft.framework_id != shape.framework.pk:
        draft = None  # written against another framework: its answers do not fit
    return {
        "case": case,
        "tabs": case_tabs(request, case),
        "shape": shape,
        "previous": previous,
        "draft": draft,
        "kind": kind,
        "kind_label": AssessmentKind(kind).label,
        "refusal": refusal_for_status(case.status),
    }


def _assessment_form(context: dict, data=None, *, draft: bool = False) -> AssessmentForm:
    previous, shape, saved = context["previous"], context["shape"], context["draft"]
    initial = initial_from(previous, shape)
    if saved is not None:
        # A draft carries on where it was left: its answers over the previous ones.
        initial.update(selectors.draft_answers(saved))
        initial["draft_revision"] = saved.revision
    initial["version"] = context["case"].version
    return AssessmentForm(
        data,
        shape=shape,
        not_before=previous.assessed_on if previous else None,
        initial=initial,
        draft=draft,
    )


def _refreshed_form(
    context: dict, posted, case: Case, message: str, *, draft: bool = False
) -> AssessmentForm:
    """The posted form again, carrying the case's current version (and its draft's
    current revision), with ``message``."""
    data = posted.copy()
    data["version"] = str(case.version)
    saved = context["draft"]
    data["draft_revision"] = str(saved.revision) if saved else ""
    form = _assessment_form(context, data, draft=draft)
    form.is_valid()
    form.add_error(None, message)
    return form


def _save_draft(request, case: Case, context: dict):
    """ "Save and continue later": keep what is typed as the case's draft. Only what
    was typed is checked; with an error, or a draft saved meanwhile by someone else,
    the page comes back with everything typed and nothing is overwritten."""
    form = _assessment_form(context, request.POST, draft=True)
    if not form.is_valid():
        if "version" in form.errors:
            form = _refreshed_form(context, request.POST, case, INCOMPLETE_PAGE, draft=True)
        return render(request, f"{TEMPLATES}/create.html", {**context, "form": form})
    try:
        draft = assessment_draft_save(
            actor=request.user,
            case=case,
            shape=context["shape"],
            answers=form.answers(),
            expected_revision=form.cleaned_data.get("draft_revision"),
            request=request,
        )
    except AssessmentRefused as refusal:
        context = _create_context(request, case, context["shape"])
        form = _refreshed_form(context, request.POST, case, str(refusal), draft=True)
        return render(request, f"{TEMPLATES}/create.html", {**context, "form": form})
    messages.success(
        request,
        f"Draft saved for {case.reference}: {draft.dimensions_done} of "
        f"{draft.dimensions_total} dimensions rated. Continue it from the case's intake "
        "tasks.",
    )
    return redirect("cases:detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
@permission_required("case_assessment", "change")
def assessment_create(request, pk: int):
    case = case_assessments.get_object_or_404(request.user, "change", pk=pk)
    shape = selectors.default_framework_shape()
    context = _create_context(request, case, shape)
    if shape is None or (context["refusal"] and request.method == "GET"):
        # Nothing to fill in: say why instead of showing a form that cannot be saved.
        return render(request, f"{TEMPLATES}/create.html", {**context, "form": None})

    if request.method == "POST" and "draft" in request.POST:
        return _save_draft(request, case, context)
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
    elif request.method == "GET":
        # The form shows the previous assessment's evidence, and the draft's answers.
        with transaction.atomic():
            for shown in (context["previous"], context["draft"]):
                if shown is not None:
                    record_view(actor=request.user, obj=shown, request=request)
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
