"""Retention for mentors, claims and audit events: which mentors are due (applicants who
did not progress, former mentors, not the held or the too recent), erasing a mentor
(key destroyed, name, contact details and account scrubbed, the pool's counts kept, the
audit chain intact), claims anonymised after the finance period with their amounts
kept, audit events counted and never deleted, and legal holds on mentors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp import devices_for_user

from conftest import create_user
from tandem.accounts.models import RoleGrant, User
from tandem.audit.models import AuditEvent
from tandem.audit.services import record_event
from tandem.cases.tests.factories import make_case
from tandem.core.encryption import is_subject_erased
from tandem.meetings.models import Claim, Receipt
from tandem.meetings.tests.factories import add_receipt, held_session, make_claim
from tandem.mentors.models import ConflictDeclaration, Mentor, MentorStatus, StatusChange
from tandem.mentors.selectors import composition
from tandem.mentors.tests.factories import make_mentor

from .. import retention
from ..models import ClaimAnonymisation, LegalHold, MentorErasure, RetentionRule

pytestmark = pytest.mark.django_db


def _left(months_ago: float, *, was_active: bool, **fields) -> Mentor:
    """A mentor who left ``months_ago``: a former mentor when ``was_active``, otherwise
    an applicant who did not progress."""
    mentor = make_mentor(status=MentorStatus.LEFT, **fields)
    if was_active:
        StatusChange.objects.create(
            mentor=mentor, from_status=MentorStatus.TRAINING, to_status=MentorStatus.ACTIVE
        )
    StatusChange.objects.create(
        mentor=mentor,
        from_status=MentorStatus.ACTIVE if was_active else MentorStatus.VETTING,
        to_status=MentorStatus.LEFT,
        reason="Moved away",
    )
    Mentor.objects.filter(pk=mentor.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=30.44 * months_ago)
    )
    return Mentor.objects.get(pk=mentor.pk)


def _officer():
    return create_user("data_protection_officer")


def _due_ids():
    return {(d.mentor.pk, d.rule.code, d.held) for d in retention.mentors_due()}


def test_the_schedule_erases_mentors_anonymises_claims_and_reviews_audit_events():
    actions = dict(RetentionRule.objects.values_list("code", "action"))
    assert actions["mentor-applicant"] == "erase"
    assert actions["former-mentor"] == "erase"
    assert actions["claims"] == "anonymise"
    assert actions["audit-events"] == "review"
    assert retention.review_rules() == []


def test_exactly_the_mentors_past_their_period_are_due_held_ones_marked():
    applicant_due = _left(13, was_active=False)
    _left(11, was_active=False)  # too recent for the applicant rule
    former_due = _left(73, was_active=True)
    _left(60, was_active=True)  # a former mentor is kept 72 months, not 12
    make_mentor(status=MentorStatus.ACTIVE)
    make_mentor(status=MentorStatus.APPLICANT)
    held = _left(80, was_active=True)
    retention.hold_place(actor=_officer(), mentor=held, reason="An allegation under inquiry")
    assert _due_ids() == {
        (applicant_due.pk, "mentor-applicant", False),
        (former_due.pk, "former-mentor", False),
        (held.pk, "former-mentor", True),
    }


def test_applying_erases_the_mentor_keeps_the_pool_counts_and_the_chain():
    user = create_user("mentor", full_name="Perpetua Ombridge", email="perpetua@example.net")
    mentor = _left(
        14,
        was_active=False,
        user=user,
        full_name="Perpetua Ombridge",
        email="perpetua@example.net",
        phone="07700 900 777",
        motivation="My brother Lucian was drawn in",
        gender="female",
        age_band="35-44",
    )
    conflict = ConflictDeclaration.objects.create(
        mentor=mentor, kind="person", name="Lucian Ombridge"
    )
    assert ConflictDeclaration.objects.get(pk=conflict.pk).name_index
    record_event(actor=user, action="mentor.profile_view", obj=mentor)
    keep = _left(2, was_active=False, full_name="Still Here")
    coordinator = create_user("coordinator")
    before = composition(actor=coordinator)
    officer = _officer()

    out = StringIO()
    call_command("retention_review", stdout=out)
    assert f"mentor {mentor.pk}  mentor-applicant" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert not is_subject_erased(mentor.encryption_subject())

    call_command("retention_review", "--apply", f"--approved-by={officer.email}", stdout=out)
    assert f"mentor {mentor.pk}  mentor-applicant" in out.getvalue()
    assert is_subject_erased(mentor.encryption_subject())
    assert not is_subject_erased(keep.encryption_subject())
    erased = Mentor.objects.get(pk=mentor.pk)
    assert erased.full_name == f"Erased mentor {mentor.pk}"
    assert "perpetua" not in erased.email
    assert (erased.status, erased.gender, erased.age_band) == ("left", "female", "35-44")
    assert ConflictDeclaration.objects.get(pk=conflict.pk).name_index == ""
    assert StatusChange.objects.filter(mentor=mentor).exclude(reason="").count() == 0
    account = User.objects.get(pk=user.pk)
    assert not account.is_active and account.deactivated_at is not None
    assert "Perpetua" not in account.full_name and "perpetua" not in account.email
    assert not RoleGrant.objects.filter(user=account).exists()
    assert not list(devices_for_user(account, confirmed=None))
    assert MentorErasure.objects.get(mentor=mentor).approved_by == officer
    events = AuditEvent.objects.filter(object_type="mentors.mentor", object_id=str(mentor.pk))
    assert events.filter(action="retention.erase", actor=officer).exists()
    for event in AuditEvent.objects.all():
        text = f"{event.actor_label} {event.reason} {event.changed_fields}"
        assert "Perpetua" not in text and "perpetua" not in text and "Ombridge" not in text
    call_command("audit_verify", stdout=StringIO())
    after = composition(actor=coordinator)
    assert after["total"] == before["total"]
    assert after["by_status"] == before["by_status"]
    # Nothing is erased twice.
    assert mentor.pk not in {d.mentor.pk for d in retention.mentors_due()}
    with pytest.raises(retention.RetentionRefused, match="already been erased"):
        retention.mentor_erase(actor=officer, mentor=mentor, rule=None)


def test_only_a_mentor_who_has_left_is_erased_and_only_by_the_officer():
    active = make_mentor(status=MentorStatus.ACTIVE)
    with pytest.raises(retention.RetentionRefused, match="who has left"):
        retention.mentor_erase(actor=_officer(), mentor=active, rule=None)
    gone = _left(80, was_active=True)
    with pytest.raises(retention.RetentionRefused, match="data-protection officer"):
        retention.mentor_erase(actor=create_user("coordinator"), mentor=gone, rule=None)


def test_a_held_mentor_is_kept_until_the_hold_is_lifted():
    mentor = _left(80, was_active=True)
    officer = _officer()
    retention.hold_place(actor=officer, mentor=mentor, reason="A claim against the scheme")
    out = StringIO()
    call_command("retention_review", "--apply", f"--approved-by={officer.email}", stdout=out)
    assert f"mentor {mentor.pk}  former-mentor" in out.getvalue()
    assert "HELD" in out.getvalue()
    assert not is_subject_erased(mentor.encryption_subject())
    with pytest.raises(retention.RetentionRefused, match="legal hold"):
        retention.mentor_erase(actor=officer, mentor=mentor, rule=None)
    retention.hold_lift(actor=officer, mentor=mentor)
    call_command("retention_review", "--apply", f"--approved-by={officer.email}", stdout=out)
    assert is_subject_erased(mentor.encryption_subject())


def _old_claim(mentor=None, *, years_ago: int, **fields) -> Claim:
    claim = make_claim(held_session(mentor), **fields)
    month = (timezone.localdate() - dt.timedelta(days=365 * years_ago)).replace(day=1)
    Claim.objects.filter(pk=claim.pk).update(month=month)
    return Claim.objects.get(pk=claim.pk)


def test_claims_past_the_finance_period_lose_their_notes_and_receipts_not_their_amounts():
    old = _old_claim(years_ago=8, expenses=Decimal("12.40"), expenses_note="Taxi from Elmsworth")
    add_receipt(old, filename="taxi-elmsworth.pdf")
    recent = _old_claim(years_ago=2, expenses_note="Bus fare")
    add_receipt(recent)
    kept = _old_claim(years_ago=8, expenses_note="Parking")
    officer = _officer()
    retention.hold_place(actor=officer, mentor=kept.mentor, reason="An inquiry")

    due = retention.claims_due()
    assert sum(year.count for year in due) == 2
    assert sum(year.held for year in due) == 1
    total_before = sum(Claim.objects.values_list("expenses", flat=True))

    out = StringIO()
    call_command("retention_review", "--apply", f"--approved-by={officer.email}", stdout=out)
    assert "claims  done: 1 anonymised" in out.getvalue()
    old = Claim.objects.get(pk=old.pk)
    assert old.expenses_note == "" and old.expenses == Decimal("12.40")
    assert not Receipt.objects.filter(claim=old).exists()
    assert ClaimAnonymisation.objects.filter(claim=old, approved_by=officer).exists()
    assert Claim.objects.get(pk=recent.pk).expenses_note == "Bus fare"
    assert Receipt.objects.filter(claim=recent).exists()
    assert Claim.objects.get(pk=kept.pk).expenses_note == "Parking"
    assert sum(Claim.objects.values_list("expenses", flat=True)) == total_before
    assert AuditEvent.objects.filter(action="retention.anonymise_claims", actor=officer).exists()
    # What is done is not due again; the held mentor's claim still is.
    assert sum(year.count for year in retention.claims_due()) == 1


def test_audit_events_past_the_period_are_counted_and_never_deleted():
    long_ago = timezone.now() - dt.timedelta(days=365 * 8)
    with mock.patch("tandem.audit.services.timezone.now", return_value=long_ago):
        record_event(actor=None, action="test.old_event")
        record_event(actor=None, action="test.old_event")
    record_event(actor=None, action="test.new_event")
    count = AuditEvent.objects.count()
    officer = _officer()
    out = StringIO()
    call_command("retention_review", "--apply", f"--approved-by={officer.email}", stdout=out)
    assert (
        f"audit events  audit-events  2 older than 84 months, the oldest from {long_ago:%Y-%m-%d}"
        in (out.getvalue())
    )
    assert AuditEvent.objects.count() >= count
    assert AuditEvent.objects.filter(action="test.old_event").count() == 2
    call_command("audit_verify", stdout=StringIO())


def test_a_legal_hold_is_on_exactly_one_of_a_case_and_a_mentor():
    officer = _officer()
    mentor = make_mentor()
    case = make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalHold.objects.create(case=case, mentor=mentor, reason="Both", placed_by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalHold.objects.create(reason="Neither", placed_by=officer)
    LegalHold.objects.create(mentor=mentor, reason="One", placed_by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalHold.objects.create(mentor=mentor, reason="A second standing", placed_by=officer)


def test_only_the_officer_places_or_lifts_a_hold_on_a_mentor():
    mentor = make_mentor()
    with pytest.raises(retention.RetentionRefused, match="data-protection officer"):
        retention.hold_place(actor=create_user("coordinator"), mentor=mentor, reason="A claim")
    retention.hold_place(actor=_officer(), mentor=mentor, reason="A claim")
    with pytest.raises(retention.RetentionRefused, match="data-protection officer"):
        retention.hold_lift(actor=create_user("coordinator"), mentor=mentor)


def test_the_officer_holds_a_mentor_from_the_pages_and_others_cannot(client, signed_in):
    mentor = make_mentor(email="held.mentor@example.org")
    url = f"/privacy/mentors/{mentor.pk}/legal-hold/"
    for role in ("coordinator", "supervisor", "mentor", "administrator"):
        signed_in(create_user(role))
        assert client.get(url).status_code == 403, role
        assert client.post(url, {"reason": "x"}).status_code == 403, role
    assert not LegalHold.objects.exists()
    officer = _officer()
    signed_in(officer)
    found = client.post("/privacy/retention/", {"email": "held.mentor@example.org"})
    assert found.status_code == 302 and found["Location"] == url
    assert (
        "Enter the email address of a mentor"
        in client.post("/privacy/retention/", {"email": "nobody@example.org"}).content.decode()
    )
    assert "Enter the reason for the hold" in client.post(url, {"reason": " "}).content.decode()
    assert client.post(url, {"reason": "A claim against the scheme"}).status_code == 302
    hold = LegalHold.objects.get(mentor=mentor, lifted_at__isnull=True)
    assert hold.placed_by == officer
    assert AuditEvent.objects.filter(
        action="legal_hold.place", object_type="mentors.mentor", object_id=str(mentor.pk)
    ).exists()
    page = client.get("/privacy/retention/").content.decode()
    assert f"Mentor {mentor.pk}: A claim against the scheme" in page
    assert client.post(url, {}).status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_by == officer
    assert client.get("/privacy/mentors/999999/legal-hold/").status_code == 404


def test_the_officer_erases_a_due_mentor_from_the_page(client, signed_in):
    due = _left(13, was_active=False)
    held = _left(13, was_active=False)
    officer = _officer()
    retention.hold_place(actor=officer, mentor=held, reason="An inquiry")
    signed_in(officer)
    page = client.get("/privacy/retention/").content.decode()
    assert f"Mentor {due.pk}" in page and "Held" in page
    refused = client.post(f"/privacy/mentors/{due.pk}/erase/", {})
    assert "Confirm that nothing requires this record to be kept" in refused.content.decode()
    assert client.post(f"/privacy/mentors/{due.pk}/erase/", {"confirm": "on"}).status_code == 302
    assert MentorErasure.objects.filter(mentor=due, approved_by=officer).exists()
    assert client.post(f"/privacy/mentors/{held.pk}/erase/", {"confirm": "on"}).status_code == 302
    assert not MentorErasure.objects.filter(mentor=held).exists()
    signed_in(create_user("coordinator"))
    assert client.get(f"/privacy/mentors/{held.pk}/erase/").status_code == 403


def test_the_officer_anonymises_claims_from_the_page(client, signed_in):
    old = _old_claim(years_ago=8, expenses_note="Train to Harwick")
    signed_in(_officer())
    assert (
        "Anonymise the claims past the finance period"
        in client.get("/privacy/retention/").content.decode()
    )
    assert client.post("/privacy/retention/claims/", {"confirm": "on"}).status_code == 302
    assert Claim.objects.get(pk=old.pk).expenses_note == ""


def test_someone_who_was_a_mentor_is_never_taken_for_an_applicant():
    """A left mentor with no move into active on record (made active before status
    changes were kept) but an accreditation is kept for the former mentor's period."""
    from tandem.mentors.tests.factories import accredit

    mentor = make_mentor(status=MentorStatus.ACTIVE)
    accredit(mentor)
    StatusChange.objects.create(
        mentor=mentor, from_status=MentorStatus.ACTIVE, to_status=MentorStatus.LEFT
    )
    Mentor.objects.filter(pk=mentor.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=400), status=MentorStatus.LEFT
    )
    assert _due_ids() == set()


def test_a_mentor_with_an_open_safeguarding_concern_about_them_is_kept_until_it_closes():
    from tandem.safeguarding.defaults import RISK_TO_MENTOR
    from tandem.safeguarding.models import Concern, Outcome
    from tandem.safeguarding.services import (
        concern_acknowledge,
        concern_action,
        concern_close,
        concern_raise,
        concern_resolve,
    )
    from tandem.safeguarding.tests.factories import category

    mentor = _left(80, was_active=True)
    concern = concern_raise(
        actor=create_user("coordinator"),
        category=category(RISK_TO_MENTOR),
        urgency="urgent",
        details="Threatened at the last session.",
        mentor=mentor,
    )
    officer = _officer()
    with pytest.raises(retention.RetentionRefused, match="safeguarding concern"):
        retention.mentor_erase(actor=officer, mentor=mentor, rule=None)
    out = StringIO()
    call_command("retention_review", "--apply", f"--approved-by={officer.email}", stdout=out)
    assert "still open" in out.getvalue()
    assert not is_subject_erased(mentor.encryption_subject())
    lead = create_user("safeguarding_lead")
    for step in (concern_acknowledge, concern_action, concern_resolve):
        step(actor=lead, concern=Concern.objects.get(pk=concern.pk))
    concern_close(
        actor=lead,
        concern=Concern.objects.get(pk=concern.pk),
        outcome=Outcome.values[0],
        signed_off=True,
    )
    retention.mentor_erase(actor=officer, mentor=mentor, rule=None)
    assert is_subject_erased(mentor.encryption_subject())
