"""The evaluator's exports: ask for one with its purpose, watch it being made in the
background, download it. Each export is the evaluator's own; every request and download
is audited with the purpose. The evaluation analytics. The board's dashboard for a date
range and its quarterly report as a PDF, each viewing and download audited with the
range."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_event
from tandem.core.permissions import has_permission, permission_required

from . import analytics as analysis
from . import dashboard as board
from .board_pdf import board_report_pdf
from .forms import DashboardRangeForm, ExportRequestForm
from .models import EvaluationExport, ExportStatus
from .permissions import evaluation_exports
from .tasks import queue_evaluation_export

SHOWN = 20


@require_http_methods(["GET", "POST"])
@permission_required("evaluation_export", "view")
def exports(request):
    form = ExportRequestForm(request.POST or None)
    may_request = evaluation_exports.has_permission(request.user, "change")
    if request.method == "POST" and may_request and form.is_valid():
        with transaction.atomic():
            export = EvaluationExport.objects.create(
                requested_by=request.user, purpose=form.cleaned_data["purpose"]
            )
            record_event(
                actor=request.user,
                action="evaluation_export.request",
                obj=export,
                reason=export.purpose,
                request=request,
            )
            queue_evaluation_export(export)
        messages.success(
            request,
            "Your export is being made. This page shows when it is ready to download.",
        )
        return redirect("reports:exports")
    if request.method == "POST" and not may_request:
        return redirect("reports:exports")
    mine = evaluation_exports.queryset(request.user, "view").defer("archive")[:SHOWN]
    return render(
        request,
        "reports/exports.html",
        {
            "form": form,
            "may_request": may_request,
            "exports": mine,
            "making": any(e.status in (ExportStatus.WAITING, ExportStatus.RUNNING) for e in mine),
        },
    )


@require_GET
@permission_required("evaluation_export", "view")
def download(request, pk: int):
    export = evaluation_exports.get_object_or_404(request.user, "view", pk=pk)
    if export.status != ExportStatus.READY or not export.archive:
        messages.error(request, "That export is not ready to download.")
        return redirect("reports:exports")
    record_event(
        actor=request.user,
        action="evaluation_export.download",
        obj=export,
        reason=export.purpose,
        request=request,
    )
    response = HttpResponse(bytes(export.archive), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@require_GET
@permission_required("evaluation_analytics", "view")
def analytics(request):
    return render(
        request,
        "reports/analytics.html",
        {
            "figures": analysis.figures(),
            "threshold": analysis.THRESHOLD,
            "covariates": "concern type, pathway and age",
        },
    )


def _range(request) -> tuple[DashboardRangeForm, tuple | None]:
    """The range asked for (the last four complete quarters unless given), or None with
    the form's errors."""
    if "start" in request.GET or "end" in request.GET:
        form = DashboardRangeForm(request.GET)
        if form.is_valid():
            return form, (form.cleaned_data["start"], form.cleaned_data["end"])
        return form, None
    start, end = board.default_range()
    return DashboardRangeForm(initial={"start": start, "end": end}), (start, end)


def _range_words(start, end) -> str:
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"


@require_GET
@permission_required("board_dashboard", "view")
def dashboard(request):
    form, dates = _range(request)
    figures = board.dashboard(*dates) if dates else None
    if figures:
        record_event(
            actor=request.user,
            action="board_dashboard.view",
            reason=_range_words(*dates),
            request=request,
        )
    query = f"?start={dates[0]:%d/%m/%Y}&end={dates[1]:%d/%m/%Y}" if dates else ""
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "board": figures,
            "range_words": _range_words(*dates) if dates else "",
            "with_pool": has_permission(request.user, "pool_gaps", "view"),
            "pdf_url": reverse("reports:dashboard_pdf") + query,
            "threshold": board.THRESHOLD,
        },
    )


@require_GET
@permission_required("board_dashboard", "view")
def dashboard_pdf(request):
    _form, dates = _range(request)
    if not dates:
        return redirect(reverse("reports:dashboard") + "?" + request.GET.urlencode())
    figures = board.dashboard(*dates)
    data = board_report_pdf(figures, with_pool=has_permission(request.user, "pool_gaps", "view"))
    record_event(
        actor=request.user,
        action="board_dashboard.download",
        reason=_range_words(*dates),
        request=request,
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="board-report-{dates[0]:%Y-%m-%d}-to-{dates[1]:%Y-%m-%d}.pdf"'
    )
    return response


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/report.pdf", dashboard_pdf, name="dashboard_pdf"),
    path("analytics/", analytics, name="analytics"),
    path("exports/", exports, name="exports"),
    path("exports/<int:pk>/download/", download, name="export_download"),
]
