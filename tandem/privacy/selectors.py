"""Reads of what was shared, each scoped to the acting user through the policies."""

from __future__ import annotations

from django.urls import reverse

from tandem.cases.extensions import ReferralLink, ReferralSection
from tandem.core.permissions import has_permission

from .models import Disclosure, InformationRequest, ProgressReport, RequestStatus
from .permissions import reports, requests, sharing_log


def case_disclosures(case) -> list[Disclosure]:
    return list(
        Disclosure.objects.filter(case=case).select_related(
            "case", "lawful_basis", "authorised_by", "recorded_by"
        )
    )


def case_requests(case) -> list[InformationRequest]:
    return list(
        InformationRequest.objects.filter(case=case).select_related(
            "case", "lawful_basis", "decided_by"
        )
    )


def case_reports(case) -> list[ProgressReport]:
    return list(
        ProgressReport.objects.filter(case=case).select_related(
            "case", "composed_by", "released_by"
        )
    )


def log_for(user):
    """The scheme's sharing log as ``user`` may see it: newest first, no free text read
    (the list shows kind, case reference, agency, basis and who authorised it)."""
    return sharing_log.queryset(user, "view").select_related(
        "case", "lawful_basis", "authorised_by"
    )


def open_requests_for(user):
    return (
        requests.queryset(user, "view")
        .exclude(status=RequestStatus.ANSWERED)
        .select_related("case")
        .order_by("received_on", "pk")
    )


def answered_requests_for(user):
    return (
        requests.queryset(user, "view")
        .filter(status=RequestStatus.ANSWERED)
        .select_related("case")
        .order_by("-answered_on", "-pk")
    )


def released_reports_section(case, user) -> ReferralSection | None:
    """The referral status page's section: the progress reports released to the
    referrer about this person."""
    if not has_permission(user, "progress_report", "view"):
        return None
    released = reports.queryset(user, "view").filter(case=case).order_by("-released_at")
    return ReferralSection(
        heading="Progress reports",
        empty="No progress report has been released to you yet.",
        links=[
            ReferralLink(
                text=f"Progress report, {r.period_start:%-d %B %Y} to {r.period_end:%-d %B %Y}",
                href=reverse("privacy:report_detail", args=[r.pk]),
                detail=f"released {r.released_at:%-d %B %Y}",
            )
            for r in released.only("pk", "period_start", "period_end", "released_at")
        ],
    )
