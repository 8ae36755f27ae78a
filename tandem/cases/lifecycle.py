"""The case lifecycle as data: which action moves a case from which states to which.

referred → screening → assessment → awaiting match → matched → active → closing →
closed, with side exits (not suitable, consent declined or withdrawn, escalated to
statutory services) and on hold. A broken match returns the case to awaiting match.
Services enforce this table; nothing else changes a case's status.

Some moves also need facts that other apps hold: a case waits for a match only with
consent in force and a current assessment. Each requirement is a function of the case
that says what is missing (or None), registered for the action that needs it
(``register_requirement``): cases registers consent, assessments registers the
assessment, so this module never imports an app above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Case, CaseStatus

# States in which the person is still with the scheme.
OPEN = frozenset(
    {
        CaseStatus.REFERRED,
        CaseStatus.SCREENING,
        CaseStatus.ASSESSMENT,
        CaseStatus.AWAITING_MATCH,
        CaseStatus.MATCHED,
        CaseStatus.ACTIVE,
        CaseStatus.CLOSING,
        CaseStatus.ON_HOLD,
    }
)
# States from which support can be paused, escalated or ended by withdrawal.
IN_PROGRESS = frozenset(
    {CaseStatus.ASSESSMENT, CaseStatus.AWAITING_MATCH, CaseStatus.MATCHED, CaseStatus.ACTIVE}
)
ENDED = frozenset(
    {
        CaseStatus.CLOSED,
        CaseStatus.NOT_SUITABLE,
        CaseStatus.CONSENT_DECLINED,
        CaseStatus.CONSENT_WITHDRAWN,
        CaseStatus.ESCALATED,
    }
)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: back to the status the case had before (resume from hold)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "start_screening",
            "Start screening",
            frozenset({CaseStatus.REFERRED}),
            CaseStatus.SCREENING,
        ),
        Action(
            "screen_in",
            "Screened in, consent given",
            frozenset({CaseStatus.SCREENING}),
            CaseStatus.ASSESSMENT,
        ),
        Action(
            "screen_out",
            "Not appropriate",
            frozenset({CaseStatus.REFERRED, CaseStatus.SCREENING}),
            CaseStatus.NOT_SUITABLE,
        ),
        Action(
            "decline_consent",
            "Consent declined",
            frozenset({CaseStatus.SCREENING}),
            CaseStatus.CONSENT_DECLINED,
        ),
        Action(
            "complete_assessment",
            "Ready for a match",
            frozenset({CaseStatus.ASSESSMENT}),
            CaseStatus.AWAITING_MATCH,
        ),
        Action(
            "match",
            "Matched with a mentor",
            frozenset({CaseStatus.AWAITING_MATCH}),
            CaseStatus.MATCHED,
        ),
        Action(
            "start_support", "Match started", frozenset({CaseStatus.MATCHED}), CaseStatus.ACTIVE
        ),
        Action(
            "break_match",
            "Match ended, needs a new mentor",
            frozenset({CaseStatus.MATCHED, CaseStatus.ACTIVE}),
            CaseStatus.AWAITING_MATCH,
        ),
        Action(
            "start_closing",
            "Start closing",
            frozenset(
                {
                    CaseStatus.ASSESSMENT,
                    CaseStatus.AWAITING_MATCH,
                    CaseStatus.MATCHED,
                    CaseStatus.ACTIVE,
                }
            ),
            CaseStatus.CLOSING,
        ),
        Action("close", "Close", frozenset({CaseStatus.CLOSING}), CaseStatus.CLOSED),
        Action(
            "withdraw_consent",
            "Consent withdrawn",
            frozenset(IN_PROGRESS | {CaseStatus.CLOSING, CaseStatus.ON_HOLD}),
            CaseStatus.CONSENT_WITHDRAWN,
        ),
        Action(
            "escalate",
            "Escalated to statutory services",
            frozenset(IN_PROGRESS | {CaseStatus.SCREENING, CaseStatus.CLOSING, CaseStatus.ON_HOLD}),
            CaseStatus.ESCALATED,
        ),
        Action("hold", "Put on hold", IN_PROGRESS, CaseStatus.ON_HOLD),
        Action("resume", "Resume", frozenset({CaseStatus.ON_HOLD}), None),
    ]
}

# Every (from, to) pair the lifecycle allows, for tests and documentation.
ALLOWED_MOVES: frozenset[tuple[str, str]] = frozenset(
    (source, action.target if action.target else held)
    for action in ACTIONS.values()
    for source in action.sources
    for held in (IN_PROGRESS if action.target is None else {None})
)


def available_actions(status: str) -> list[Action]:
    return [a for a in ACTIONS.values() if status in a.sources]


def target_of(action: Action, *, status_before_hold: str) -> str:
    return action.target or status_before_hold


# Requirements ----------------------------------------------------------------------------

# A requirement answers, for a case, the sentence telling the user what is missing and
# what to do about it, or None when the requirement is met.
Requirement = Callable[[Case], str | None]

_REQUIREMENTS: dict[str, list[Requirement]] = {}

# The move into "awaiting a match" from intake; a broken match or a resume from hold
# returns the case to a state it reached past these requirements.
READY_FOR_MATCH = "complete_assessment"


def register_requirement(action: str, requirement: Requirement) -> None:
    """Make ``action`` refused while ``requirement(case)`` says something is missing.
    Registering the same function twice has no further effect."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown lifecycle action {action!r}")
    requirements = _REQUIREMENTS.setdefault(action, [])
    if requirement not in requirements:
        requirements.append(requirement)


def missing_for(case: Case, action: str) -> list[str]:
    """What ``case`` lacks before ``action`` may happen, in registration order."""
    return [text for check in _REQUIREMENTS.get(action, ()) if (text := check(case))]


def refusal_for_missing(action: str, missing: list[str]) -> str:
    """The message that refuses ``action`` for what is ``missing``."""
    label = ACTIONS[action].label.lower()
    return f"The case cannot be moved by “{label}” yet. " + " ".join(missing)
