"""Rectification (UK GDPR Article 16): correcting one field of a person's record, with
the reason.

The fields that can be corrected are data (``FIELDS``), each with its kind (a line, a
text, a date) and whether the old value may be kept: ``keep_old="ask"`` lets the person
correcting it keep the old value, encrypted under the person's key, when they say why
the law requires it (a decision was taken on the old value, a court or a safeguarding
record relies on it); ``"never"`` overwrites it (old contact details and access needs
serve no purpose once corrected). Correcting a name or a date of birth recomputes the
blind indexes, so search finds the corrected name and no longer the old one.

The audit event names the field, never the values. The officer corrects any field; a
coordinator corrects the same case data (the policy ``rectification`` says who).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.cases.ages import age_on
from tandem.cases.models import Case
from tandem.cases.services.lifecycle import case_version_claim

from .models import Rectification

RECTIFYING_ROLES = frozenset({"data_protection_officer", "coordinator"})
INDEX_SOURCES = frozenset({"first_name", "last_name", "date_of_birth"})


@dataclass(frozen=True)
class Field:
    name: str  # the field of cases.Case
    label: str
    kind: str  # "line", "text" or "date"
    max_length: int
    required: bool
    keep_old: str  # "ask" or "never"


FIELDS: tuple[Field, ...] = (
    Field("first_name", "First name", "line", 100, True, "ask"),
    Field("last_name", "Last name", "line", 100, True, "ask"),
    Field("date_of_birth", "Date of birth", "date", 10, True, "ask"),
    Field("guardian_name", "Parent or guardian's name", "line", 200, False, "ask"),
    Field("guardian_contact", "Parent or guardian's contact details", "line", 200, False, "never"),
    Field("referrer_organisation", "Referring organisation", "line", 200, True, "ask"),
    Field("reason", "Reason for the referral", "text", 5000, True, "ask"),
    Field("other_agencies", "Other agencies involved", "text", 2000, False, "ask"),
    Field("accessibility_needs", "Accessibility needs", "text", 2000, False, "never"),
)
BY_NAME = {f.name: f for f in FIELDS}


class RectificationRefused(Exception):
    """The correction cannot be made; the message says why and is safe to show."""


def field_spec(name: str) -> Field:
    try:
        return BY_NAME[name]
    except KeyError:
        raise RectificationRefused("Select a field that can be corrected.") from None


def _clean_value(spec: Field, value) -> str:
    if spec.kind == "date":
        if not isinstance(value, dt.date):
            raise RectificationRefused(f"Enter the {spec.label.lower()} as a real date.")
        if value > timezone.localdate():
            raise RectificationRefused(f"The {spec.label.lower()} must be in the past.")
        if value.year < 1900:
            raise RectificationRefused(f"The {spec.label.lower()} must be after 1900.")
        return value.isoformat()
    text = (value or "").strip()
    if spec.required and not text:
        raise RectificationRefused(f"Enter the corrected {spec.label.lower()}.")
    if len(text) > spec.max_length:
        raise RectificationRefused(
            f"Keep the {spec.label.lower()} to {spec.max_length:,} characters or fewer."
        )
    return text


@transaction.atomic
def case_rectify(
    *,
    actor,
    case: Case,
    field: str,
    value,
    reason: str,
    keep_old: bool = False,
    kept_because: str = "",
    expected_version: int | None = None,
    request=None,
) -> Rectification:
    """Correct ``field`` of the person's record to ``value``, giving ``reason``; keep the
    old value only when the field allows it and ``kept_because`` says why."""
    if not RECTIFYING_ROLES & set(actor.roles):
        raise RectificationRefused(
            "Only the data-protection officer or a coordinator corrects a record."
        )
    spec = field_spec(field)
    if case.subject_erased:
        raise RectificationRefused("The person has been erased: there is nothing to correct.")
    reason = (reason or "").strip()
    if not reason:
        raise RectificationRefused("Enter the reason for the correction.")
    if len(reason) > 500:
        raise RectificationRefused("Keep the reason to 500 characters or fewer.")
    kept_because = (kept_because or "").strip() if keep_old else ""
    if keep_old and spec.keep_old == "never":
        raise RectificationRefused(f"The old {spec.label.lower()} is never kept.")
    if keep_old and not kept_because:
        raise RectificationRefused("Say why the law requires the old value to be kept.")
    if len(kept_because) > 300:
        raise RectificationRefused(
            "Keep the reason for keeping the old value to 300 characters or fewer."
        )
    new = _clean_value(spec, value)

    locked = case_version_claim(case=case, expected_version=expected_version)
    old = getattr(locked, field) or ""
    if old == new:
        raise RectificationRefused(f"The {spec.label.lower()} already says that.")
    setattr(locked, field, new)
    fields = [field]
    if field == "date_of_birth":
        locked.age_at_referral = age_on(dt.date.fromisoformat(new), locked.received_at.date())
        fields.append("age_at_referral")
    if field in INDEX_SOURCES:
        fields += ["name_index", "identity_index"]
    locked.save(update_fields=fields)
    made = Rectification.objects.create(
        case=locked,
        field=field,
        reason=reason,
        old_value=old if keep_old else "",
        kept_because=kept_because,
        made_by=actor,
    )
    record_event(
        actor=actor,
        action="rectification.make",
        obj=locked,
        reason="old value kept" if keep_old else "old value overwritten",
        changed_fields=fields,
        request=request,
    )
    return made
