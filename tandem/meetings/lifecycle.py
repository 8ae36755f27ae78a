"""The session lifecycle as data: which step moves a session from which statuses to
which.

planned → held / did not attend / cancelled (by the person, the mentor or the scheme)
/ rescheduled (a new planned session takes its place, linked by ``rescheduled_to``).
Every status but planned is final. Services enforce this table; nothing else changes
a session's status.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import SessionStatus


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # the button or link that takes the step
    sources: frozenset[str]
    target: str
    timeline: str  # the case timeline's line, never any note text


STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "record_held",
            "Record as held",
            frozenset({SessionStatus.PLANNED}),
            SessionStatus.HELD,
            "Session held",
        ),
        Step(
            "record_missed",
            "Record that they did not attend",
            frozenset({SessionStatus.PLANNED}),
            SessionStatus.DID_NOT_ATTEND,
            "Session not attended",
        ),
        Step(
            "cancel",
            "Cancel the session",
            frozenset({SessionStatus.PLANNED}),
            SessionStatus.CANCELLED,
            "Session cancelled",
        ),
        Step(
            "reschedule",
            "Move to another time",
            frozenset({SessionStatus.PLANNED}),
            SessionStatus.RESCHEDULED,
            "Session moved",
        ),
    ]
}

# A planned session's details (time, length, place) can be changed only while planned.
EDITABLE = frozenset({SessionStatus.PLANNED})

# Every (from, to) pair the lifecycle allows, for tests and documentation.
ALLOWED_MOVES: frozenset[tuple[str, str]] = frozenset(
    (source, step.target) for step in STEPS.values() for source in step.sources
)


def available_steps(status: str) -> list[Step]:
    return [s for s in STEPS.values() if status in s.sources]
