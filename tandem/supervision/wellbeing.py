"""The wellbeing check-in: five questions written for Tandem about the last two weeks,
including the signs of secondary trauma that mentoring people drawn to violence can
bring (intrusive memories, numbness and avoidance, being on edge). Each is answered
from 1 ("most of the time") to 5 ("never"), so a higher total is better (5 to 25).

It is a prompt for a conversation with the supervisor, not a clinical measure.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    name: str
    question: str
    short: str


ITEMS = (
    Item("drained", "I have felt worn out or drained by my mentoring.", "Worn out"),
    Item(
        "intrusive",
        "Things I heard in sessions came back to me when I did not want them to, "
        "as thoughts, pictures or dreams.",
        "Unwanted memories",
    ),
    Item(
        "numb",
        "I have felt numb or cut off, or avoided thinking about the people I mentor.",
        "Numb or avoiding",
    ),
    Item(
        "on_edge",
        "I have felt on edge, irritable or unable to switch off after sessions.",
        "On edge",
    ),
    Item("alone", "I have felt alone with what I carry from this work.", "Alone with it"),
)

CHOICES = [
    (1, "Most of the time"),
    (2, "Often"),
    (3, "Sometimes"),
    (4, "Rarely"),
    (5, "Never"),
]


def is_low_score(values: dict[str, int], low_total: int) -> bool:
    """Low when the total is at or below the policy's threshold, or any answer is
    "most of the time"."""
    return sum(values.values()) <= low_total or min(values.values()) == 1


def trend(totals: list[int]) -> str:
    """Words for the latest totals, newest first: how the last compares with the one before."""
    if not totals:
        return "No check-ins yet"
    if len(totals) == 1:
        return f"{totals[0]} of 25"
    latest, before = totals[0], totals[1]
    if latest > before:
        direction = "better"
    elif latest < before:
        direction = "worse"
    else:
        direction = "the same"
    return f"{latest} of 25 ({direction} than {before})"
