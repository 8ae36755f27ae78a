"""The tabs of a case, each shown only to users whose roles reach it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from .permissions import CasePolicy

TABS = [
    ("Overview", "cases:detail", "case"),
    ("Assessments", "assessments:list", "case_assessment"),
    ("Plan and reviews", "cases:plan", "case_plan"),
    ("Matching", "matching:suggestions", "case_matching"),
    ("Sessions", "meetings:case_sessions", "case_sessions"),
    ("Timeline", "cases:timeline", "case"),
]


def case_tabs(request, case) -> list[dict]:
    tabs = []
    for label, url_name, resource in TABS:
        if not CasePolicy(resource).has_object_permission(request.user, "view", case):
            continue
        try:
            href = reverse(url_name, kwargs={"pk": case.pk})
        except NoReverseMatch:  # a tab whose page is not installed
            continue
        tabs.append({"text": label, "href": href, "active": request.path == href})
    return tabs
