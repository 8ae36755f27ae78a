"""Recording a follow-up after a case closed."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from tandem.core.permissions import permission_required

from ..forms.plans import (
    FollowUpForm,
)
from ..services import plans as services
from ..services.lifecycle import CaseConflict
from .plans import (
    TEMPLATES,
    back_to_plan,
    id_from,
    plan_case,
    posted_data,
    show_refusal,
)


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def follow_up(request, pk: int):
    """Record a follow-up after closure as done; which one is a field of the form (and may
    be chosen in advance with ``?follow_up=<id>``)."""
    case = plan_case(request, pk, "change")
    outstanding = case.follow_ups.filter(completed_on__isnull=True)
    initial = {}
    chosen = id_from(request.GET.get("follow_up"))
    if chosen is not None:
        initial["follow_up"] = chosen
    form = FollowUpForm(posted_data(request), case=case, follow_ups=outstanding, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen_follow_up = data["follow_up"]
        try:
            services.follow_up_record(
                actor=request.user,
                case=case,
                follow_up=chosen_follow_up,
                completed_on=data["completed_on"],
                notes=data["notes"],
                re_referred=data["re_referred"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, services.PlanRefused) as error:
            show_refusal(form, case, error)
        else:
            kind = chosen_follow_up.get_kind_display()
            return back_to_plan(request, case, f"The follow-up {kind} is recorded.")
    follow_ups = list(case.follow_ups.all())
    return render(
        request,
        f"{TEMPLATES}/follow_up.html",
        {
            "case": case,
            "form": form,
            "follow_ups": follow_ups,
            "has_outstanding": any(f.completed_on is None for f in follow_ups),
        },
    )


urlpatterns = [
    path("<int:pk>/follow-ups/", follow_up, name="follow_up"),
]
