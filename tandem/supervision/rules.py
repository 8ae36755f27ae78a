"""When each mentor's supervision is due, and the two rules supervision adds to the
register's "can take a case today" (registered in ``SupervisionConfig.ready()``).

The supervision clock of a mentor starts at their last supervision, or, before any,
at the start of their first supervisor assignment recorded in Tandem. Supervision is
due ``frequency_weeks`` after it (the rule of the mentor's current accreditation
level; without a current accreditation, the rule of the lowest level) and overdue
from the day after. A mentor with neither a supervision nor an assignment has no
clock yet and is not blocked: the oversight and record pages say "Not supervised in
Tandem yet".

The caseload cap of the level is a second cap: a mentor takes a new case only with a
place below both their own cap and their level's (the lower of the two wins).

Each rule has two halves that must agree (tests/test_rules.py and the property test
in tandem/mentors/tests/test_matchability.py): an annotation and a reason in words
for one mentor, and a condition for the pool, with no query of their own.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    DateField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tandem.core.dates import long_date
from tandem.mentors.matchability import BlockingRule, current_caseload, current_caseload_expression
from tandem.mentors.models import Accreditation, Mentor

from .models import MAX_FREQUENCY_WEEKS, LevelRule, SupervisionRecord, SupervisorAssignment

DEFAULT_FREQUENCY_WEEKS = 4


def _current_level_rule(today: dt.date) -> QuerySet[LevelRule]:
    """The rule of the mentor's current accreditation (the highest level, as
    ``current_accreditation`` chooses), for a subquery over the outer mentor."""
    level = (
        Accreditation.objects.filter(
            mentor=OuterRef(OuterRef("pk")),
            revoked_on__isnull=True,
            awarded_on__lte=today,
            expires_on__gt=today,
        )
        .order_by("-level__rank", "-expires_on")
        .values("level_id")[:1]
    )
    return LevelRule.objects.filter(level_id=Subquery(level))


def anchor_expression():
    """The date the mentor's supervision clock runs from (NULL: no clock yet)."""
    last = (
        SupervisionRecord.objects.filter(mentor=OuterRef("pk"))
        .order_by()
        .values("mentor")
        .annotate(last=Max("held_on"))
        .values("last")
    )
    first = (
        SupervisorAssignment.objects.filter(mentor=OuterRef("pk"))
        .order_by()
        .values("mentor")
        .annotate(first=Min("started_on"))
        .values("first")
    )
    return Coalesce(Subquery(last), Subquery(first), output_field=DateField())


def weeks_expression(today: dt.date):
    lowest = LevelRule.objects.order_by("level__rank").values("frequency_weeks")[:1]
    return Coalesce(
        Subquery(_current_level_rule(today).values("frequency_weeks")[:1]),
        Subquery(lowest),
        Value(DEFAULT_FREQUENCY_WEEKS),
        output_field=IntegerField(),
    )


def level_cap_expression(today: dt.date):
    return Subquery(_current_level_rule(today).values("caseload_cap")[:1])


def annotate_schedule(queryset: QuerySet[Mentor], today: dt.date) -> QuerySet[Mentor]:
    """``supervision_anchor`` and ``supervision_weeks`` on each mentor, in the same query."""
    return queryset.annotate(
        supervision_anchor=anchor_expression(), supervision_weeks=weeks_expression(today)
    )


def due_on(anchor: dt.date | None, weeks: int | None) -> dt.date | None:
    if anchor is None:
        return None
    return anchor + dt.timedelta(weeks=weeks or DEFAULT_FREQUENCY_WEEKS)


def mentor_due_on(mentor: Mentor) -> dt.date | None:
    """The date the mentor's next supervision is due (``annotate_schedule`` first)."""
    return due_on(
        getattr(mentor, "supervision_anchor", None), getattr(mentor, "supervision_weeks", None)
    )


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due < today


def overdue_reason(due: dt.date) -> str:
    return f"Supervision overdue since {long_date(due)}"


# The rule "supervision is not overdue" --------------------------------------------------


def _overdue_prefetch(queryset, today):
    return annotate_schedule(queryset, today)


def _overdue_reason(mentor, today):
    due = mentor_due_on(mentor)
    return overdue_reason(due) if is_overdue(due, today) else None


def _overdue_annotate(queryset, today):
    # The latest anchor that is not overdue today, for each frequency a rule may have:
    # a CASE over the bounded range instead of date arithmetic, which differs by database.
    cutoff = Case(
        *[
            When(supervision_weeks=weeks, then=Value(today - dt.timedelta(weeks=weeks)))
            for weeks in range(1, MAX_FREQUENCY_WEEKS + 1)
        ],
        default=Value(today - dt.timedelta(weeks=DEFAULT_FREQUENCY_WEEKS)),
        output_field=DateField(),
    )
    return annotate_schedule(queryset, today).annotate(supervision_cutoff=cutoff)


def _overdue_blocked(today):
    return Q(supervision_anchor__isnull=False) & Q(supervision_anchor__lt=F("supervision_cutoff"))


OVERDUE_RULE = BlockingRule(
    name="supervision.overdue",
    prefetch=_overdue_prefetch,
    reason=_overdue_reason,
    annotate=_overdue_annotate,
    blocked=_overdue_blocked,
)


# The rule "a place below the level's cap" ----------------------------------------------


def _cap_prefetch(queryset, today):
    return queryset.annotate(level_caseload_cap=level_cap_expression(today))


def _cap_reason(mentor, today):
    cap = getattr(mentor, "level_caseload_cap", None)
    caseload = current_caseload(mentor)
    if cap is None or caseload < cap:
        return None
    if caseload >= mentor.caseload_cap:
        return None  # the register already says there is no spare capacity
    return f"No spare capacity at their accreditation level ({caseload} of {cap} cases)"


def _cap_annotate(queryset, today):
    return queryset.annotate(level_caseload_cap=level_cap_expression(today))


def _cap_blocked(today):
    return Q(level_caseload_cap__isnull=False) & Q(
        level_caseload_cap__lte=current_caseload_expression()
    )


LEVEL_CAP_RULE = BlockingRule(
    name="supervision.level_cap",
    prefetch=_cap_prefetch,
    reason=_cap_reason,
    annotate=_cap_annotate,
    blocked=_cap_blocked,
    cap=lambda today: F("level_caseload_cap"),
)
