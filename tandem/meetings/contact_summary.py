"""How a match's contact summary is derived from its sessions: the start and id of the
last held session, and the number and first id of the did-not-attends since it.

One query for any number of matches (correlated subqueries per match), on SQLite and
PostgreSQL. The models are parameters so that the migration that first fills
``MatchContact`` derives it exactly as the running code does.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, DateTimeField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

HELD = "held"
DID_NOT_ATTEND = "did_not_attend"

_LONG_AGO = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

FIELDS = ("last_held_at", "last_held_id", "missed_run", "missed_from_id")


def derived(matches, session_model):
    """``matches`` (a queryset) as rows of (match id, *FIELDS) derived from sessions."""
    # The case narrows to the (case, status, starts_at) index; the match is the filter.
    sessions = session_model.objects.filter(case=OuterRef("case"), match=OuterRef("pk"))
    held = sessions.filter(status=HELD).order_by("-starts_at", "-pk")
    misses = sessions.filter(
        status=DID_NOT_ATTEND,
        starts_at__gt=Coalesce(OuterRef("derived_held_at"), Value(_LONG_AGO)),
    )
    return (
        matches.order_by("pk")
        .annotate(
            derived_held_at=Subquery(held.values("starts_at")[:1], output_field=DateTimeField()),
            derived_held_id=Subquery(held.values("pk")[:1], output_field=IntegerField()),
            derived_missed=Coalesce(
                Subquery(
                    misses.order_by().values("match").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            derived_missed_from=Subquery(
                misses.order_by("starts_at", "pk").values("pk")[:1], output_field=IntegerField()
            ),
        )
        .values_list(
            "pk", "derived_held_at", "derived_held_id", "derived_missed", "derived_missed_from"
        )
    )
