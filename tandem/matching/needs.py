"""A case's matching needs: what matching reads about the person (languages, the
mentor's gender, faith asked for, a required specialism, area, online sessions, when
they can meet), changed by a coordinator.

Saving claims the case's version, so a form posted from a stale page is refused; the
change is audited by field name and goes on the case's timeline by label.
"""

from __future__ import annotations

from django.db import transaction

from tandem.audit.services import record_event
from tandem.cases.lifecycle import ENDED
from tandem.cases.models import Case, CaseStatus
from tandem.cases.services.lifecycle import case_event_add, case_version_claim
from tandem.mentors.models import DayPart, Weekday, slot_bit

# Field name → how the timeline names it.
NEEDS_LABELS = {
    "languages": "languages",
    "interpreter_needed": "interpreter",
    "preferred_language": "preferred language",
    "mentor_gender_preference": "mentor's gender",
    "requested_faith": "faith asked for",
    "required_specialism": "required specialism",
    "area": "area",
    "accepts_online": "online sessions",
    "availability": "availability",
}
# Foreign keys compared by primary key.
RELATED = ("preferred_language", "requested_faith", "required_specialism", "area")


class NeedsRefused(Exception):
    """The needs cannot be changed; the message is safe to show."""


def availability_mask(slots) -> int:
    """``(weekday, part)`` pairs → the case's availability bit mask."""
    mask = 0
    for weekday, part in slots:
        mask |= slot_bit(weekday, part)
    return mask


def availability_slots(mask: int) -> list[tuple[int, str]]:
    """The case's availability bit mask → ``(weekday, part)`` pairs, Monday morning first."""
    return [
        (day.value, part)
        for day in Weekday
        for part in DayPart.values
        if mask & slot_bit(day.value, part)
    ]


def availability_in_words(mask: int) -> list[str]:
    """One line per day the person can meet: "Monday: morning, evening"."""
    lines = []
    for day in Weekday:
        parts = [
            DayPart(part).label.lower()
            for part in DayPart.values
            if mask & slot_bit(day.value, part)
        ]
        if parts:
            lines.append(f"{day.label}: {', '.join(parts)}")
    return lines


def _current(case: Case, field: str):
    if field in RELATED:
        return getattr(case, f"{field}_id")
    return getattr(case, field)


def _wanted(value, field: str):
    if field in RELATED:
        return value.pk if value is not None else None
    return value


@transaction.atomic
def save_needs(
    *, actor, case: Case, needs: dict, expected_version: int | None, request=None
) -> list[str]:
    """Save ``needs`` (the keys of ``NEEDS_LABELS``; ``languages`` an iterable of
    languages, related fields model instances or None) and return the names of the
    fields that changed. Nothing is written when nothing changed."""
    locked = case_version_claim(case=case, expected_version=expected_version)
    if locked.status in ENDED:
        raise NeedsRefused(
            f"This case has ended ({CaseStatus(locked.status).label.lower()}): its matching "
            "needs can no longer be changed."
        )
    changed = []
    for field in NEEDS_LABELS:
        if field == "languages":
            continue
        value = _wanted(needs[field], field)
        if _current(locked, field) != value:
            setattr(locked, f"{field}_id" if field in RELATED else field, value)
            changed.append(field)
    languages = {language.pk for language in needs["languages"]}
    if languages != set(locked.languages.values_list("pk", flat=True)):
        changed.insert(0, "languages")
    if not changed:
        transaction.set_rollback(True)  # not even the version moves
        return []
    fields = [name for name in changed if name != "languages"]
    if fields:
        locked.save(update_fields=fields)
    if "languages" in changed:
        locked.languages.set(languages)
    case_event_add(
        case=locked,
        kind="matching.needs",
        summary="Matching needs changed (" + ", ".join(NEEDS_LABELS[n] for n in changed) + ")",
        actor=actor,
    )
    record_event(
        actor=actor,
        action="case.matching_needs",
        obj=locked,
        request=request,
        changed_fields=changed,
    )
    return changed
