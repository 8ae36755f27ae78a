"""Diversity monitoring on a case: coordinators record or correct the person's ethnic
group. Reading it is audited with the page's reason; referrers never see it again after
the referral, mentors and supervisors not at all."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from tandem.audit.services import record_view
from tandem.core.permissions import permission_required

from ..forms.diversity import CaseEthnicityForm
from ..permissions import cases
from ..services.diversity import case_ethnicity_change
from ..services.lifecycle import CaseConflict, LifecycleRefused


@require_http_methods(["GET", "POST"])
@permission_required("case", "change")
def ethnicity(request, pk: int):
    case = cases.get_object_or_404(request.user, "change", pk=pk)
    initial = {
        "ethnicity": case.ethnicity or "",
        "ethnicity_description": case.ethnicity_description or "",
    }
    if request.method == "GET":
        record_view(actor=request.user, obj=case, request=request, reason="ethnicity")
    form = CaseEthnicityForm(
        request.POST if request.method == "POST" else None, case=case, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case_ethnicity_change(
                actor=request.user,
                case=case,
                ethnicity=data["ethnicity"],
                description=data["ethnicity_description"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, LifecycleRefused) as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "The person's ethnic group has been saved.")
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/diversity/ethnicity.html", {"case": case, "form": form})


urlpatterns = [
    path("<int:pk>/ethnicity/", ethnicity, name="ethnicity"),
]
