"""The tabs of a case, each shown only to users whose roles reach it."""

from __future__ import annotations

from tandem.core.navigation import record_tabs

from .permissions import CasePolicy

TABS = [
    ("Overview", "cases:detail", "case"),
    ("Assessments", "assessments:list", "case_assessment"),
    ("Plan and reviews", "cases:plan", "case_plan"),
    ("Matching", "matching:suggestions", "case_matching"),
    ("Sessions", "meetings:case_sessions", "case_sessions"),
    ("Safeguarding", "safeguarding:case_concerns", "case_concerns"),
    ("Rehabilitation", "rehabilitation:case", "case_rehabilitation"),
    ("Timeline", "cases:timeline", "case"),
]


def case_tabs(request, case) -> list[dict]:
    return record_tabs(request, case, TABS, CasePolicy)
