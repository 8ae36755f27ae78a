import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tandem.accounts.models import User
from tandem.mentors.matchability import (
    Rules,
    matchable_mentors,
    mentor_matchability,
    prefetch_for_matchability,
)
from tandem.mentors.models import (
    Accreditation,
    CheckOutcome,
    Mentor,
    MentorSpecialism,
    MentorStatus,
    VettingCheck,
)
from tandem.mentors.selectors import expiry_rows
from tandem.site.demo.mentors import DEMO_MENTORS, MENTOR_USER_EMAIL, ensure_demo_mentors

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    created = ensure_demo_mentors()
    assert created == len(DEMO_MENTORS)
    return created


def test_running_it_twice_creates_nothing_the_second_time(demo):
    counts = (
        Mentor.objects.count(),
        VettingCheck.objects.count(),
        Accreditation.objects.count(),
        MentorSpecialism.objects.count(),
    )
    assert ensure_demo_mentors() == 0
    assert counts == (
        Mentor.objects.count(),
        VettingCheck.objects.count(),
        Accreditation.objects.count(),
        MentorSpecialism.objects.count(),
    )


def test_about_forty_mentors_cover_every_status(demo):
    assert 35 <= Mentor.objects.count() <= 50
    statuses = set(Mentor.objects.values_list("status", flat=True))
    assert statuses == set(MentorStatus.values)


def test_the_demo_mentor_user_is_an_active_matchable_mentor_with_the_demo_supervisor(demo):
    user = User.objects.get(email=MENTOR_USER_EMAIL)
    mentor = prefetch_for_matchability(Mentor.objects.filter(user=user)).get()
    assert mentor.full_name == user.full_name == "Imran Qureshi"
    assert mentor.status == MentorStatus.ACTIVE
    assert mentor_matchability(mentor, Rules.load()).reasons == ()
    assert mentor.supervisor.email == "supervisor@tandem.example"
    assert Mentor.objects.filter(supervisor=mentor.supervisor).count() >= 3
    theology = mentor.specialisms.get(
        specialism__is_theology=True, specialism__code="islamic-theology"
    )
    assert theology.qualification


def test_most_active_mentors_can_take_a_case_and_the_others_say_why(demo):
    active = Mentor.objects.filter(status=MentorStatus.ACTIVE)
    matchable = matchable_mentors().filter(status=MentorStatus.ACTIVE)
    assert matchable.count() >= active.count() * 2 // 3
    rules = Rules.load()
    reasons = [
        reason
        for mentor in prefetch_for_matchability(active.exclude(pk__in=matchable.values("pk")))
        for reason in mentor_matchability(mentor, rules).reasons
    ]
    assert any("expired on" in r and "check" in r for r in reasons)
    assert any(r.startswith("Accreditation expired on") for r in reasons)


def test_some_records_expire_soon_and_some_have_expired(demo):
    coordinator = User.objects.get(email="coordinator@tandem.example")
    states = {row.state for row in expiry_rows(actor=coordinator)}
    assert states == {"expired", "soon", "later"}


def test_the_pipeline_has_the_records_each_stage_needs(demo):
    today = timezone.localdate()
    failed = VettingCheck.objects.filter(outcome=CheckOutcome.FAILED, check_type__required=True)
    assert failed.count() == 1
    assert failed.get().mentor.status == MentorStatus.VETTING
    for mentor in Mentor.objects.filter(status=MentorStatus.TRAINING):
        assert not mentor.checks.exclude(outcome=CheckOutcome.PASSED).exists()
    levels = set(
        Accreditation.objects.filter(
            mentor__status=MentorStatus.ACTIVE, expires_on__gt=today, revoked_on__isnull=True
        ).values_list("level__code", flat=True)
    )
    assert levels == {"trainee", "accredited", "senior"}
    assert any(m.faith_background for m in Mentor.objects.all())
    assert Mentor.objects.filter(has_lived_experience=True).exists()
    assert not Mentor.objects.filter(applied_on__gt=today).exists()
    assert not VettingCheck.objects.filter(checked_on__gt=today).exists()
    assert not Accreditation.objects.filter(awarded_on__gt=today).exists()
    assert Accreditation.objects.filter(
        expires_on__range=(today, today + dt.timedelta(days=60))
    ).exists()


def test_sensitive_demo_values_are_encrypted_at_rest(demo):
    mentor = Mentor.objects.get(email=MENTOR_USER_EMAIL)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT faith_background, phone FROM mentors_mentor WHERE id = %s", [mentor.pk]
        )
        faith, phone = cursor.fetchone()
    assert "Muslim" not in faith and faith.startswith("e1:")
    assert mentor.faith_background.startswith("Muslim")
    assert phone.startswith("e1:")


def test_most_demo_mentors_have_an_ethnic_group(demo):
    mentors = list(Mentor.objects.all())
    answered = [mentor for mentor in mentors if mentor.ethnicity]
    assert len(answered) >= 0.8 * len(mentors)
    assert {"asian_pakistani", "black_african", "white_british"} <= {m.ethnicity for m in answered}
