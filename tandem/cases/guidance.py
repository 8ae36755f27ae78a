"""Guided case work: the next task on a case and the intake as a task list.

``next_task`` and ``intake_tasks`` are pure: they read a case's status and a ``Facts``
snapshot and say what the case page offers, so every branch is tested without a
database. ``case_facts`` builds the snapshot: the facts cases holds (screening,
consent, plan, review due) and those apps above it register with
``register_fact_source`` (assessments: assessed; matching: the live match), one query
per source, whatever the case's history.

A task names a URL by name; the page resolves it only if that URL is installed and
the user may follow it, so a task of an app that is absent is never offered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.utils import timezone

from .lifecycle import ENDED
from .models import Case, CaseStatus, SupportPlan
from .selectors import has_consent

# Facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the guidance needs to know about a case."""

    screened: bool = False
    consent: bool = False
    assessed: bool = False
    plan: bool = False
    review_due: bool = False
    match_status: str = ""  # of the live match: "proposed", "accepted" or "active"
    match_id: int | None = None
    # Of a draft assessment, when the case has no completed one: (dimensions with every
    # factor rated, all dimensions).
    assessment_progress: tuple[int, int] | None = None


# A source answers a few facts about a case, as keyword arguments of ``Facts``.
FactSource = Callable[[Case], dict]

_SOURCES: list[FactSource] = []


def register_fact_source(source: FactSource) -> None:
    """Add facts an app above cases holds (registering the same source twice is a no-op)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def case_facts(case: Case, *, today: dt.date | None = None) -> Facts:
    """The facts about ``case``: its own, then each registered source's."""
    today = today or timezone.localdate()
    facts = Facts(
        screened=bool(case.screening_outcome),
        consent=has_consent(case),
        plan=_has_plan(case),
        review_due=bool(case.next_review_due and case.next_review_due <= today),
    )
    for source in _SOURCES:
        facts = replace(facts, **source(case))
    return facts


def _has_plan(case: Case) -> bool:
    return SupportPlan.objects.filter(case=case).exists()


# Tasks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """A piece of work on the case and the page that does it."""

    text: str
    url_name: str
    url_kwargs: tuple[tuple[str, int], ...] = ()
    query: str = ""  # appended to the URL, for a page that offers several moves


def _case_task(text: str, url_name: str, case_pk: int, query: str = "") -> Task:
    return Task(text, url_name, (("pk", case_pk),), query)


def next_task(case_pk: int, status: str, facts: Facts) -> Task | None:
    """The one task that moves the case on now, or None when nothing is waiting on the
    coordinator (an ended case, or a proposal waiting for the mentor's answer)."""
    if status == CaseStatus.REFERRED or (status == CaseStatus.SCREENING and not facts.screened):
        return _case_task("Screen the referral", "cases:screen", case_pk)
    if status == CaseStatus.SCREENING:
        return _case_task("Record consent", "cases:consent", case_pk)
    if status == CaseStatus.ASSESSMENT:
        if not facts.consent:
            return _case_task("Record consent", "cases:consent", case_pk)
        if not facts.assessed:
            return _assessment_task(case_pk, facts)
        if not facts.plan:
            return _case_task("Write the plan", "cases:plan_edit", case_pk)
        return _case_task(
            "Mark as ready for a match", "cases:act", case_pk, "action=complete_assessment"
        )
    if status == CaseStatus.AWAITING_MATCH:
        if facts.match_status == "proposed":
            return None  # the mentor answers next
        return _case_task("Find a mentor", "matching:suggestions", case_pk)
    if status == CaseStatus.MATCHED and facts.match_status == "accepted" and facts.match_id:
        return Task("Record the first meeting", "matching:match_start", (("pk", facts.match_id),))
    if status in (CaseStatus.MATCHED, CaseStatus.ACTIVE):
        if not facts.plan:
            return _case_task("Write the plan", "cases:plan_edit", case_pk)
        if facts.review_due:
            return _case_task("Record a review", "cases:review_add", case_pk)
        return None
    if status == CaseStatus.CLOSING:
        return _case_task("Close the case", "cases:close", case_pk)
    if status == CaseStatus.ON_HOLD:
        return _case_task("Resume support", "cases:act", case_pk, "action=resume")
    return None


def _assessment_task(case_pk: int, facts: Facts) -> Task:
    if facts.assessment_progress is not None:
        return _case_task("Continue the assessment", "assessments:create", case_pk)
    return _case_task("Start the assessment", "assessments:create", case_pk)


def waiting_on_others(status: str, facts: Facts) -> str:
    """What the case is waiting for when the coordinator has no task, or ""."""
    if status == CaseStatus.AWAITING_MATCH and facts.match_status == "proposed":
        return "A mentor has been proposed: the case waits for their answer."
    return ""


# The intake task list ------------------------------------------------------------------

COMPLETED = "Completed"
NOT_STARTED = "Not started"
CANNOT_START = "Cannot start yet"
NOT_NEEDED = "Not needed"
IN_PROGRESS = "In progress"


@dataclass(frozen=True)
class IntakeTask:
    title: str
    status: str  # one of COMPLETED, NOT_STARTED, IN_PROGRESS, CANNOT_START, NOT_NEEDED
    hint: str
    task: Task | None  # where to do it, when it can be done now

    @property
    def done(self) -> bool:
        return self.status == COMPLETED


# From here on, the intake's screening and consent lie behind the case.
_AFTER_SCREENING = frozenset(
    {
        CaseStatus.ASSESSMENT,
        CaseStatus.AWAITING_MATCH,
        CaseStatus.MATCHED,
        CaseStatus.ACTIVE,
        CaseStatus.CLOSING,
        CaseStatus.ON_HOLD,
    }
)


def intake_tasks(case_pk: int, status: str, facts: Facts) -> list[IntakeTask]:
    """Screening, consent, assessment and plan, each with its status and, when it can be
    done now, the task that does it. An ended case's open steps are not needed."""
    ended = status in ENDED
    screenable = status in (CaseStatus.REFERRED, CaseStatus.SCREENING)
    plannable = status in _AFTER_SCREENING

    def step(title, hint, done, can_start, task, progress=None):
        if done:
            return IntakeTask(title, COMPLETED, hint, None)
        if ended:
            return IntakeTask(title, NOT_NEEDED, hint, None)
        if not can_start:
            return IntakeTask(title, CANNOT_START, hint, None)
        if progress is not None:
            return IntakeTask(title, IN_PROGRESS, progress, task)
        return IntakeTask(title, NOT_STARTED, hint, task)

    progress = facts.assessment_progress
    assessment_progress = (
        f"A draft: {progress[0]} of {progress[1]} dimensions rated." if progress else None
    )

    return [
        step(
            "Screen the referral",
            "Is the person vulnerable, and is mentoring the right support?",
            facts.screened or plannable,
            screenable,
            _case_task("Screen the referral", "cases:screen", case_pk),
        ),
        step(
            "Record consent",
            "From the person, or for a child a parent or guardian.",
            facts.consent,
            screenable or plannable,
            _case_task("Record consent", "cases:consent", case_pk),
        ),
        step(
            "Assess the person",
            "Rate every factor of the assessment framework.",
            facts.assessed,
            plannable and facts.consent,
            _assessment_task(case_pk, facts),
            assessment_progress,
        ),
        step(
            "Write the plan",
            "The approach, how often to meet and the goals.",
            facts.plan,
            plannable,
            _case_task("Write the plan", "cases:plan_edit", case_pk),
        ),
    ]
