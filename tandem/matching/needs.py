"""A case's matching needs: what matching reads about the person. The referral's
statement (languages, interpreter, preferred language, the mentor's gender, area, online
sessions) stays on the case; what only matching asks (a faith asked for, a required
specialism, when the person can meet) is matching's ``CaseNeeds``. A coordinator
changes both on one page, through ``services.case_needs_update``.
"""

from __future__ import annotations

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
# Those kept in CaseNeeds; the others are the referral's, kept on the case.
CASE_NEEDS_FIELDS = ("requested_faith", "required_specialism", "availability")


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
