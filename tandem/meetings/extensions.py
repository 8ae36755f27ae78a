"""Extension points for capabilities above meetings.

- **Planning warnings.** Before a session is planned (scheduled, or a planned one
  changed), every registered check looks at what is planned and may return warnings in
  words. The mentor sees them and must confirm before the session is saved; a session
  planned despite a warning is on the case's timeline and in the audit log. The
  rehabilitation pathway registers the licence-condition checks (an exclusion zone, a
  person the licence says not to meet)::

      register_planning_check(check)   # check(planned: PlannedSession) -> list[str]

- **Session actions.** Links a capability above offers on a session's page (for example
  recording the visit booking of a session in custody)::

      register_session_action(action)   # action(user, session) -> list[dict(text, href)]

Checks and actions must not write; they may read what they need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from tandem.cases.models import Case
from tandem.catalogues.models import Area


@dataclass(frozen=True)
class PlannedSession:
    """What is about to be planned for ``case``."""

    case: Case
    starts_at: dt.datetime
    place_type: object
    area: Area | None = None
    others_expected: str = ""


PlanningCheck = Callable[[PlannedSession], list[str]]
SessionAction = Callable[[object, object], list[dict]]

_planning_checks: dict[str, PlanningCheck] = {}
_session_actions: dict[str, SessionAction] = {}


def register_planning_check(name: str, check: PlanningCheck) -> None:
    """Add (or replace) the planning check called ``name``."""
    _planning_checks[name] = check


def register_session_action(name: str, action: SessionAction) -> None:
    """Add (or replace) the session-page action called ``name``."""
    _session_actions[name] = action


def planning_warnings(planned: PlannedSession) -> list[str]:
    """Every registered check's warnings for ``planned``, in registration order."""
    warnings: list[str] = []
    for check in _planning_checks.values():
        warnings += [w for w in check(planned) if w not in warnings]
    return warnings


def session_actions(user, session) -> list[dict]:
    links: list[dict] = []
    for action in _session_actions.values():
        links += action(user, session)
    return links
