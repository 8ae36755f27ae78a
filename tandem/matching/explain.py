"""Scores and exclusions in words, for the few mentors a coordinator looks at.

The arrays say how much each criterion contributed; this module says why, reading the
handful of shown mentors' profiles (prefetched together) and the case's needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from tandem.cases.models import Case, MentorGenderPreference
from tandem.mentors.models import (
    Mentor,
    MentorLanguage,
    MentorSpecialism,
    Proficiency,
    slot_bit,
)

from .criteria import CONSTRAINTS, CRITERIA, EXCLUSIONS, PREFERENCE_LABELS
from .features import FLUENT
from .models import CaseNeeds, MatchingPolicy


@dataclass(frozen=True)
class Part:
    criterion: str
    label: str
    points: float
    words: str

    def as_dict(self) -> dict:
        return {"criterion": self.criterion, "points": round(self.points, 1), "words": self.words}


def prefetch_for_explanation(queryset):
    return queryset.select_related("faith").prefetch_related(
        Prefetch("languages", queryset=MentorLanguage.objects.select_related("language")),
        Prefetch("specialisms", queryset=MentorSpecialism.objects.select_related("specialism")),
        "areas",
        "availability",
    )


def _join(names: list[str]) -> str:
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def explain(case: Case, mentor: Mentor, parts, contributions) -> list[Part]:
    """One line per criterion: its points and why. ``parts``/``contributions`` are the
    mentor's rows from ``scoring.suggest`` (or ``preferences``)."""
    values = dict(zip(CRITERIA, parts, strict=True))
    points = dict(zip(CRITERIA, contributions, strict=True))
    needs = CaseNeeds.of(case)
    languages = {ml.language_id: ml for ml in mentor.languages.all()}
    specialisms = {ms.specialism_id: ms.specialism for ms in mentor.specialisms.all()}
    words: dict[str, str] = {}

    fitting = list(case.concern_type.specialisms.all())
    held = [s.name for s in fitting if s.pk in specialisms]
    if not fitting:
        words["specialism"] = f"No specialisms are set for {case.concern_type.name.lower()}"
    elif held:
        words["specialism"] = (
            f"Has {_join(held)} ({len(held)} of {len(fitting)} that fit "
            f"{case.concern_type.name.lower()})"
        )
    else:
        words["specialism"] = (
            f"None of the specialisms that fit {case.concern_type.name.lower()} "
            f"({_join([s.name for s in fitting])})"
        )

    preferred = case.preferred_language
    if preferred is None:
        words["language"] = "The person has no preferred language"
    elif preferred.pk in languages:
        proficiency = Proficiency(languages[preferred.pk].proficiency).label.lower()
        fluent = languages[preferred.pk].proficiency in FLUENT
        words["language"] = f"Speaks {preferred.name} ({proficiency})" + (
            "" if fluent else ", not fluently"
        )
    else:
        words["language"] = f"Does not speak {preferred.name}, the person's preferred language"

    if needs.requested_faith_id is None:
        words["faith"] = "The person did not ask for a mentor of a particular faith"
    elif mentor.faith_id == needs.requested_faith_id:
        words["faith"] = f"Shares the faith the person asked for ({mentor.faith.name})"
    else:
        words["faith"] = "Does not share the faith the person asked for"

    words["lived_experience"] = (
        "Has lived experience" if mentor.has_lived_experience else "No lived experience recorded"
    )

    if mentor.age_band:
        words["age"] = (
            f"Mentor aged {mentor.get_age_band_display().lower()}, person aged "
            f"{case.age_at_referral}"
        )
    else:
        words["age"] = "Mentor's age not given"

    area_names = {a.pk: a.name for a in mentor.areas.all()}
    if case.area_id is None:
        words["distance"] = "The person's area is not known"
    elif case.area_id in area_names:
        words["distance"] = f"Works in {case.area.name}"
    elif values["distance"] > 0.3:
        words["distance"] = (
            f"Within {mentor.travel_radius_km} km travel of {case.area.name} "
            f"(works in {_join(sorted(area_names.values())) or 'no area'})"
        )
    else:
        words["distance"] = f"Online only: outside travel distance of {case.area.name}"

    if not needs.availability:
        words["availability"] = "The person's availability is not known"
    else:
        mentor_slots = 0
        for slot in mentor.availability.all():
            mentor_slots |= slot_bit(slot.weekday, slot.part)
        shared = (needs.availability & mentor_slots).bit_count()
        words["availability"] = (
            f"Free at {shared} of the person's {needs.availability.bit_count()} times"
        )

    live = getattr(mentor, "current_caseload", None)
    if live is None:
        words["workload"] = f"Caseload cap {mentor.caseload_cap}"
    else:
        words["workload"] = f"Holds {live} of {mentor.caseload_cap} places"

    words["continuity"] = (
        "Mentored this person before, and it ended well"
        if values["continuity"] > 0
        else "Has not mentored this person before"
    )
    return [
        Part(
            criterion=c,
            label=PREFERENCE_LABELS[c],
            points=float(points[c]),
            words=words[c],
        )
        for c in CRITERIA
    ]


GENDER_EXCLUDED = {
    MentorGenderPreference.FEMALE: "not female",
    MentorGenderPreference.MALE: "not male",
}


def exclusion_words(case: Case, policy: MatchingPolicy) -> dict[str, str]:
    """How each hard constraint reads for this case ("no Urdu", "not female"): the
    registry's wording, made particular where the case's needs say more."""
    words = {c.code: c.excluded for c in CONSTRAINTS}
    languages = [lang.name for lang in case.languages.all()]
    if languages and not case.interpreter_needed:
        words["language"] = (
            f"no {languages[0]}"
            if len(languages) == 1
            else f"none of {_join(languages).replace(' and ', ' or ')}"
        )
    if case.mentor_gender_preference in GENDER_EXCLUDED:
        words["gender"] = GENDER_EXCLUDED[case.mentor_gender_preference]
    needs = CaseNeeds.of(case)
    if needs.required_specialism_id:
        words["specialism"] = f"no {needs.required_specialism.name}"
    return words


def by_count(excluded: dict[str, int]) -> list[tuple[str, int]]:
    """The exclusions, the most mentors first, ties in the order they are evaluated."""
    return sorted(excluded.items(), key=lambda item: (-item[1], EXCLUSIONS.index(item[0])))


def exclusion_summary(excluded: dict[str, int], words: dict[str, str]) -> str:
    """ "31 excluded: 14 no Urdu, 9 at capacity, …" with the largest first."""
    total = sum(excluded.values())
    if not total:
        return "No active mentor was excluded."
    return f"{total} excluded: " + ", ".join(f"{n} {words[name]}" for name, n in by_count(excluded))
