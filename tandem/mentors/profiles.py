"""Reading a mentor's profile for display: shared by the mentor's own page and the
coordinator's view of the record."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import DayPart, Mentor, MentorLanguage, MentorSpecialism, Weekday


def with_profile(queryset: QuerySet[Mentor]) -> QuerySet[Mentor]:
    """Everything the profile summary reads, in a fixed number of queries."""
    return queryset.prefetch_related(
        Prefetch("languages", queryset=MentorLanguage.objects.select_related("language")),
        Prefetch("specialisms", queryset=MentorSpecialism.objects.select_related("specialism")),
        "areas",
        "availability",
    )


def weekly_availability(mentor: Mentor) -> list[tuple[str, list[str]]]:
    """Each day with its times, in the order of the day (morning before evening)."""
    slots = sorted(
        mentor.availability.all(), key=lambda s: (s.weekday, DayPart.values.index(s.part))
    )
    by_day: dict[int, list[str]] = {}
    for slot in slots:
        by_day.setdefault(slot.weekday, []).append(slot.get_part_display().lower())
    return [(day.label, by_day[day.value]) for day in Weekday if day.value in by_day]
