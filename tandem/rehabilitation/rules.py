"""What the rehabilitation pathway adds to the apps below it: the planning warnings of
licence conditions (meetings), the link to record a visit booking on a session in
custody (meetings), and the panel's hold on matching (matching)."""

from __future__ import annotations

import re

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.urls import reverse

from tandem.cases.models import Case
from tandem.meetings.extensions import PlannedSession

from .models import (
    ConditionKind,
    CustodyVisit,
    LicenceCondition,
    PanelDecision,
    PanelMeeting,
    RehabilitationPolicy,
)
from .permissions import custody_visits

PANEL_SOURCE = "panel"
CUSTODY_PLACE = "prison"
WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in WORD.findall(text or "")]


def names_in(names: list[str], text: str) -> list[str]:
    """The names of ``names`` that ``text`` mentions: every word of the name present in
    ``text``, in any case ("J. Smith" is not matched by "Smith" alone; "John Smith" is
    matched by "john smith and a friend")."""
    present = set(_words(text))
    found = []
    for name in names:
        words = _words(name)
        if words and all(w in present for w in words):
            found.append(name)
    return found


# Planning warnings ---------------------------------------------------------------------


def licence_warnings(planned: PlannedSession) -> list[str]:
    """Warnings for a session planned in an exclusion zone of the person's licence, or
    with someone the licence says the person must not meet."""
    conditions = list(
        LicenceCondition.objects.filter(case=planned.case, ended_on__isnull=True)
        .select_related("area", "case")
        .order_by("kind", "pk")
    )
    warnings = []
    for condition in conditions:
        if condition.kind == ConditionKind.EXCLUSION_ZONE:
            if planned.area is not None and condition.area_id == planned.area.pk:
                warnings.append(
                    f"{planned.area.name} is an exclusion zone in the person's licence "
                    "conditions: they must not go there."
                )
        elif condition.kind in (ConditionKind.NON_ASSOCIATION, ConditionKind.NO_CONTACT):
            for name in names_in(condition.name_list(), planned.others_expected):
                rule = (
                    "must not associate with"
                    if condition.kind == ConditionKind.NON_ASSOCIATION
                    else "must have no contact with"
                )
                warnings.append(f"The person's licence conditions say they {rule} {name}.")
    return warnings


# The visit booking of a session in custody ---------------------------------------------


def custody_visit_action(user, session) -> list[dict]:
    if session.place_type.code != CUSTODY_PLACE:
        return []
    if not custody_visits.has_object_permission(user, "change", session):
        return []
    booked = CustodyVisit.objects.filter(session=session).exists()
    return [
        {
            "text": "Change the visit booking" if booked else "Record the visit booking",
            "href": reverse("rehabilitation:visit", kwargs={"pk": session.pk}),
            "hint": "The establishment and the booking reference of this visit in custody.",
        }
    ]


# The panel's hold on matching ----------------------------------------------------------


def panel_hold_reason(case: Case) -> str | None:
    if not RehabilitationPolicy.current().panel_before_matching:
        return None
    if case.referral_source.code != PANEL_SOURCE:
        return None
    latest = (
        PanelMeeting.objects.filter(case=case).exclude(decision="").order_by("-decided_on", "-pk")
    ).first()
    if latest is not None and latest.decision == PanelDecision.ADOPT:
        return None
    if latest is None:
        return (
            "the case came through the multi-agency panel and the panel has not decided yet. "
            "Record the panel's decision on the case's Rehabilitation tab."
        )
    return (
        f"the multi-agency panel's latest decision is “{latest.get_decision_display().lower()}”. "
        "A case from the panel is matched only once the panel adopts it."
    )


def panel_held() -> Q:
    """The same rule as ``panel_hold_reason``, as a filter on Case: panel-route cases
    whose latest panel decision is not to adopt, or that have none yet."""
    if not RehabilitationPolicy.current().panel_before_matching:
        return Q(pk__in=[])
    latest = (
        PanelMeeting.objects.filter(case=OuterRef("pk"))
        .exclude(decision="")
        .order_by("-decided_on", "-pk")
        .values("decision")[:1]
    )
    adopted = Exact(Coalesce(Subquery(latest), Value("")), PanelDecision.ADOPT.value)
    return Q(referral_source__code=PANEL_SOURCE) & ~Q(adopted)
