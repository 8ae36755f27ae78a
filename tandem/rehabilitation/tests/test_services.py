"""Rehabilitation services: details, conditions and panel decisions are validated,
on the timeline and audited; a panel-route case waits for the panel before matching;
release prompts and contact alerts are raised once and resolved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Case, CaseEvent, Pathway
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import ReferralSource
from tandem.core.notifications import Notification
from tandem.matching.guards import case_hold
from tandem.matching.models import BatchPair
from tandem.matching.services import MatchRefused, batch_create, match_propose
from tandem.matching.tests.factories import matching_mentor, waiting_case
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session

from .. import services
from ..models import (
    ConditionKind,
    CustodyStatus,
    PanelDecision,
    RehabilitationPolicy,
    ReleaseAlert,
)
from .factories import make_record, rehab_match

pytestmark = pytest.mark.django_db


def coordinator():
    return create_user("coordinator")


def test_details_are_refused_on_the_prevention_pathway():
    case = make_case()
    with pytest.raises(services.RehabilitationRefused, match="prevention pathway"):
        services.details_save(
            actor=coordinator(),
            case=case,
            details=services.Details(custody_status=CustodyStatus.SENTENCED),
        )


def test_details_are_saved_encrypted_changed_on_the_timeline_and_audited():
    case = rehab_match().case
    actor = coordinator()
    record = services.details_save(
        actor=actor,
        case=case,
        details=services.Details(
            custody_status=CustodyStatus.SENTENCED,
            establishment="HMP Example",
            expected_release_date=timezone.localdate() + dt.timedelta(days=20),
        ),
    )
    assert record.establishment == "HMP Example"
    stored = type(record).objects.filter(pk=record.pk).values_list("establishment", flat=True)[0]
    assert "HMP" not in str(stored)
    services.details_save(
        actor=actor,
        case=case,
        details=services.Details(custody_status=CustodyStatus.ON_LICENCE),
        expected_version=record.version,
    )
    summaries = list(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert "Custody status changed from sentenced, in custody to on licence" in summaries
    assert AuditEvent.objects.filter(action="rehabilitation.details_save").count() == 2
    with pytest.raises(services.RehabilitationConflict):
        services.details_save(
            actor=actor,
            case=case,
            details=services.Details(custody_status=CustodyStatus.COMPLETED),
            expected_version=record.version,
        )


def test_a_licence_cannot_end_before_the_release():
    case = rehab_match().case
    today = timezone.localdate()
    with pytest.raises(services.RehabilitationRefused, match="cannot end before"):
        services.details_save(
            actor=coordinator(),
            case=case,
            details=services.Details(
                custody_status=CustodyStatus.SENTENCED,
                expected_release_date=today,
                licence_end_date=today - dt.timedelta(days=1),
            ),
        )


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        (ConditionKind.EXCLUSION_ZONE, {}, "Select the area"),
        (ConditionKind.NON_ASSOCIATION, {"names": "  \n "}, "Enter the names"),
        (ConditionKind.INTERNET, {}, "Describe the condition"),
        ("nonsense", {}, "kind of condition"),
    ],
)
def test_incomplete_conditions_are_refused(kind, fields, message):
    case = rehab_match().case
    with pytest.raises(services.RehabilitationRefused, match=message):
        services.condition_add(actor=coordinator(), case=case, kind=kind, **fields)


def test_a_condition_is_added_and_ended_on_the_timeline_without_its_content():
    case = rehab_match().case
    actor = coordinator()
    condition = services.condition_add(
        actor=actor, case=case, kind=ConditionKind.NON_ASSOCIATION, names=" Daniel  Whitfield \n"
    )
    assert condition.name_list() == ["Daniel Whitfield"]
    services.condition_end(actor=actor, condition=condition, ended_on=timezone.localdate())
    summaries = " ".join(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert "Licence condition ended" in summaries
    assert "Whitfield" not in summaries
    with pytest.raises(services.RehabilitationRefused, match="already ended"):
        services.condition_end(actor=actor, condition=condition, ended_on=timezone.localdate())


def panel_case(**fields):
    case = waiting_case(referral_source=ReferralSource.objects.get(code="panel"), **fields)
    Case.objects.filter(pk=case.pk).update(pathway=Pathway.REHABILITATION)
    case.refresh_from_db()
    return case


def adopt(case, **fields):
    return services.panel_record(
        actor=coordinator(),
        case=case,
        answers=services.PanelAnswers(
            kind="presentation",
            met_on=timezone.localdate(),
            decision=fields.pop("decision", PanelDecision.ADOPT),
            agencies_present="Probation, police",
            **fields,
        ),
    )


def test_a_panel_case_waits_for_adoption_before_matching():
    case = panel_case()
    mentor = matching_mentor()
    assert "panel has not decided" in case_hold(case)
    with pytest.raises(MatchRefused, match="panel has not decided"):
        match_propose(actor=coordinator(), case=case, mentor=mentor)
    adopt(case, decision=PanelDecision.NOT_ADOPT)
    assert "not adopt" in case_hold(case)
    adopt(case)
    assert case_hold(case) is None
    case.refresh_from_db()
    assert match_propose(actor=coordinator(), case=case, mentor=mentor).case_id == case.pk


def test_the_hold_follows_the_policy_and_other_sources_are_not_held():
    case = panel_case()
    RehabilitationPolicy.objects.filter(pk=RehabilitationPolicy.current().pk).update(
        panel_before_matching=False
    )
    assert case_hold(case) is None
    assert case_hold(waiting_case()) is None


def test_a_batch_leaves_out_panel_cases_not_yet_adopted():
    held = panel_case()
    adopted = panel_case()
    adopt(adopted)
    free = waiting_case()
    for _ in range(3):
        matching_mentor()
    batch = batch_create(actor=coordinator())
    in_batch = set(BatchPair.objects.filter(batch=batch).values_list("case_id", flat=True))
    assert held.pk not in in_batch
    assert {adopted.pk, free.pk} <= in_batch


def test_an_adoption_sets_the_next_review_and_a_signpost_needs_a_destination():
    case = panel_case()
    weeks = RehabilitationPolicy.current().panel_review_weeks
    meeting = adopt(case)
    assert meeting.next_review_due == meeting.met_on + dt.timedelta(weeks=weeks)
    with pytest.raises(services.RehabilitationRefused, match="signposted"):
        adopt(case, decision=PanelDecision.SIGNPOST)
    with pytest.raises(services.RehabilitationRefused, match="agencies present"):
        services.panel_record(
            actor=coordinator(),
            case=case,
            answers=services.PanelAnswers(
                kind="review", met_on=timezone.localdate(), decision=PanelDecision.ADOPT
            ),
        )


def test_a_pending_presentation_is_decided_once():
    case = panel_case()
    actor = coordinator()
    meeting = services.panel_record(
        actor=actor,
        case=case,
        answers=services.PanelAnswers(kind="presentation", met_on=timezone.localdate()),
    )
    assert case_hold(case)
    answers = services.PanelAnswers(
        kind="presentation",
        met_on=timezone.localdate(),
        decision=PanelDecision.ADOPT,
        agencies_present="Probation",
    )
    services.panel_decide(actor=actor, meeting=meeting, answers=answers)
    assert case_hold(case) is None
    with pytest.raises(services.RehabilitationRefused, match="already recorded"):
        services.panel_decide(actor=actor, meeting=meeting, answers=answers)


def test_a_release_coming_prompts_coordinators_and_the_mentor_once(
    django_capture_on_commit_callbacks,
):
    match = rehab_match()
    today = timezone.localdate()
    make_record(match.case, status=CustodyStatus.SENTENCED, release=today + dt.timedelta(days=10))
    boss = coordinator()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.release_alerts_raise(today=today)
    assert run.prompted == [match.case.reference]
    assert Notification.objects.filter(user=boss).count() == 1
    assert Notification.objects.filter(user=match.mentor.user).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_alerts_raise(today=today).prompted == []
    assert Notification.objects.filter(user=match.mentor.user).count() == 1


def test_no_meeting_held_in_time_after_release_raises_one_contact_alert_resolved_by_a_meeting():
    match = rehab_match()
    today = timezone.localdate()
    days = RehabilitationPolicy.current().first_meeting_days
    released = today - dt.timedelta(days=days + 2)
    make_record(match.case, status=CustodyStatus.ON_LICENCE, release=released)
    coordinator()
    # A meeting held before the release does not count.
    make_session(match, status=SessionStatus.HELD, days_ago=days + 5)
    run = services.release_alerts_raise(today=today)
    assert run.raised == [match.case.reference]
    assert services.release_alerts_raise(today=today).raised == []
    assert ReleaseAlert.objects.filter(kind="overdue", resolved_at__isnull=True).count() == 1
    make_session(match, status=SessionStatus.HELD, days_ago=1)
    assert services.release_alerts_raise(today=today).resolved == 1
    assert not ReleaseAlert.objects.filter(kind="overdue", resolved_at__isnull=True).exists()


def test_a_meeting_held_in_time_raises_no_alert():
    match = rehab_match()
    today = timezone.localdate()
    days = RehabilitationPolicy.current().first_meeting_days
    make_record(
        match.case, status=CustodyStatus.ON_LICENCE, release=today - dt.timedelta(days=days + 2)
    )
    make_session(match, status=SessionStatus.HELD, days_ago=days)
    assert services.release_alerts_raise(today=today).raised == []
