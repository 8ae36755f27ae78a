"""Claim services: one claim per session, monthly submission freezing the rates,
decisions with reasons and versions, audit and notifications; and accreditation reading
held sessions through the register's extension point."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import create_user, sign_in
from tandem.audit.models import AuditEvent
from tandem.core.models import Notification
from tandem.mentors.models import AccreditationLevel, MentorStatus, ObservationRating
from tandem.mentors.quality import supervised_session_count, supervised_session_counts
from tandem.mentors.services import records as mentor_records
from tandem.mentors.tests.factories_records import complete_all, days_ago, observe

from ..models import Claim, ClaimRate, ClaimStatus, MeetingsPolicy, SessionStatus
from ..services import claims as services
from .factories import held_session, make_claim, mentor_with_account

D = Decimal
pytestmark = pytest.mark.django_db


def create(session, **kw):
    values = {
        "session_hours": D("1.50"),
        "travel_hours": D("0.75"),
        "miles": D("10"),
        "expenses": D("0"),
    }
    values.update(kw)
    return services.claim_create(actor=session.mentor.user, session=session, **values)


def test_one_claim_per_session_and_the_second_is_refused_clearly():
    session = held_session()
    create(session)
    with pytest.raises(services.ClaimRefused, match="already a claim for this session"):
        create(session)
    assert Claim.objects.count() == 1


def test_a_planned_session_or_a_did_not_attend_cannot_be_claimed_unless_the_policy_pays():
    planned = held_session(status=SessionStatus.PLANNED)
    with pytest.raises(services.ClaimRefused, match="Only a held session"):
        create(planned)
    missed = held_session(status=SessionStatus.DID_NOT_ATTEND)
    with pytest.raises(services.ClaimRefused):
        create(missed)
    MeetingsPolicy.objects.filter(pk=1).update(pays_did_not_attend=True)
    assert create(missed).status == ClaimStatus.DRAFT


def test_submitting_the_month_freezes_the_rates_in_force():
    mentor = mentor_with_account(level="accredited")
    session = held_session(mentor)
    claim = create(session)
    assert claim.hourly_rate == 0  # a draft holds no rates yet
    submitted = services.claims_submit(actor=mentor.user, mentor=mentor, month=claim.month)
    assert [c.pk for c in submitted] == [claim.pk]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert (claim.hourly_rate, claim.mileage_rate) == (D("18.00"), D("0.45"))
    ClaimRate.objects.filter(level__code="accredited").update(hourly_rate=D("30.00"))
    claim.refresh_from_db()
    assert claim.hourly_rate == D("18.00")  # later rate changes do not touch it
    assert AuditEvent.objects.filter(action="claim.submit", object_id=str(claim.pk)).exists()


def test_a_volunteer_trainee_claims_at_zero_an_hour():
    mentor = mentor_with_account(level="trainee")
    claim = create(held_session(mentor))
    services.claims_submit(actor=mentor.user, mentor=mentor, month=claim.month)
    claim.refresh_from_db()
    assert claim.hourly_rate == D("0.00") and claim.mileage_rate == D("0.45")


def test_nothing_to_submit_is_refused():
    mentor = mentor_with_account(level="accredited")
    with pytest.raises(services.ClaimRefused, match="no draft or queried claims"):
        services.claims_submit(actor=mentor.user, mentor=mentor, month=timezone.localdate())


def decide(claim, decision, reason="", version=None, actor=None):
    return services.claim_decide(
        actor=actor or create_user("coordinator"),
        claim=claim,
        decision=decision,
        reason=reason,
        expected_version=claim.version if version is None else version,
    )


def test_query_needs_a_reason_goes_back_to_the_mentor_who_resubmits(
    django_capture_on_commit_callbacks,
):
    claim = make_claim(status=ClaimStatus.SUBMITTED)
    with pytest.raises(services.ClaimRefused, match="Give the reason"):
        decide(claim, "query")
    with django_capture_on_commit_callbacks(execute=True):
        decide(claim, "query", reason="Mileage looks high: check the route")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.QUERIED
    note = Notification.objects.get(user=claim.mentor.user)
    assert "queried" in note.message and "Mileage" not in note.message  # no reason text
    event = AuditEvent.objects.get(action="claim.query")
    assert "Mileage" not in str(event.__dict__)

    services.claim_update(
        actor=claim.mentor.user,
        claim=claim,
        expected_version=claim.version,
        session_hours=claim.session_hours,
        travel_hours=claim.travel_hours,
        miles=D("4"),
        expenses=D("0"),
    )
    services.claims_submit(actor=claim.mentor.user, mentor=claim.mentor, month=claim.month)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.miles == D("4.0")
    decide(claim, "approve")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def test_a_stale_version_is_refused_and_a_decided_claim_cannot_be_decided_again():
    claim = make_claim(status=ClaimStatus.SUBMITTED)
    with pytest.raises(services.ClaimRefused, match="Someone else changed this claim"):
        decide(claim, "approve", version=claim.version + 5)
    decide(claim, "reject", reason="Not a scheme session")
    claim.refresh_from_db()
    with pytest.raises(services.ClaimRefused, match="now “rejected”"):
        decide(claim, "approve")


def test_an_approved_claim_cannot_be_changed_by_the_mentor():
    claim = make_claim(status=ClaimStatus.APPROVED)
    with pytest.raises(services.ClaimRefused):
        services.claim_update(
            actor=claim.mentor.user,
            claim=claim,
            expected_version=claim.version,
            session_hours=D("9"),
            travel_hours=D("0"),
            miles=D("0"),
            expenses=D("0"),
        )


def test_changing_the_rates_is_audited_field_by_field():
    level = AccreditationLevel.objects.get(code="senior")
    actor = create_user("coordinator")
    services.claim_rates_update(actor=actor, rates={level: (D("25.00"), D("0.45"))})
    event = AuditEvent.objects.get(action="claim_rate.change")
    assert event.changed_fields == ["hourly_rate"]
    assert not services.claim_rates_update(actor=actor, rates={level: (D("25.00"), D("0.45"))})


# Accreditation counts held sessions ----------------------------------------------------


def test_held_sessions_are_counted_up_to_the_date_in_one_query(django_assert_num_queries):
    mentor = mentor_with_account(level="accredited")
    other = mentor_with_account(level="accredited")
    now = timezone.now()
    for days in (3, 10, 40):
        held_session(mentor, starts_at=now - dt.timedelta(days=days))
    held_session(mentor, starts_at=now - dt.timedelta(days=5), status=SessionStatus.DID_NOT_ATTEND)
    held_session(other, starts_at=now - dt.timedelta(days=1))
    with django_assert_num_queries(1):
        counts = supervised_session_counts([mentor.pk, other.pk], timezone.localdate())
    assert counts == {mentor.pk: 3, other.pk: 1}
    assert supervised_session_count(mentor, timezone.localdate() - dt.timedelta(days=20)) == 1


def senior_ready_mentor():
    mentor = mentor_with_account(level=None)
    mentor.status = MentorStatus.ACTIVE
    mentor.save(update_fields=["status"])
    complete_all(mentor, on=days_ago(60))
    observe(mentor, ObservationRating.GOOD, on=days_ago(10))
    return mentor


def award_senior(mentor):
    return mentor_records.accreditation_award(
        actor=create_user("coordinator"),
        mentor=mentor,
        level=AccreditationLevel.objects.get(code="senior"),
        awarded_on=days_ago(0),
    )


def test_a_mentor_with_twenty_held_sessions_can_be_awarded_senior():
    mentor = senior_ready_mentor()
    now = timezone.now()
    for week in range(20):
        held_session(mentor, starts_at=now - dt.timedelta(days=7 * week + 1))
    accreditation = award_senior(mentor)
    assert accreditation.level.code == "senior"


def test_a_mentor_without_enough_held_sessions_cannot_be_awarded_senior():
    mentor = senior_ready_mentor()
    now = timezone.now()
    for week in range(19):
        held_session(mentor, starts_at=now - dt.timedelta(days=7 * week + 1))
    # Sessions not held, or not yet happened, do not count.
    held_session(mentor, status=SessionStatus.DID_NOT_ATTEND)
    held_session(mentor, status=SessionStatus.PLANNED, starts_at=now + dt.timedelta(days=3))
    with pytest.raises(mentor_records.AccreditationRefused) as refused:
        award_senior(mentor)
    assert refused.value.unmet == ["Supervised sessions: 19 of 20 recorded"]


def test_the_training_page_shows_held_sessions_counted(client):
    mentor = senior_ready_mentor()
    for week in range(3):
        held_session(mentor, starts_at=timezone.now() - dt.timedelta(days=7 * week + 1))
    sign_in(client, create_user("coordinator"))
    page = client.get(reverse("mentors:training", args=[mentor.pk]))
    assert "3 of 20 recorded" in page.text
    assert "Counts the sessions the mentor recorded as held" in page.text
