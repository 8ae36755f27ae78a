"""The redaction step before a subject access package is released.

The officer reviews the compiled package (``subject_access.compile_package``) and marks
third parties' data to withhold: a whole item (one field of one record, e.g. a concern
raised by a neighbour) or words within it (another person named in a session note),
each with the exemption relied on (``WithholdReason``). The ZIP and the PDF show
"[withheld: reason]" in place of what was withheld. Approving the release records who
approved it and when. Every step is audited; what is withheld is encrypted under the
person's key, so it goes when they are erased.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.cases.models import Case

from .models import Redaction, SubjectAccessRequest, WithholdReason

# Sections whose items are not the person's record and are never offered for redaction.
NOT_OFFERED = frozenset({"access"})


class RedactionRefused(Exception):
    """The step cannot be taken; the message says why and is safe to show."""


def placeholder(reason: str) -> str:
    return f"[withheld: {WithholdReason(reason).label}]"


def items(sections: dict[str, list[dict]]) -> list[tuple[str, str]]:
    """The package's free-text items that can be withheld: (key, label), where the key
    is ``section:record id:field``."""
    found = []
    for section, rows in sections.items():
        if section in NOT_OFFERED:
            continue
        for row in rows:
            for field, value in row.items():
                if field != "id" and isinstance(value, str) and len(value) > 2:
                    found.append(
                        (f"{section}:{row.get('id')}:{field}", f"{section} {row.get('id')} {field}")
                    )
    return found


def apply(sections: dict[str, list[dict]], redactions) -> dict[str, list[dict]]:
    """``sections`` with every redaction applied (in place, and returned)."""
    wanted: dict[tuple[str, int, str], list[Redaction]] = {}
    for made in redactions:
        wanted.setdefault((made.section, made.record_id, made.field), []).append(made)
    for section, rows in sections.items():
        for row in rows:
            for field in list(row):
                for made in wanted.get((section, row.get("id"), field), ()):
                    value = row[field]
                    if not isinstance(value, str):
                        continue
                    mark = placeholder(made.reason)
                    row[field] = value.replace(made.text, mark) if made.text else mark
    return sections


def _value(sections, section: str, record_id: int, field: str):
    for row in sections.get(section, ()):
        if row.get("id") == record_id:
            return row.get(field)
    return None


@transaction.atomic
def redaction_add(
    *, actor, case: Case, sections, item: str, text: str, reason: str, request=None
) -> Redaction:
    """Withhold ``text`` (or, when blank, the whole ``item``) from the package."""
    if "data_protection_officer" not in actor.roles:
        raise RedactionRefused("Only the data-protection officer withholds from the package.")
    if reason not in WithholdReason.values:
        raise RedactionRefused("Select the reason for withholding it.")
    try:
        section, record_id, field = item.split(":")
        record_id = int(record_id)
    except ValueError:
        raise RedactionRefused("Select the item to withhold from the list.") from None
    value = _value(sections, section, record_id, field)
    if section in NOT_OFFERED or not isinstance(value, str):
        raise RedactionRefused("Select the item to withhold from the list.")
    text = (text or "").strip()
    if text and text not in value:
        raise RedactionRefused(
            "Those words are not in the item (they may already be withheld): copy them "
            "exactly as they appear."
        )
    made = Redaction.objects.create(
        case=case,
        section=section,
        record_id=record_id,
        field=field,
        text=text,
        reason=reason,
        made_by=actor,
    )
    record_event(
        actor=actor,
        action="subject_access.redact",
        obj=case,
        reason=reason,
        changed_fields=[f"{section}.{field}"],
        request=request,
    )
    return made


@transaction.atomic
def redaction_remove(*, actor, case: Case, pk: int, request=None) -> None:
    deleted, _ = Redaction.objects.filter(case=case, pk=pk).delete()
    if not deleted:
        raise RedactionRefused("That item is no longer withheld.")
    record_event(actor=actor, action="subject_access.unredact", obj=case, request=request)


@transaction.atomic
def sar_release(*, actor, case: Case, request=None) -> SubjectAccessRequest:
    """The officer approves the checked package for release to the person."""
    if "data_protection_officer" not in actor.roles:
        raise RedactionRefused("Only the data-protection officer approves the release.")
    open_request = (
        SubjectAccessRequest.objects.select_for_update()
        .filter(case=case, completed_on__isnull=True)
        .first()
    )
    if open_request is None:
        raise RedactionRefused("Log the request before approving a release.")
    open_request.released_by = actor
    open_request.released_at = timezone.now()
    open_request.save(update_fields=["released_by", "released_at"])
    record_event(
        actor=actor,
        action="subject_access.release",
        obj=case,
        changed_fields=["released_by", "released_at"],
        request=request,
    )
    return open_request
