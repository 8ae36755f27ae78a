"""Derived states of a mentor's vetting, training, accreditation and quality assurance.

Nothing here is stored: each state is worked out from the records whenever it is shown,
so it can never drift from them. The functions read the records through the mentor's
related managers (``mentor.checks.all()`` and so on), which use prefetched rows when the
caller prefetched them; they never query per record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from tandem.core.dates import long_date
from tandem.core.text import counted

from .matchability import current_accreditation, is_current
from .models import (
    Accreditation,
    AccreditationLevel,
    CheckOutcome,
    Mentor,
    ObservationRating,
    ObservedPractice,
    TrainingCompletion,
    VettingCheck,
    VettingCheckType,
)

EXPIRY_WARNING_DAYS = 60
OBSERVATION_VALID_MONTHS = 12
NEGATIVE_FEEDBACK_WINDOW_MONTHS = 6
NEGATIVE_FEEDBACK_THRESHOLD = 2
GOOD_RATINGS = frozenset({ObservationRating.GOOD, ObservationRating.OUTSTANDING})
POOR_RATINGS = frozenset({ObservationRating.REQUIRES_IMPROVEMENT, ObservationRating.INADEQUATE})

SUPERVISED_SESSIONS_NOTE = "Counts the sessions the mentor recorded as held up to that date."
NO_SESSION_COUNTER_NOTE = (
    "Tandem cannot count sessions: no part of Tandem that records sessions is installed, "
    "so it counts 0."
)


def validity_text(days: int | None) -> str:
    if not days:
        return "does not expire"
    if days % 365 == 0:
        years = days // 365
        return counted(years, "valid for %(count)d year", "valid for %(count)d years")
    return counted(days, "valid for %(count)d day", "valid for %(count)d days")


@dataclass(frozen=True)
class Tag:
    """A GOV.UK tag: the text and its colour modifier (``govuk-tag--<colour>``)."""

    text: str
    colour: str


def expiry_tag(expires_on: dt.date | None, today: dt.date) -> Tag:
    if not is_current(expires_on, today):
        return Tag("Expired", "red")
    if expires_on is not None and expires_on <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return Tag(f"Expires within {EXPIRY_WARNING_DAYS} days", "yellow")
    return Tag("Current", "green")


# Vetting -------------------------------------------------------------------------------


def check_tag(check: VettingCheck | None, today: dt.date) -> Tag:
    if check is None:
        return Tag("Not started", "grey")
    if check.outcome == CheckOutcome.FAILED:
        return Tag("Failed", "red")
    if check.outcome == CheckOutcome.PENDING:
        return Tag("Pending", "blue")
    return expiry_tag(check.expires_on, today)


@dataclass(frozen=True)
class CheckRow:
    """One check type on a mentor's vetting record: its latest check and the earlier ones."""

    check_type: VettingCheckType
    latest: VettingCheck | None
    earlier: tuple[VettingCheck, ...]
    tag: Tag
    passed_and_current: bool

    @property
    def blocking(self) -> bool:
        """A failed required check stops the mentor's progress."""
        return (
            self.check_type.required
            and self.latest is not None
            and self.latest.outcome == CheckOutcome.FAILED
        )


def vetting_rows(
    check_types: list[VettingCheckType], checks: list[VettingCheck], today: dt.date
) -> list[CheckRow]:
    """Group ``checks`` by type, newest first (by date checked, then by entry)."""
    by_type: dict[int, list[VettingCheck]] = {}
    for check in sorted(checks, key=lambda c: (c.checked_on, c.pk), reverse=True):
        by_type.setdefault(check.check_type_id, []).append(check)
    rows = []
    for check_type in check_types:
        history = by_type.get(check_type.pk, [])
        latest = history[0] if history else None
        current = (
            latest is not None
            and latest.outcome == CheckOutcome.PASSED
            and is_current(latest.expires_on, today)
        )
        rows.append(
            CheckRow(check_type, latest, tuple(history[1:]), check_tag(latest, today), current)
        )
    return rows


# Training and accreditation ------------------------------------------------------------


def total_cpd_hours(completions: list[TrainingCompletion]) -> Decimal:
    return sum((c.cpd_hours for c in completions), Decimal(0))


def accreditation_tag(accreditation: Accreditation, today: dt.date) -> Tag:
    if accreditation.revoked_on is not None:
        return Tag("Revoked", "red")
    if accreditation.awarded_on > today:
        return Tag("Not started yet", "blue")
    return expiry_tag(accreditation.expires_on, today)


@dataclass(frozen=True)
class AccreditationState:
    current: Accreditation | None
    tag: Tag
    summary: str


def accreditation_state(mentor: Mentor, today: dt.date) -> AccreditationState:
    current = current_accreditation(mentor, today)
    if current is not None:
        return AccreditationState(
            current,
            accreditation_tag(current, today),
            f"{current.level.name} until {long_date(current.expires_on)}",
        )
    history = sorted(mentor.accreditations.all(), key=lambda a: (a.awarded_on, a.pk), reverse=True)
    if not history:
        return AccreditationState(None, Tag("Not accredited", "grey"), "Not accredited")
    latest = history[0]
    if latest.revoked_on is not None:
        summary = f"{latest.level.name} revoked on {long_date(latest.revoked_on)}"
    elif latest.awarded_on > today:
        summary = f"{latest.level.name} starts on {long_date(latest.awarded_on)}"
    else:
        summary = f"{latest.level.name} expired on {long_date(latest.expires_on)}"
    return AccreditationState(None, accreditation_tag(latest, today), summary)


@dataclass(frozen=True)
class Requirement:
    label: str
    met: bool
    detail: str
    unmet_reason: str = ""


@dataclass(frozen=True)
class LevelCheck:
    """Whether a mentor meets an accreditation level's requirements on a given date."""

    level: AccreditationLevel
    on: dt.date
    requirements: tuple[Requirement, ...]

    @property
    def met(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def unmet(self) -> list[str]:
        return [r.unmet_reason for r in self.requirements if not r.met]


# Held sessions -------------------------------------------------------------------------

# The register keeps no session records: the app that does (meetings) registers a
# counter here when it starts, so that the mentor register never imports it.
# A counter takes mentor ids and a date and answers {mentor id: held sessions up to
# and including that date}, in one query for all of them.
HeldSessionCounter = Callable[[Collection[int], dt.date], Mapping[int, int]]
_held_session_counter: HeldSessionCounter | None = None


def register_held_session_counter(counter: HeldSessionCounter | None) -> None:
    """Install the function that counts mentors' held sessions (None removes it)."""
    global _held_session_counter
    _held_session_counter = counter


def counts_sessions() -> bool:
    return _held_session_counter is not None


def supervised_session_counts(mentor_ids: Collection[int], on: dt.date) -> dict[int, int]:
    """Held sessions of each mentor up to ``on``, for many mentors at once (one query);
    0 for every mentor when nothing that records sessions is installed."""
    ids = list(mentor_ids)
    counts = _held_session_counter(ids, on) if _held_session_counter and ids else {}
    return {pk: counts.get(pk, 0) for pk in ids}


def supervised_session_count(mentor: Mentor, on: dt.date) -> int:
    """Sessions the mentor has held up to ``on``."""
    return supervised_session_counts([mentor.pk], on)[mentor.pk]


def level_check(
    *,
    level: AccreditationLevel,
    on: dt.date,
    completions: list[TrainingCompletion],
    observations: list[ObservedPractice],
    supervised_sessions: int = 0,
) -> LevelCheck:
    """Check ``level``'s requirements as they stood on ``on``: only completions and
    observations on or before that date count. ``level.required_modules`` should be
    prefetched when checking many levels."""
    done = {c.module_id for c in completions if c.completed_on <= on}
    required = list(level.required_modules.all())
    missing = [m.name for m in required if m.pk not in done]
    requirements = []
    if not required:
        modules = Requirement("Required modules", True, "None required")
    elif missing:
        modules = Requirement(
            "Required modules",
            False,
            f"{len(required) - len(missing)} of {len(required)} completed. "
            f"Not completed: {', '.join(missing)}",
            f"Required modules not completed: {', '.join(missing)}",
        )
    else:
        modules = Requirement("Required modules", True, f"All {len(required)} completed")
    requirements.append(modules)

    needed = level.min_supervised_sessions
    if needed:
        met = supervised_sessions >= needed
        requirements.append(
            Requirement(
                "Supervised sessions",
                met,
                f"{supervised_sessions} of {needed} recorded. "
                + (SUPERVISED_SESSIONS_NOTE if counts_sessions() else NO_SESSION_COUNTER_NOTE),
                "" if met else f"Supervised sessions: {supervised_sessions} of {needed} recorded",
            )
        )
    else:
        requirements.append(Requirement("Supervised sessions", True, "None required"))

    if level.requires_observed_practice:
        since = on - relativedelta(months=OBSERVATION_VALID_MONTHS)
        good = [
            o for o in observations if o.rating in GOOD_RATINGS and since <= o.observed_on <= on
        ]
        if good:
            latest = max(good, key=lambda o: o.observed_on)
            requirements.append(
                Requirement(
                    "Observed practice",
                    True,
                    f"Rated {latest.get_rating_display().lower()} "
                    f"on {long_date(latest.observed_on)}",
                )
            )
        else:
            requirements.append(
                Requirement(
                    "Observed practice",
                    False,
                    "No observation rated good or outstanding in the 12 months "
                    f"before {long_date(on)}",
                    "Observed practice: no observation rated good or outstanding in the "
                    f"12 months before {long_date(on)}",
                )
            )
    else:
        requirements.append(Requirement("Observed practice", True, "Not required"))
    return LevelCheck(level=level, on=on, requirements=tuple(requirements))


# Quality assurance ---------------------------------------------------------------------


@dataclass(frozen=True)
class QualityStatus:
    label: str
    tag_colour: str
    reasons: tuple[str, ...]


NOT_YET_OBSERVED = "Not yet observed"
NEEDS_ATTENTION = "Needs attention"
OBSERVATION_OVERDUE = "Observation overdue"
MEETS_THE_STANDARD = "Meets the standard"


def quality_status(mentor: Mentor, today: dt.date) -> QualityStatus:
    """The mentor's quality-assurance status, with the facts behind it.

    In order: no observation yet; the latest observation rated below good, or repeated
    negative feedback recently; the latest observation more than 12 months old; else
    the mentor meets the standard. Every fact that applies is given as a reason, also
    those that do not decide the label (negative feedback for a mentor not yet observed).
    """
    observations = [o for o in mentor.observations.all() if o.observed_on <= today]
    latest = max(observations, key=lambda o: (o.observed_on, o.pk), default=None)
    since = today - relativedelta(months=NEGATIVE_FEEDBACK_WINDOW_MONTHS)
    negative = [
        f for f in mentor.feedback.all() if not f.positive and since < f.received_on <= today
    ]

    reasons: list[str] = []
    poor = latest is not None and latest.rating in POOR_RATINGS
    overdue = latest is not None and latest.observed_on < today - relativedelta(
        months=OBSERVATION_VALID_MONTHS
    )
    if latest is None:
        reasons.append("No observed practice recorded")
    else:
        reasons.append(
            f"Latest observation on {long_date(latest.observed_on)} rated "
            f"{latest.get_rating_display().lower()}"
        )
        if overdue:
            reasons.append(
                f"The latest observation is more than {OBSERVATION_VALID_MONTHS} months old"
            )
    many_negative = len(negative) >= NEGATIVE_FEEDBACK_THRESHOLD
    if many_negative:
        reasons.append(
            f"{len(negative)} negative feedback records in the last "
            f"{NEGATIVE_FEEDBACK_WINDOW_MONTHS} months"
        )

    if latest is None:
        return QualityStatus(NOT_YET_OBSERVED, "grey", tuple(reasons))
    if poor or many_negative:
        return QualityStatus(NEEDS_ATTENTION, "red", tuple(reasons))
    if overdue:
        return QualityStatus(OBSERVATION_OVERDUE, "orange", tuple(reasons))
    return QualityStatus(MEETS_THE_STANDARD, "green", tuple(reasons))
