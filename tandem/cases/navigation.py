"""The tabs of a case, each shown only to users whose roles reach it, and for those who
may change the case its next task (``guidance.next_task``), offered on every tab."""

from __future__ import annotations

from tandem.core.access import matrix
from tandem.core.links import url_if_installed
from tandem.core.navigation import record_tabs
from tandem.core.permissions import has_permission

from .guidance import Task, case_facts, next_task
from .permissions import CasePolicy, cases

TABS = [
    ("Overview", "cases:detail", "case"),
    ("Assessments", "assessments:list", "case_assessment"),
    ("Plan and reviews", "cases:plan", "case_plan"),
    ("Matching", "matching:suggestions", "case_matching"),
    ("Sessions", "meetings:case_sessions", "case_sessions"),
    ("Safeguarding", "safeguarding:case_concerns", "case_concerns"),
    ("Rehabilitation", "rehabilitation:case", "case_rehabilitation"),
    ("Success", "outcomes:case_success", "case_outcomes"),
    ("Sharing", "privacy:case_sharing", "case_sharing"),
    ("Timeline", "cases:timeline", "case"),
]


class CaseTabs(list):
    """The tabs, and the case's next task as a link (``{"text", "href"}``) or None."""

    next_task: dict | None = None


def task_href(user, task: Task | None) -> str:
    """The address of ``task``'s page, or "" when it is not installed or the user's
    roles may not follow it."""
    if task is None:
        return ""
    href = url_if_installed(task.url_name, **dict(task.url_kwargs))
    if not href:
        return ""
    resource, _, action = matrix().url_rule(task.url_name).partition(".")
    if action and not has_permission(user, resource, action):
        return ""
    return f"{href}?{task.query}" if task.query else href


def case_tabs(request, case, *, with_next_task: bool = True) -> CaseTabs:
    """The case's tabs; with its next task unless the page shows the task itself (the
    overview does, with the intake) or the user may not change the case."""
    tabs = CaseTabs(record_tabs(request, case, TABS, CasePolicy))
    if with_next_task and cases.has_object_permission(request.user, "change", case):
        task = next_task(case.pk, case.status, case_facts(case))
        href = task_href(request.user, task)
        if href and href.split("?")[0] != request.path:
            tabs.next_task = {"text": task.text, "href": href}
    return tabs
