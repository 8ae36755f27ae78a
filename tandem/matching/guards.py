"""Holds on matching a case, registered by capabilities above matching.

A hold says that a case awaiting a match must not be matched yet, and why (the
rehabilitation pathway holds a case that came through the multi-agency panel until the
panel has decided, where the scheme's policy says so). Proposing a mentor is refused,
the suggestions page says why instead of suggesting, and batch proposals leave the
case out::

    register_case_hold(CaseHold(name="panel", reason=..., held=...))

``reason(case)`` is the hold in words, or None; ``held()`` is the same rule as a filter
on Case, so that a batch excludes held cases in its one query. The two must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from tandem.cases.models import Case


@dataclass(frozen=True)
class CaseHold:
    name: str
    reason: Callable[[Case], str | None]
    held: Callable[[], Q]


_holds: dict[str, CaseHold] = {}


def register_case_hold(hold: CaseHold) -> None:
    """Add (or replace) the hold called ``hold.name``."""
    _holds[hold.name] = hold


def case_hold(case: Case) -> str | None:
    """Why ``case`` must not be matched yet, or None."""
    for hold in _holds.values():
        if reason := hold.reason(case):
            return reason
    return None


def held_cases() -> Q | None:
    """A filter on Case selecting every held case, or None when nothing holds."""
    conditions = [hold.held() for hold in _holds.values()]
    return reduce(or_, conditions) if conditions else None
