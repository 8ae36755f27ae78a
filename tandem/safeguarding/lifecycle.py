"""A concern's lifecycle as data: which action moves a concern from which states to
which.

raised → acknowledged → actioned → escalated or resolved → closed, with reopening. An
escalated concern can be escalated again (to another agency) or resolved; closing needs
an outcome and the lead's sign-off (the service checks, a database constraint backs it).
Services enforce this table; nothing else changes a concern's status.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import ConcernStatus as S


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # the button
    sources: frozenset[str]
    target: str
    summary: str  # the timeline and the concern's history, never content


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "acknowledge",
            "Acknowledge",
            frozenset({S.RAISED}),
            S.ACKNOWLEDGED,
            "Safeguarding concern acknowledged",
        ),
        Action(
            "action",
            "Record that it has been actioned",
            frozenset({S.ACKNOWLEDGED}),
            S.ACTIONED,
            "Safeguarding concern actioned",
        ),
        Action(
            "escalate",
            "Escalate to an agency",
            frozenset({S.ACKNOWLEDGED, S.ACTIONED, S.ESCALATED}),
            S.ESCALATED,
            "Safeguarding concern escalated",
        ),
        Action(
            "resolve",
            "Resolve",
            frozenset({S.ACTIONED, S.ESCALATED}),
            S.RESOLVED,
            "Safeguarding concern resolved",
        ),
        Action(
            "close",
            "Sign off and close",
            frozenset({S.ESCALATED, S.RESOLVED}),
            S.CLOSED,
            "Safeguarding concern closed",
        ),
        Action(
            "reopen",
            "Reopen",
            frozenset({S.RESOLVED, S.CLOSED}),
            S.ACKNOWLEDGED,
            "Safeguarding concern reopened",
        ),
    ]
}

OPEN = frozenset(set(S.values) - {S.CLOSED})

ALLOWED_MOVES: frozenset[tuple[str, str]] = frozenset(
    (source, action.target) for action in ACTIONS.values() for source in action.sources
)


def available_actions(status: str) -> list[Action]:
    return [a for a in ACTIONS.values() if status in a.sources]
