"""Closing a case: start closing it, then close it with its outcome and closing report
(which schedules the follow-ups)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from tandem.core.dates import long_date
from tandem.core.permissions import permission_required

from ..cadence import follow_up_dates
from ..forms.plans import (
    CloseForm,
    StartClosingForm,
    VersionedForm,
)
from ..models import CaseStatus
from ..services import plans as services
from ..services.lifecycle import CaseConflict, LifecycleRefused, case_transition
from .plans import (
    START_CLOSING,
    TEMPLATES,
    back_to_plan,
    plan_case,
    show_refusal,
    status_label,
)


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def close(request, pk: int):
    """Start closing a case that is open, then close it with its outcome and closing
    report. The posted ``step`` says which form was sent; a step the case's status no
    longer matches was sent from a stale page."""
    case = plan_case(request, pk, "change")
    can_start = case.status in START_CLOSING.sources
    closing = case.status == CaseStatus.CLOSING
    step = request.POST.get("step") if request.method == "POST" else None
    start_form = StartClosingForm(request.POST if step == "start_closing" else None, case=case)
    close_form = CloseForm(request.POST if step == "close" else None, case=case)

    stale = None
    if (step == "start_closing" and not can_start) or (step == "close" and not closing):
        # Sent from a page showing another status: say so above the form as it is now.
        stale = VersionedForm({"version": case.version}, case=case)
        stale.is_valid()
        stale.add_error(None, str(CaseConflict()))
    elif step == "start_closing" and start_form.is_valid():
        try:
            case_transition(
                actor=request.user,
                case=case,
                action="start_closing",
                expected_version=start_form.cleaned_data["version"],
                reason=start_form.cleaned_data["reason"],
                request=request,
            )
        except (CaseConflict, LifecycleRefused) as error:
            show_refusal(start_form, case, error)
        else:
            messages.success(
                request,
                f"{case.reference} is closing. Record the outcome and the closing report "
                "to close it.",
            )
            return redirect("cases:close", pk=case.pk)
    elif step == "close" and close_form.is_valid():
        data = close_form.cleaned_data
        try:
            services.case_close(
                actor=request.user,
                case=case,
                outcome=data["outcome"],
                closing_report=data["closing_report"],
                closed_on=data["closed_on"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, LifecycleRefused, services.PlanRefused) as error:
            show_refusal(close_form, case, error)
        else:
            due = follow_up_dates(data["closed_on"]).values()
            return back_to_plan(
                request,
                case,
                f"{case.reference} is closed. Follow-ups are due on "
                + " and ".join(long_date(d) for d in sorted(due))
                + ".",
            )
    return render(
        request,
        f"{TEMPLATES}/close.html",
        {
            "case": case,
            "can_start": can_start,
            "closing": closing,
            "start_form": start_form,
            "close_form": close_form,
            # The error summary and the page title follow the form with errors.
            "form": stale or (close_form if close_form.errors else start_form),
            "status_label": status_label(case),
        },
    )


urlpatterns = [
    path("<int:pk>/close/", close, name="close"),
]
