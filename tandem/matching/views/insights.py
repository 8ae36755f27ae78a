"""What the scheme learns from matching: pool gaps (whom to recruit) and fairness
(who waits longer, who gets weaker matches).

Pool gaps show case references only to users who may match every case (coordinators),
with a link to each case's matching page; board members see only profiles shared by at
least 8 people, the rest merged, with every count through the shared disclosure control
(``tandem.core.disclosure``). The fairness view shows aggregates with small numbers
withheld and names no case at all. Both compare the pool's ethnic groups with the
people referred, protected the same way.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.cases.selectors import waiting_text
from tandem.cases.services.lists import case_list_audit
from tandem.catalogues.models import Area
from tandem.core.access import Scope
from tandem.core.links import url_if_installed
from tandem.core.permissions import permission_required

from ..diversity import ethnicity_comparison
from ..fairness import SMALL_COUNT, fairness_tables
from ..gaps import pool_gaps, protected_count, protected_needs, protected_profiles
from ..permissions import case_matching

TEMPLATES = "matching/insights"


def _case_link(pk: int) -> str:
    """The case's matching page, or its record while matching pages are not installed."""
    return url_if_installed("matching:suggestions", pk=pk) or reverse("cases:detail", args=[pk])


@require_GET
@permission_required("pool_gaps", "view")
def gaps(request):
    now = timezone.now()
    report = pool_gaps()
    show_cases = Scope.ALL in case_matching.scopes(request.user, "view")
    profiles = [
        {
            "profile": profile,
            "longest_wait": waiting_text(profile.waiting_since, now),
            "cases": (
                [
                    {
                        "reference": case.reference,
                        "url": _case_link(case.pk),
                        "waiting": waiting_text(case.waiting_since, now),
                    }
                    for case in profile.cases
                ]
                if show_cases
                else []
            ),
        }
        for profile in report.profiles
    ]
    if show_cases and profiles:
        case_list_audit(actor=request.user, reason="Pool gaps", request=request)
    protected = None
    if not show_cases:
        rows, gaps_total = protected_profiles(report)
        protected = {
            "profiles": [
                {
                    "profile": row,
                    "longest_wait": (
                        waiting_text(row.longest_wait_since, now) if row.longest_wait_since else ""
                    ),
                }
                for row in rows
            ],
            "gaps": gaps_total,
            "waiting": protected_count(report.waiting),
            "mentors": protected_count(report.mentors),
            "needs": (
                protected_needs(
                    report, areas=list(Area.objects.order_by("name").values_list("name", flat=True))
                )
                if report.profiles
                else []
            ),
        }
        profiles = []
    return render(
        request,
        f"{TEMPLATES}/gaps.html",
        {
            "report": report,
            "profiles": profiles,
            "show_cases": show_cases,
            "protected": protected,
            "small_count": SMALL_COUNT,
            "comparison": ethnicity_comparison(now=now),
        },
    )


@require_GET
@permission_required("matching_fairness", "view")
def fairness(request):
    return render(
        request,
        f"{TEMPLATES}/fairness.html",
        {
            "tables": fairness_tables(),
            "small_count": SMALL_COUNT,
            "comparison": ethnicity_comparison(),
        },
    )


urlpatterns = [
    path("matching/gaps/", gaps, name="gaps"),
    path("matching/fairness/", fairness, name="fairness"),
]
