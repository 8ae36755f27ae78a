"""Reads in safeguarding, scoped to the user, at a fixed number of queries."""

from __future__ import annotations

from django.db.models import Case as When_
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone

from tandem.matching.models import WORKING, Match

from .lifecycle import OPEN
from .models import Concern, ConcernStatus, Escalation, Urgency
from .permissions import case_concerns, concern_raise, queue


def concern_queue(user) -> QuerySet[Concern]:
    """Open concerns the user's queue reaches: the unacknowledged first, each group by
    what is due first. One query; nothing on the page reads a relation beyond it."""
    return (
        queue.queryset(user, "view")
        .filter(status__in=OPEN)
        .select_related("case", "mentor", "category", "raised_by")
        .annotate(
            waiting=When_(
                When(status=ConcernStatus.RAISED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "due_at", "pk")
    )


def queue_rows(user) -> list[dict]:
    now = timezone.now()
    urgency = {value: rank for rank, value in enumerate(Urgency.values)}
    status = {value: rank for rank, value in enumerate(ConcernStatus.values)}
    return [
        {
            "concern": concern,
            "overdue": concern.is_overdue(now),
            "urgency_rank": urgency[concern.urgency],
            "status_rank": status[concern.status],
        }
        for concern in concern_queue(user)
    ]


def concern_for_page(pk: int, *, policy, user, action: str) -> Concern:
    return policy.get_object_or_404(
        user,
        action,
        queryset=Concern.objects.select_related(
            "case",
            "mentor",
            "session",
            "category",
            "raised_by",
            "acknowledged_by",
            "signed_off_by",
        ),
        pk=pk,
    )


def escalations_of(concern: Concern) -> list[Escalation]:
    escalations = list(
        concern.escalations.select_related("agency", "escalated_by").order_by("escalated_at", "pk")
    )
    for escalation in escalations:
        escalation.concern = concern  # its key is the concern's: no query per row
    return escalations


def case_concern_list(case, user) -> list[Concern]:
    if not case_concerns.has_object_permission(user, "view", case):
        return []
    return list(
        Concern.objects.filter(case=case).select_related("category").order_by("-raised_at", "-pk")
    )


def raisable_cases(user) -> QuerySet:
    """The cases a user working on them may raise a concern about: for a mentor their
    working matches' cases, for a supervisor their supervisees'."""
    reachable = concern_raise.queryset(user, "create")
    working = Match.objects.filter(status__in=WORKING)
    return (
        reachable.filter(pk__in=working.values("case_id"))
        .order_by("reference")
        .only("pk", "reference")
    )
