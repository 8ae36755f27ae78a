"""Adding a goal to a case's support plan, changing it, or stopping its use (its scores
in past reviews are kept)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from tandem.audit.services import record_view
from tandem.core.permissions import permission_required

from ..forms.plans import (
    GoalForm,
    VersionedForm,
)
from ..models import Case, Goal
from ..services import plans as services
from ..services.lifecycle import CaseConflict
from .plans import (
    TEMPLATES,
    back_to_plan,
    blocked_reason,
    id_from,
    plan_case,
    plan_of,
    posted_data,
    show_refusal,
)


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def goal_add(request, pk: int):
    case = plan_case(request, pk, "change", Case.objects.select_related("plan"))
    blocked = blocked_reason(case, has_plan=plan_of(case) is not None)
    form = GoalForm(posted_data(request), case=case)
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            goal = services.goal_add(
                actor=request.user,
                case=case,
                data=form.goal_data(),
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (CaseConflict, services.PlanRefused) as error:
            show_refusal(form, case, error)
        else:
            return back_to_plan(request, case, f"Goal {goal.position} is added to the plan.")
    return render(
        request,
        f"{TEMPLATES}/goal_form.html",
        {
            "case": case,
            "form": form,
            "goal": None,
            "heading": "Add a goal",
            "blocked": blocked,
        },
    )


def _goal_of(case: Case, value) -> Goal:
    goal_id = id_from(value)
    if goal_id is None:
        raise Http404
    try:
        goal = Goal.objects.get(case=case, pk=goal_id)
    except Goal.DoesNotExist:
        raise Http404 from None
    goal.case = case
    return goal


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def goal_edit(request, pk: int):
    """Change a goal, or stop using it. The goal is named by ``goal`` in the query string
    (to show the form) or the posted form, and must belong to the case."""
    case = plan_case(request, pk, "change")
    if request.method == "GET" and "goal" not in request.GET:
        return redirect("cases:plan", pk=case.pk)
    source = request.POST if request.method == "POST" else request.GET
    goal = _goal_of(case, source.get("goal"))
    blocked = blocked_reason(case)
    if not blocked and not goal.is_active:
        blocked = f"Goal {goal.position} is no longer in use. Its scores in past reviews are kept."
    deactivating = request.method == "POST" and "deactivate" in request.POST
    form = GoalForm(
        None if deactivating else posted_data(request),
        case=case,
        initial=GoalForm.initial_from(goal),
    )
    deactivate_form = VersionedForm(request.POST if deactivating else None, case=case)
    if request.method == "POST" and not blocked:
        if deactivating and deactivate_form.is_valid():
            try:
                services.goal_deactivate(
                    actor=request.user,
                    case=case,
                    goal=goal,
                    expected_version=deactivate_form.cleaned_data["version"],
                    request=request,
                )
            except (CaseConflict, services.PlanRefused) as error:
                show_refusal(deactivate_form, case, error)
                form = GoalForm(case=case, initial=GoalForm.initial_from(goal))
            else:
                return back_to_plan(
                    request, case, "The goal is no longer in use. Its scores are kept."
                )
        elif not deactivating and form.is_valid():
            try:
                services.goal_change(
                    actor=request.user,
                    case=case,
                    goal=goal,
                    data=form.goal_data(),
                    expected_version=form.cleaned_data["version"],
                    request=request,
                )
            except (CaseConflict, services.PlanRefused) as error:
                show_refusal(form, case, error)
            else:
                return back_to_plan(request, case, "The goal is changed.")
    if request.method == "GET" and not blocked:
        record_view(actor=request.user, obj=case, request=request, reason="Support plan: goal")
    return render(
        request,
        f"{TEMPLATES}/goal_form.html",
        {
            "case": case,
            "form": form,
            "deactivate_form": deactivate_form,
            "goal": goal,
            "heading": f"Change goal {goal.position}",
            "times_scored": goal.scores.count(),
            "blocked": blocked,
        },
    )


urlpatterns = [
    path("<int:pk>/plan/goals/new/", goal_add, name="goal_add"),
    path("<int:pk>/plan/goals/edit/", goal_edit, name="goal_edit"),
]
