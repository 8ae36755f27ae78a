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


def person_search_audit(*, actor, searched_by: Iterable[str], request=None) -> None:
    """That ``actor`` searched for a person, and by which fields: never the name or date of
    birth typed, which are exactly what the log must not hold."""
    record_event(
        actor=actor,
        action="case.search",
        object_type="cases.case",
        changed_fields=searched_by,
        request=request,
    )
