"""Status changes: the table of allowed moves, the guards that read the record, the
stale-form protection, the audit trail, and the status-change page."""

import datetime as dt
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.audit.models import AuditEvent
from tandem.mentors.models import (
    CheckOutcome,
    Mentor,
    MentorStatus,
    StatusChange,
    VettingCheck,
    VettingCheckType,
)
from tandem.mentors.services.pipeline import (
    REASON_REQUIRED,
    TRANSITIONS,
    TransitionRefused,
    allowed_transitions,
    mentor_transition,
)

from .factories import accredit, coordinator, make_mentor, pass_all_checks

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(MentorStatus.values, MentorStatus.values))
DISALLOWED = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]


def ready_mentor(status, **fields):
    """A mentor whose record satisfies every guard, so only the table decides."""
    by = fields.pop("by", None) or coordinator()
    mentor = make_mentor(status=status, **fields)
    pass_all_checks(mentor, by=by)
    accredit(mentor, by=by)
    return mentor


def move(mentor, to_status, actor=None, **kwargs):
    kwargs.setdefault("reason", "Because" if to_status in REASON_REQUIRED else "")
    return mentor_transition(
        actor=actor or coordinator(), mentor=mentor, to_status=to_status, **kwargs
    )


def record_check(mentor, code, outcome, *, on=None, expires=None, reason=""):
    return VettingCheck.objects.create(
        mentor=mentor,
        check_type=VettingCheckType.objects.get(code=code),
        outcome=outcome,
        checked_on=on or timezone.localdate(),
        expires_on=expires,
        verifier="Panel",
        failure_reason=reason,
        recorded_by=coordinator(),
    )


# The table -----------------------------------------------------------------------------


def test_every_status_can_leave_except_left_itself():
    for status in MentorStatus.values:
        assert (MentorStatus.LEFT in TRANSITIONS[status]) == (status != MentorStatus.LEFT)


@pytest.mark.parametrize(("from_status", "to_status"), DISALLOWED)
def test_a_move_not_in_the_table_is_refused_and_changes_nothing(from_status, to_status):
    mentor = ready_mentor(from_status)
    with pytest.raises(TransitionRefused, match="cannot move from"):
        move(mentor, to_status, reason="A reason")
    mentor.refresh_from_db()
    assert mentor.status == from_status
    assert not StatusChange.objects.filter(mentor=mentor).exists()
    assert not AuditEvent.objects.filter(action="mentor.status_change").exists()


@pytest.mark.parametrize(
    ("from_status", "to_status"), [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
)
def test_every_move_in_the_table_is_allowed_when_the_record_is_ready(from_status, to_status):
    actor = coordinator()
    mentor = ready_mentor(from_status, by=actor)
    move(mentor, to_status, actor=actor)
    mentor.refresh_from_db()
    assert mentor.status == to_status


def test_an_unknown_status_is_refused_clearly():
    with pytest.raises(TransitionRefused, match="Choose a status"):
        move(make_mentor(), "promoted")


@pytest.mark.parametrize("to_status", sorted(REASON_REQUIRED))
def test_pausing_suspending_and_leaving_need_a_reason(to_status):
    mentor = ready_mentor(MentorStatus.ACTIVE)
    with pytest.raises(TransitionRefused, match="Give a reason"):
        move(mentor, to_status, reason="   ")
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.ACTIVE


def test_a_transition_records_who_when_and_why_and_audits_field_names_only():
    actor = coordinator()
    mentor = ready_mentor(MentorStatus.ACTIVE, by=actor)
    before = timezone.now()
    move(mentor, MentorStatus.SUSPENDED, actor=actor, reason="Allegation under investigation")
    mentor.refresh_from_db()
    assert mentor.status_changed_at >= before
    change = StatusChange.objects.get(mentor=mentor)
    assert (change.from_status, change.to_status) == (MentorStatus.ACTIVE, MentorStatus.SUSPENDED)
    assert change.changed_by == actor
    assert change.reason == "Allegation under investigation"
    event = AuditEvent.objects.get(action="mentor.status_change")
    assert event.actor == actor
    assert event.object_type == "mentors.mentor" and event.object_id == str(mentor.pk)
    assert event.changed_fields == ["status"]


def test_a_stale_expected_status_is_refused():
    mentor = ready_mentor(MentorStatus.APPLICANT)
    move(mentor, MentorStatus.VETTING)
    with pytest.raises(TransitionRefused, match="changed to vetting while you were looking"):
        move(mentor, MentorStatus.LEFT, reason="Withdrew", expected_status=MentorStatus.APPLICANT)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.VETTING


# Guards --------------------------------------------------------------------------------


def test_training_needs_every_required_check_recorded():
    mentor = make_mentor(status=MentorStatus.VETTING)
    with pytest.raises(TransitionRefused) as refused:
        move(mentor, MentorStatus.TRAINING)
    required = VettingCheckType.objects.filter(required=True, is_active=True)
    assert len(refused.value.reasons) == required.count()
    assert "Identity: no check recorded" in str(refused.value)
    assert "Security vetting" not in str(refused.value)  # optional by default


def test_a_failed_required_check_stops_progress_and_names_date_and_reason():
    actor = coordinator()
    mentor = make_mentor(status=MentorStatus.VETTING)
    pass_all_checks(mentor, by=actor, on=dt.date(2026, 1, 10))
    record_check(
        mentor,
        "interview",
        CheckOutcome.FAILED,
        on=dt.date(2026, 3, 3),
        reason="Did not show an understanding of safeguarding",
    )
    with pytest.raises(TransitionRefused) as refused:
        move(mentor, MentorStatus.TRAINING, actor=actor)
    assert refused.value.reasons == (
        "Interview failed on 3 March 2026: Did not show an understanding of safeguarding",
    )
    assert "Interview failed on 3 March 2026: Did not show" in str(refused.value)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.VETTING


def test_pending_and_expired_checks_block_training():
    actor = coordinator()
    mentor = make_mentor(status=MentorStatus.VETTING)
    pass_all_checks(mentor, by=actor)
    record_check(mentor, "reference-1", CheckOutcome.PENDING)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    VettingCheck.objects.filter(mentor=mentor, check_type__code="enhanced-dbs").update(
        checked_on=yesterday - dt.timedelta(days=400), expires_on=yesterday
    )
    with pytest.raises(TransitionRefused) as refused:
        move(mentor, MentorStatus.TRAINING, actor=actor)
    reasons = refused.value.reasons
    assert "First reference is pending" in reasons
    assert any(
        r.startswith("Enhanced criminal-records check with barred list expired on") for r in reasons
    )


def test_a_later_pass_clears_an_earlier_failure():
    actor = coordinator()
    mentor = make_mentor(status=MentorStatus.VETTING)
    record_check(mentor, "interview", CheckOutcome.FAILED, on=dt.date(2026, 1, 5), reason="x")
    pass_all_checks(mentor, by=actor, on=timezone.localdate())
    move(mentor, MentorStatus.TRAINING, actor=actor)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.TRAINING


@pytest.mark.parametrize(
    "from_status", [MentorStatus.TRAINING, MentorStatus.PAUSED, MentorStatus.SUSPENDED]
)
def test_becoming_active_needs_a_current_accreditation(from_status):
    actor = coordinator()
    mentor = make_mentor(status=from_status)
    pass_all_checks(mentor, by=actor)
    with pytest.raises(TransitionRefused, match="no current accreditation"):
        move(mentor, MentorStatus.ACTIVE, actor=actor)
    # An expired or revoked accreditation does not count either.
    old = accredit(mentor, on=timezone.localdate() - dt.timedelta(days=900), by=actor)
    assert old.expires_on <= timezone.localdate()
    with pytest.raises(TransitionRefused, match="no current accreditation"):
        move(mentor, MentorStatus.ACTIVE, actor=actor)
    current = accredit(mentor, by=actor)
    current.revoked_on = timezone.localdate()
    current.revoked_reason = "Error"
    current.save()
    with pytest.raises(TransitionRefused, match="no current accreditation"):
        move(mentor, MentorStatus.ACTIVE, actor=actor)
    accredit(mentor, by=actor)
    move(mentor, MentorStatus.ACTIVE, actor=actor)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.ACTIVE


def test_an_award_in_the_same_transaction_lets_the_move_to_active_through():
    """The accreditation award (another part of the register) creates the accreditation
    and then calls mentor_transition in one transaction."""
    from django.db import transaction

    actor = coordinator()
    mentor = make_mentor(status=MentorStatus.TRAINING)
    with transaction.atomic():
        accredit(mentor, by=actor)
        move(
            mentor,
            MentorStatus.ACTIVE,
            actor=actor,
            expected_status=MentorStatus.TRAINING,
            reason="Accredited",
        )
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.ACTIVE


def test_leaving_is_allowed_whatever_the_record_holds():
    for status in (
        MentorStatus.APPLICANT,
        MentorStatus.VETTING,
        MentorStatus.TRAINING,
        MentorStatus.ACTIVE,
        MentorStatus.PAUSED,
        MentorStatus.SUSPENDED,
    ):
        mentor = make_mentor(status=status)
        move(mentor, MentorStatus.LEFT, reason="Moved away")
        mentor.refresh_from_db()
        assert mentor.status == MentorStatus.LEFT


# Random walks --------------------------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(MentorStatus.values), min_size=1, max_size=12))
def test_random_sequences_only_ever_follow_allowed_edges(steps):
    Mentor.objects.all().delete()
    actor = coordinator()
    mentor = ready_mentor(MentorStatus.APPLICANT, by=actor)
    path = [MentorStatus.APPLICANT]
    for target in steps:
        current = path[-1]
        try:
            move(mentor, target, actor=actor, reason="Step")
        except TransitionRefused:
            assert target not in TRANSITIONS[current]
        else:
            assert target in TRANSITIONS[current]
            path.append(target)
        mentor.refresh_from_db()
        assert mentor.status == path[-1]
    history = list(StatusChange.objects.filter(mentor=mentor).order_by("changed_at", "pk"))
    assert [(c.from_status, c.to_status) for c in history] == list(itertools.pairwise(path))
    assert (
        AuditEvent.objects.filter(action="mentor.status_change", object_id=str(mentor.pk)).count()
        == len(path) - 1
    )


# The status-change page ----------------------------------------------------------------


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


def is_checked(body, name, value):
    return re.search(rf'<input type="radio" name="{name}" value="{value}"[^>]* checked>', body)


def transition_url(mentor):
    return reverse("mentors:transition", args=[mentor.pk])


def test_the_form_offers_only_the_allowed_moves(client, staff):
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    body = client.get(transition_url(mentor)).content.decode()
    assert allowed_transitions(mentor) == [
        MentorStatus.PAUSED,
        MentorStatus.SUSPENDED,
        MentorStatus.LEFT,
    ]
    for status in (MentorStatus.PAUSED, MentorStatus.SUSPENDED, MentorStatus.LEFT):
        assert f'value="{status}"' in body
    for status in (MentorStatus.APPLICANT, MentorStatus.VETTING, MentorStatus.TRAINING):
        assert f'name="to_status" value="{status}"' not in body
    assert '<input type="hidden" name="expected_status" value="active"' in body
    assert "Change status" in body
    # Whether a reason is needed depends on the move: no "(optional)", no browser check.
    assert '<label class="govuk-label" for="id_reason">Reason</label>' in body
    assert " required" not in body.split('id="id_reason"')[0].rsplit("<textarea", 1)[1]


def test_a_left_mentor_has_no_moves(client, staff):
    mentor = make_mentor(status=MentorStatus.LEFT)
    body = client.get(transition_url(mentor)).content.decode()
    assert "No status change is possible" in body
    assert 'name="to_status"' not in body


def test_posting_a_move_changes_the_status_and_goes_back_to_the_record(client, staff):
    mentor = make_mentor(status=MentorStatus.APPLICANT)
    response = client.post(
        transition_url(mentor),
        {"to_status": "vetting", "reason": "", "expected_status": "applicant"},
    )
    assert response.status_code == 302
    assert response.url == reverse("mentors:detail", args=[mentor.pk])
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.VETTING
    assert StatusChange.objects.get(mentor=mentor).changed_by == staff


def test_a_missing_reason_is_asked_for_on_the_reason_field(client, staff):
    mentor = ready_mentor(MentorStatus.ACTIVE)
    response = client.post(
        transition_url(mentor), {"to_status": "paused", "reason": "", "expected_status": "active"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter the reason for moving this mentor to paused" in body
    assert 'href="#id_reason"' in body
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.ACTIVE


def test_a_guard_refusal_is_shown_and_the_reason_typed_is_kept(client, staff):
    mentor = make_mentor(status=MentorStatus.VETTING)
    record_check(mentor, "interview", CheckOutcome.FAILED, on=dt.date(2026, 3, 3), reason="No show")
    response = client.post(
        transition_url(mentor),
        {"to_status": "training", "reason": "Keen to start", "expected_status": "vetting"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Interview failed on 3 March 2026: No show" in body
    assert "Keen to start" in body
    assert is_checked(body, "to_status", "training")


def test_a_stale_form_is_refused_and_keeps_the_reason(client, staff):
    mentor = ready_mentor(MentorStatus.ACTIVE)
    # Someone else pauses the mentor while this coordinator has the form open.
    move(mentor, MentorStatus.PAUSED, reason="Holiday")
    response = client.post(
        transition_url(mentor),
        {"to_status": "suspended", "reason": "Complaint received", "expected_status": "active"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "changed to paused while you were looking" in body
    assert "Complaint received" in body
    # The form now reflects the current status: suspension is no longer offered.
    assert '<input type="hidden" name="expected_status" value="paused"' in body
    assert 'name="to_status" value="suspended"' not in body
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.PAUSED
    assert StatusChange.objects.filter(mentor=mentor).count() == 1


def test_a_stale_form_whose_choice_is_still_possible_keeps_the_choice(client, staff):
    mentor = ready_mentor(MentorStatus.ACTIVE)
    move(mentor, MentorStatus.PAUSED, reason="Holiday")
    body = client.post(
        transition_url(mentor),
        {"to_status": "left", "reason": "Moved away", "expected_status": "active"},
    ).content.decode()
    assert "changed to paused while you were looking" in body
    assert is_checked(body, "to_status", "left")
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.PAUSED


def test_tampered_input_is_refused_without_a_server_error(client, staff):
    mentor = make_mentor(status=MentorStatus.APPLICANT)
    for data in (
        {"to_status": "active", "expected_status": "applicant"},
        {"to_status": "vetting", "expected_status": "nonsense"},
        {"to_status": "", "expected_status": ""},
        {},
    ):
        response = client.post(transition_url(mentor), data)
        assert response.status_code == 200, data
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.APPLICANT


def test_only_coordinators_change_status(client, signed_in, make_user):
    supervisor = make_user("supervisor")
    mentor = make_mentor(status=MentorStatus.APPLICANT, supervisor=supervisor)
    for user in (supervisor, make_user("mentor"), make_user("referrer")):
        client.logout()
        signed_in(user)
        response = client.post(
            transition_url(mentor), {"to_status": "vetting", "expected_status": "applicant"}
        )
        assert response.status_code == 403
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.APPLICANT


def test_an_unknown_mentor_is_404(client, staff):
    assert client.get(reverse("mentors:transition", args=[999999])).status_code == 404


def test_leaving_withdraws_the_mentor_role_and_signs_out_a_mentor_only_account(client):
    from django.contrib.sessions.models import Session

    from conftest import create_user, sign_in
    from tandem.accounts.models import UserSession
    from tandem.audit.models import AuditEvent
    from tandem.mentors.models import MentorStatus
    from tandem.mentors.services.pipeline import mentor_transition
    from tandem.mentors.tests.factories import make_matchable_mentor

    user = create_user("mentor")
    mentor = make_matchable_mentor(user=user, email=user.email)
    sign_in(client, user)
    client.get("/")
    assert UserSession.objects.filter(user=user).exists()
    mentor_transition(
        actor=create_user("coordinator"),
        mentor=mentor,
        to_status=MentorStatus.LEFT,
        reason="Moved away",
    )
    user.refresh_from_db()
    assert "mentor" not in set(user.role_grants.values_list("role", flat=True))
    assert not Session.objects.filter(
        session_key__in=UserSession.objects.filter(user=user).values("session_key")
    ).exists()
    assert client.get("/mentors/me/").status_code == 302
    assert AuditEvent.objects.filter(action="user.update", object_id=str(user.pk)).exists()
