"""What matching weighs, written once: the hard constraints a mentor must meet and the
preferences that rank the mentors who meet them.

Scoring evaluates them in the order given here, the policy model keeps one weight per
preference, explanations and the policy page take their labels and sentences from
here, and exclusion summaries their wording. Pure Python, so that ``scoring`` can stay
free of Django.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Constraint:
    """A hard constraint: a mentor who fails it is never suggested or proposed."""

    code: str
    rule: str  # what the mentor must meet, as the policy page states it
    excluded: str  # how a mentor excluded by it is counted ("at capacity")


@dataclass(frozen=True)
class Preference:
    """A preference: scores each allowed pair from 0 to 1, weighted by the policy."""

    code: str
    label: str
    rewards: str  # what earns points, in the words a coordinator would use
    default_weight: int

    @property
    def weight_field(self) -> str:
        """The policy's column holding this preference's weight."""
        return f"weight_{self.code}"


# In the order an excluded mentor is counted: under the first one they fail.
CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint(
        "unavailable",
        "The mentor is available for matching: active in the register, with current vetting "
        "checks, a current accreditation and the code of conduct signed.",
        "not available (vetting, accreditation or code of conduct)",
    ),
    Constraint(
        "capacity",
        "The mentor has a place spare under their caseload cap. Proposals waiting for an "
        "answer take a place too.",
        "at capacity",
    ),
    Constraint(
        "conflict",
        "The mentor has declared no conflict of interest with the person.",
        "conflict of interest",
    ),
    Constraint(
        "history",
        "The mentor has not declined this person before, and no earlier match between them "
        "ended badly (the relationship did not work, or a conduct concern).",
        "declined or ended badly with this person before",
    ),
    Constraint(
        "language",
        "The mentor speaks at least one of the languages the person can be mentored in, "
        "unless the person needs an interpreter.",
        "no shared language",  # "no Urdu" when the person's languages are known
    ),
    Constraint(
        "gender",
        "The mentor is of the gender the person needs, when they asked for one.",
        "not the gender asked for",  # "not female" when the preference is known
    ),
    Constraint(
        "specialism",
        "The mentor holds the specialism the case requires, when one is required.",
        "no specialism",  # "no Islamic theology" when the case names it
    ),
    Constraint(
        "experience",
        "The mentor's accreditation level is at least the lowest level the case's urgency or "
        "concern requires (the experience rules above).",
        "below the accreditation level required",
    ),
    Constraint(
        "travel",
        "The person's area is within the mentor's travel distance, or both the person and the "
        "mentor accept online sessions.",
        "outside travel distance",
    ),
)

PREFERENCES: tuple[Preference, ...] = (
    Preference(
        "specialism",
        "Specialism fit",
        "How many of the specialisms that fit the person's concern type the mentor holds "
        "(theology, for example, when the concern calls for it).",
        5,
    ),
    Preference(
        "language",
        "Shared language",
        "The mentor speaks the person's preferred language: full points when fluent, part "
        "when not.",
        3,
    ),
    Preference(
        "faith",
        "Faith",
        "The mentor shares the faith the person asked for. Counts only when the person asked "
        "for a mentor of a particular faith.",
        2,
    ),
    Preference(
        "lived_experience",
        "Lived experience",
        "The mentor has lived experience of what the person is moving away from.",
        2,
    ),
    Preference(
        "age",
        "Age",
        "How close the mentor's age is to the person's: the nearer, the more points.",
        1,
    ),
    Preference(
        "distance",
        "Distance",
        "How near the mentor is to the person's area, within the mentor's travel distance. "
        "A pair that is possible only online scores low.",
        2,
    ),
    Preference(
        "availability",
        "Availability",
        "How many of the times the person is free the mentor is free too.",
        2,
    ),
    Preference(
        "workload",
        "Workload",
        "How many places the mentor has spare, so that work is spread across the pool.",
        1,
    ),
    Preference(
        "continuity",
        "Continuity",
        "The mentor mentored this person before and it ended well.",
        2,
    ),
)

EXCLUSIONS: tuple[str, ...] = tuple(c.code for c in CONSTRAINTS)
CRITERIA: tuple[str, ...] = tuple(p.code for p in PREFERENCES)
CONSTRAINT = {c.code: c for c in CONSTRAINTS}
PREFERENCE = {p.code: p for p in PREFERENCES}
PREFERENCE_LABELS = {p.code: p.label for p in PREFERENCES}
