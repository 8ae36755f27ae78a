"""The meeting brief: what the mentor needs to meet the person (preferred first name,
how to contact them, risks to the mentor), written by a coordinator for a case with a
working match. The mentor reads it on their workspace."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from tandem.audit.services import record_view
from tandem.cases.navigation import case_tabs
from tandem.core.permissions import permission_required
from tandem.matching.models import WORKING

from ..forms.sessions import BriefForm
from ..models import MeetingBrief
from ..permissions import meeting_briefs
from ..services import sessions as services


@require_http_methods(["GET", "POST"])
@permission_required("meeting_brief", "change")
def brief_edit(request, pk: int):
    case = meeting_briefs.get_object_or_404(request.user, "change", pk=pk)
    brief = MeetingBrief.objects.filter(case=case).select_related("updated_by").first()
    working = case.matches.filter(status__in=WORKING).select_related("mentor").first()
    if request.method == "POST":
        form = BriefForm(request.POST)
        if form.is_valid():
            try:
                services.brief_save(
                    actor=request.user, case=case, request=request, **form.cleaned_data
                )
            except services.SessionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, "The meeting brief is saved. The mentor has been told.")
                return redirect("meetings:brief_edit", pk=case.pk)
    else:
        form = BriefForm(
            initial={
                "preferred_name": brief.preferred_name,
                "contact_details": brief.contact_details,
                "risks_to_mentor": brief.risks_to_mentor,
            }
            if brief
            else None
        )
        if brief is not None:
            record_view(actor=request.user, obj=brief, request=request, reason="meeting brief")
    return render(
        request,
        "meetings/brief_form.html",
        {
            "case": case,
            "brief": brief,
            "form": form,
            "working": working,
            "tabs": case_tabs(request, case),
        },
    )


urlpatterns = [
    path("cases/<int:pk>/brief/", brief_edit, name="brief_edit"),
]
