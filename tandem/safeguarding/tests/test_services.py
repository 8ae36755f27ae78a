"""Raising, the lifecycle, escalation, urgency and the timeline and audit they leave."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import PROTECT, ProtectedError
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent, CaseStatus
from tandem.core.models import Notification
from tandem.matching.models import MatchStatus

from .. import services
from ..models import (
    CaseArrangement,
    Concern,
    ConcernAlert,
    ConcernStatus,
    ConcernStep,
    Escalation,
    EscalationMethod,
    Outcome,
    Urgency,
)
from ..urls import urlpatterns
from .factories import agency, category, lead, mentor_concern, raise_concern

pytestmark = pytest.mark.django_db(transaction=False)

DETAILS = "Talked about a plan to hurt someone at school."


def _walk_to_escalated(concern, by):
    services.concern_acknowledge(actor=by, concern=concern)
    services.concern_action(actor=by, concern=concern)
    return services.concern_escalate(
        actor=by,
        concern=concern,
        agency=agency(),
        method=EscalationMethod.PHONE,
        agency_reference="CSC-2026-118",
    )


def test_raising_sets_the_deadline_tells_the_leads_and_keeps_the_content_off_the_timeline(
    django_capture_on_commit_callbacks,
):
    the_lead = lead()
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_concern(urgency=Urgency.URGENT)
    assert concern.status == ConcernStatus.RAISED
    assert concern.due_at == concern.raised_at + dt.timedelta(hours=4)
    event = CaseEvent.objects.get(case=concern.case, kind="safeguarding.raised")
    assert event.summary == "Safeguarding concern raised (urgent)"
    note = Notification.objects.get(user=the_lead)
    assert concern.reference in note.message
    assert "school" not in note.message
    audit = AuditEvent.objects.get(action="concern.raise")
    assert "school" not in str(audit.__dict__)
    assert Concern.objects.get().details == DETAILS


def test_details_are_encrypted_at_rest():
    concern = raise_concern()
    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM safeguarding_concern WHERE id = %s", [concern.pk])
        (stored,) = cursor.fetchone()
    assert "school" not in str(stored)


def test_a_mentor_can_raise_a_concern_about_their_own_safety_without_a_case():
    concern = mentor_concern()
    assert concern.case_id is None and concern.mentor_id is not None
    assert concern.encryption_subject()[0] == "mentor"
    assert Concern.objects.get().details.startswith("A man followed me")


def test_raising_refuses_empty_details_and_a_retired_category():
    with pytest.raises(services.ConcernRefused):
        raise_concern(details="   ")
    retired = category("other")
    retired.is_active = False
    retired.save()
    with pytest.raises(services.ConcernRefused):
        raise_concern(code="other")
    assert not Concern.objects.exists()


def test_the_full_lifecycle_is_stepped_timestamped_on_the_timeline_and_audited():
    the_lead = lead()
    concern = raise_concern()
    escalation = _walk_to_escalated(concern, the_lead)
    services.escalation_decision_record(
        actor=the_lead, escalation=escalation, decision="Strategy meeting held; plan agreed."
    )
    services.concern_resolve(actor=the_lead, concern=concern)
    closed = services.concern_close(
        actor=the_lead,
        concern=concern,
        outcome=Outcome.STATUTORY_LEAD,
        outcome_notes="Social care leads; mentoring continues.",
        signed_off=True,
    )
    assert closed.status == ConcernStatus.CLOSED
    assert closed.signed_off_by == the_lead and closed.closed_at is not None
    steps = [s.action for s in closed.steps.all()]
    assert steps == ["raise", "acknowledge", "action", "escalate", "resolve", "close"]
    summaries = list(
        CaseEvent.objects.filter(case=concern.case, kind__startswith="safeguarding.")
        .order_by("occurred_at", "pk")
        .values_list("summary", flat=True)
    )
    assert summaries[-1] == "Safeguarding concern closed"
    assert "Safeguarding concern escalated to Children's social care" in summaries
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "concern.acknowledge",
        "concern.action",
        "concern.escalate",
        "escalation.create",
        "escalation.decision",
        "concern.resolve",
        "concern.close",
    } <= actions
    assert escalation.agency_reference == "CSC-2026-118"


def test_closing_needs_an_outcome_and_the_sign_off_of_a_lead():
    the_lead = lead()
    concern = raise_concern()
    _walk_to_escalated(concern, the_lead)
    with pytest.raises(services.ConcernRefused):
        services.concern_close(actor=the_lead, concern=concern, outcome="", signed_off=True)
    with pytest.raises(services.ConcernRefused):
        services.concern_close(
            actor=the_lead, concern=concern, outcome=Outcome.OTHER, signed_off=False
        )
    coordinator = create_user("coordinator")
    with pytest.raises(services.ConcernRefused):
        services.concern_close(
            actor=coordinator, concern=concern, outcome=Outcome.OTHER, signed_off=True
        )
    assert Concern.objects.get().status == ConcernStatus.ESCALATED


def test_the_database_refuses_a_closed_concern_without_sign_off():
    concern = raise_concern()
    with pytest.raises(IntegrityError), transaction.atomic():
        Concern.objects.filter(pk=concern.pk).update(
            status=ConcernStatus.CLOSED, acknowledged_at=timezone.now(), outcome="other"
        )


def test_moves_the_lifecycle_does_not_allow_are_refused():
    the_lead = lead()
    concern = raise_concern()
    with pytest.raises(services.ConcernRefused):
        services.concern_resolve(actor=the_lead, concern=concern)
    with pytest.raises(services.ConcernRefused):
        services.concern_reopen(actor=the_lead, concern=concern)


def test_reopening_clears_the_sign_off_so_closing_again_needs_it_again():
    the_lead = lead()
    concern = raise_concern()
    services.concern_acknowledge(actor=the_lead, concern=concern)
    services.concern_action(actor=the_lead, concern=concern)
    services.concern_resolve(actor=the_lead, concern=concern)
    services.concern_close(
        actor=the_lead, concern=concern, outcome=Outcome.NO_FURTHER_ACTION, signed_off=True
    )
    reopened = services.concern_reopen(actor=the_lead, concern=concern)
    assert reopened.status == ConcernStatus.ACKNOWLEDGED
    assert reopened.outcome == "" and reopened.signed_off_by is None
    assert CaseEvent.objects.filter(summary="Safeguarding concern reopened").exists()


def test_a_stale_version_is_refused_so_two_leads_cannot_both_act():
    first, second = lead(), lead()
    concern = raise_concern()
    seen = concern.version
    services.concern_acknowledge(actor=first, concern=concern, expected_version=seen)
    with pytest.raises(services.ConcernConflict):
        services.concern_acknowledge(actor=second, concern=concern, expected_version=seen)
    assert Concern.objects.get().acknowledged_by == first


def test_the_lead_changes_the_urgency_and_the_deadline_follows():
    the_lead = lead()
    concern = raise_concern(urgency=Urgency.STANDARD)
    changed = services.concern_urgency_change(
        actor=the_lead, concern=concern, urgency=Urgency.IMMEDIATE
    )
    assert changed.due_at == changed.raised_at + dt.timedelta(hours=1)
    event = AuditEvent.objects.get(action="concern.urgency")
    assert set(event.changed_fields) == {"urgency", "due_at"}
    assert CaseEvent.objects.filter(
        summary="Safeguarding concern urgency changed to immediate"
    ).exists()


def test_escalation_does_not_end_the_match_or_change_the_case_status():
    the_lead = lead()
    concern = raise_concern()
    match = concern.case.matches.get()
    services.concern_acknowledge(actor=the_lead, concern=concern)
    services.concern_escalate(
        actor=the_lead,
        concern=concern,
        agency=agency("police-prevent"),
        method=EscalationMethod.SECURE_EMAIL,
        case_arrangement=CaseArrangement.STATUTORY_LEAD,
    )
    match.refresh_from_db()
    concern.case.refresh_from_db()
    assert match.status == MatchStatus.ACTIVE
    assert concern.case.status != CaseStatus.ESCALATED
    assert CaseEvent.objects.filter(
        case=concern.case, summary=CaseArrangement.STATUTORY_LEAD.label
    ).exists()


def test_concerns_are_never_deleted():
    assert not any("delete" in (p.name or "") for p in urlpatterns)
    assert not any("delete" in name for name in dir(services))
    # Nothing a concern hangs on can take it away with it.
    for name in ("case", "session", "mentor", "category", "raised_by"):
        assert Concern._meta.get_field(name).remote_field.on_delete is PROTECT
    for model in (ConcernStep, Escalation, ConcernAlert):
        assert model._meta.get_field("concern").remote_field.on_delete is PROTECT
    concern = raise_concern()
    with pytest.raises(ProtectedError):
        concern.category.delete()
