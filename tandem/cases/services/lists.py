"""The audit of reading lists of cases."""

from __future__ import annotations

from collections.abc import Iterable

from tandem.audit.services import record_event


def case_list_audit(*, actor, filters: Iterable[str] = (), reason: str = "", request=None) -> None:
    """Who listed cases, and with which filters (names only, never the values)."""
    record_event(
        actor=actor,
        action="case.list",
        object_type="cases.case",
        changed_fields=filters,
        reason=reason,
        request=request,
    )
