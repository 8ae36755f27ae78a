import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Value
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.mentors import matchability
from tandem.mentors.matchability import (
    Rules,
    annotate_matchable,
    matchable_mentors,
    mentor_matchability,
    prefetch_for_matchability,
)
from tandem.mentors.models import (
    CheckOutcome,
    CodeOfConduct,
    Mentor,
    MentorStatus,
    VettingCheck,
    VettingCheckType,
)

from .factories import coordinator, make_matchable_mentor, make_mentor

pytestmark = pytest.mark.django_db


def reasons(mentor, today=None):
    mentor = prefetch_for_matchability(Mentor.objects.filter(pk=mentor.pk), today).get()
    return mentor_matchability(mentor, Rules.load(today)).reasons


def test_a_fully_ready_mentor_is_matchable():
    mentor = make_matchable_mentor()
    assert reasons(mentor) == ()
    assert list(matchable_mentors()) == [mentor]


def test_an_applicant_is_not_matchable_and_every_reason_is_given():
    mentor = make_mentor()
    found = reasons(mentor)
    assert "Status is applicant" in found
    assert "Identity: no check recorded" in found
    assert "Not accredited" in found
    assert any(r.startswith("Has not accepted the code of conduct") for r in found)
    assert not matchable_mentors().exists()


def test_an_expired_check_is_named_with_its_date():
    mentor = make_matchable_mentor()
    mentor.accreditations.update(expires_on=timezone.localdate() + dt.timedelta(days=5000))
    dbs = VettingCheck.objects.get(mentor=mentor, check_type__code="enhanced-dbs")
    later = dbs.expires_on
    assert reasons(mentor, later) == (
        f"Enhanced criminal-records check with barred list expired on {later.day} {later:%B %Y}",
    )
    assert not matchable_mentors(today=later).exists()
    assert matchable_mentors(today=later - dt.timedelta(days=1)).exists()


def test_a_later_failed_check_overrides_an_earlier_pass():
    mentor = make_matchable_mentor()
    check_type = VettingCheckType.objects.get(code="interview")
    VettingCheck.objects.create(
        mentor=mentor,
        check_type=check_type,
        outcome=CheckOutcome.FAILED,
        checked_on=timezone.localdate(),
        verifier="Panel",
        failure_reason="Concerns",
        recorded_by=coordinator(),
    )
    assert reasons(mentor)[0].startswith("Interview failed on")
    assert not matchable_mentors().exists()


def test_optional_check_types_do_not_block():
    mentor = make_matchable_mentor()
    VettingCheck.objects.filter(mentor=mentor, check_type__code="security-vetting").delete()
    assert reasons(mentor) == ()


def test_a_new_code_of_conduct_version_must_be_accepted():
    mentor = make_matchable_mentor()
    CodeOfConduct.objects.create(version="2027.1", text="New text")
    assert reasons(mentor) == ("Has not accepted the code of conduct (version 2027.1)",)
    assert not matchable_mentors().exists()


def test_paused_and_zero_capacity():
    mentor = make_matchable_mentor(caseload_cap=0)
    assert reasons(mentor) == ("No spare capacity (0 of 0 cases)",)
    Mentor.objects.filter(pk=mentor.pk).update(status=MentorStatus.PAUSED, caseload_cap=2)
    assert reasons(mentor) == ("Status is paused",)


def test_without_a_caseload_counter_no_mentor_holds_a_place(monkeypatch):
    """The register holds no matches: with no app counting places, nobody holds one."""
    monkeypatch.setattr(matchability, "_caseload_counters", [])
    mentor = make_matchable_mentor(caseload_cap=1)
    assert annotate_matchable(Mentor.objects.filter(pk=mentor.pk)).get().current_caseload == 0
    assert list(matchable_mentors()) == [mentor]


def test_one_caseload_counter_only(monkeypatch):
    monkeypatch.setattr(matchability, "_caseload_counters", [])
    matchability.register_caseload_counter(lambda: Value(1))
    with pytest.raises(ImproperlyConfigured):
        matchability.register_caseload_counter(lambda: Value(2))


def test_pool_query_is_one_query(django_assert_num_queries):
    for _ in range(5):
        make_matchable_mentor()
    with django_assert_num_queries(2):  # the current code of conduct, then the pool
        assert len(list(matchable_mentors())) == 5


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    status=st.sampled_from(MentorStatus.values),
    drop_check=st.sampled_from([None, "identity", "enhanced-dbs", "interview", "security-vetting"]),
    fail_check=st.sampled_from([None, "reference-1", "enhanced-dbs"]),
    days_ahead=st.integers(min_value=-5, max_value=2000),
    accredited=st.booleans(),
    accepted=st.booleans(),
    cap=st.integers(min_value=0, max_value=3),
)
def test_the_single_query_agrees_with_the_per_mentor_reasons(
    status, drop_check, fail_check, days_ahead, accredited, accepted, cap
):
    Mentor.objects.all().delete()
    mentor = make_matchable_mentor(caseload_cap=cap)
    Mentor.objects.filter(pk=mentor.pk).update(status=status)
    if drop_check:
        VettingCheck.objects.filter(mentor=mentor, check_type__code=drop_check).delete()
    if fail_check:
        VettingCheck.objects.create(
            mentor=mentor,
            check_type=VettingCheckType.objects.get(code=fail_check),
            outcome=CheckOutcome.FAILED,
            checked_on=timezone.localdate(),
            verifier="x",
            failure_reason="failed",
            recorded_by=coordinator(),
        )
    if not accredited:
        mentor.accreditations.all().delete()
    if not accepted:
        mentor.acceptances.all().delete()
    today = timezone.localdate() + dt.timedelta(days=days_ahead)
    annotated = annotate_matchable(Mentor.objects.filter(pk=mentor.pk), today=today).get()
    assert annotated.is_matchable == (reasons(mentor, today) == ())
