"""The case lifecycle as data: which action moves a case from which states to which.

referred → screening → assessment → awaiting match → matched → active → closing →
closed, with side exits (not suitable, consent declined or withdrawn, escalated to
statutory services) and on hold. A broken match returns the case to awaiting match.
Services enforce this table; nothing else changes a case's status.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import CaseStatus

S = CaseStatus

# States in which the person is still with the scheme.
OPEN = frozenset(
    {
        S.REFERRED,
        S.SCREENING,
        S.ASSESSMENT,
        S.AWAITING_MATCH,
        S.MATCHED,
        S.ACTIVE,
        S.CLOSING,
        S.ON_HOLD,
    }
)
# States from which support can be paused, escalated or ended by withdrawal.
IN_PROGRESS = frozenset({S.ASSESSMENT, S.AWAITING_MATCH, S.MATCHED, S.ACTIVE})
ENDED = frozenset({S.CLOSED, S.NOT_SUITABLE, S.CONSENT_DECLINED, S.CONSENT_WITHDRAWN, S.ESCALATED})


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: back to the status the case had before (resume from hold)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("start_screening", "Start screening", frozenset({S.REFERRED}), S.SCREENING),
        Action("screen_in", "Screened in, consent given", frozenset({S.SCREENING}), S.ASSESSMENT),
        Action(
            "screen_out", "Not appropriate", frozenset({S.REFERRED, S.SCREENING}), S.NOT_SUITABLE
        ),
        Action("decline_consent", "Consent declined", frozenset({S.SCREENING}), S.CONSENT_DECLINED),
        Action(
            "complete_assessment", "Ready for a match", frozenset({S.ASSESSMENT}), S.AWAITING_MATCH
        ),
        Action("match", "Matched with a mentor", frozenset({S.AWAITING_MATCH}), S.MATCHED),
        Action("start_support", "Match started", frozenset({S.MATCHED}), S.ACTIVE),
        Action(
            "break_match",
            "Match ended, needs a new mentor",
            frozenset({S.MATCHED, S.ACTIVE}),
            S.AWAITING_MATCH,
        ),
        Action(
            "start_closing",
            "Start closing",
            frozenset({S.ASSESSMENT, S.AWAITING_MATCH, S.MATCHED, S.ACTIVE}),
            S.CLOSING,
        ),
        Action("close", "Close", frozenset({S.CLOSING}), S.CLOSED),
        Action(
            "withdraw_consent",
            "Consent withdrawn",
            frozenset(IN_PROGRESS | {S.CLOSING, S.ON_HOLD}),
            S.CONSENT_WITHDRAWN,
        ),
        Action(
            "escalate",
            "Escalated to statutory services",
            frozenset(IN_PROGRESS | {S.SCREENING, S.CLOSING, S.ON_HOLD}),
            S.ESCALATED,
        ),
        Action("hold", "Put on hold", IN_PROGRESS, S.ON_HOLD),
        Action("resume", "Resume", frozenset({S.ON_HOLD}), None),
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
