"""A request for information as data: which action moves it from which state to which.

logged → decided (release, release in part, refuse, with the exemption relied on) →
answered. Services enforce this table; nothing else changes a request's status.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import RequestDecision, RequestStatus


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str


REQUEST_ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("decide", "Decide", frozenset({RequestStatus.LOGGED}), RequestStatus.DECIDED),
        Action(
            "redecide",
            "Change the decision",
            frozenset({RequestStatus.DECIDED}),
            RequestStatus.DECIDED,
        ),
        Action("answer", "Record the answer", frozenset({RequestStatus.DECIDED}), "answered"),
    ]
}

ALLOWED_MOVES: frozenset[tuple[str, str]] = frozenset(
    (source, action.target) for action in REQUEST_ACTIONS.values() for source in action.sources
)

# What each decision needs besides itself.
RELEASING = frozenset({RequestDecision.RELEASE, RequestDecision.PART_RELEASE})


def available_actions(status: str) -> list[Action]:
    return [a for a in REQUEST_ACTIONS.values() if status in a.sources]


def can(action: str, status: str) -> bool:
    return status in REQUEST_ACTIONS[action].sources
