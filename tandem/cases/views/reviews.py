"""Recording a review of a case's plan: each active goal scored, the next review set."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from tandem.audit.services import record_view
from tandem.core.dates import long_date
from tandem.core.permissions import permission_required

from .. import defaults
from ..forms.plans import (
    ReviewForm,
)
from ..models import Case
from ..services import plans as services
from ..services.lifecycle import CaseConflict
from .plans import (
    TEMPLATES,
    back_to_plan,
    blocked_reason,
    plan_case,
    plan_of,
    posted_data,
    show_refusal,
)


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def review_add(request, pk: int):
    case = plan_case(request, pk, "change", Case.objects.select_related("plan"))
    goals = list(case.goals.filter(is_active=True))
    blocked = blocked_reason(case, has_plan=plan_of(case) is not None, has_goals=bool(goals))
    form = ReviewForm(posted_data(request), case=case, goals=goals)
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_record(
                actor=request.user,
                case=case,
                reviewed_on=data["reviewed_on"],
                scores=form.scores(),
                summary=data["summary"],
                reassessment_needed=data["reassessment_needed"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, services.PlanRefused) as error:
            show_refusal(form, case, error)
        else:
            case.refresh_from_db(fields=["next_review_due"])
            due = long_date(case.next_review_due)
            message = f"Review recorded. GAS T-score {review.t_score}. Next review due {due}."
            if review.reassessment_needed:
                message += " A reassessment is prompted."
            return back_to_plan(request, case, message)
    if request.method == "GET" and not blocked:
        record_view(actor=request.user, obj=case, request=request, reason="Support plan: review")
    return render(
        request,
        f"{TEMPLATES}/review_form.html",
        {
            "case": case,
            "form": form,
            "blocked": blocked,
            "interval_weeks": defaults.REVIEW_INTERVAL_WEEKS,
        },
    )


urlpatterns = [
    path("<int:pk>/reviews/new/", review_add, name="review_add"),
]
