"""Diversity monitoring for the people referred: their ethnic group, voluntary and
special-category, encrypted under the person's key. Coordinators record or correct it;
every change is audited (the fact of the change, never the answer)."""

from __future__ import annotations

from django.db import transaction

from tandem.audit.services import record_event

from ..models import Case
from .lifecycle import case_version_claim
from .referrals import ethnicity_answer


@transaction.atomic
def case_ethnicity_change(
    *,
    actor,
    case: Case,
    ethnicity: str,
    description: str = "",
    expected_version: int | None = None,
    request=None,
) -> Case:
    """Record the person's ethnic group as they describe it ("" when not answered)."""
    code, words = ethnicity_answer(ethnicity, description)
    locked = case_version_claim(case=case, expected_version=expected_version)
    changed = []
    if (locked.ethnicity or "") != code:
        locked.ethnicity = code or None
        changed.append("ethnicity")
    if (locked.ethnicity_description or "") != words:
        locked.ethnicity_description = words or None
        changed.append("ethnicity_description")
    if changed:
        locked.save(update_fields=changed)
        record_event(
            actor=actor,
            action="case.ethnicity_change",
            obj=locked,
            request=request,
            changed_fields=changed,
        )
    return locked
