import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.mentors.models import (
    Accreditation,
    CheckOutcome,
    MentorStatus,
    VettingCheck,
    VettingCheckType,
)

from .factories import accredit, coordinator, make_matchable_mentor, make_mentor
from .factories_pool import make_full_mentor

pytestmark = pytest.mark.django_db

URL = reverse("mentors:expiries")
TODAY = timezone.localdate


@pytest.fixture
def staff(make_user, signed_in):
    user = make_user("coordinator")
    signed_in(user)
    return user


def set_dbs_expiry(mentor, expires_on):
    VettingCheck.objects.filter(mentor=mentor, check_type__code="enhanced-dbs").update(
        checked_on=expires_on - dt.timedelta(days=1095), expires_on=expires_on
    )


def set_accreditation_expiry(mentor, expires_on):
    Accreditation.objects.filter(mentor=mentor).update(
        awarded_on=expires_on - dt.timedelta(days=720), expires_on=expires_on
    )


def rows(client):
    response = client.get(URL)
    assert response.status_code == 200
    return [(r.mentor.full_name, r.record, r.state) for r in response.context["rows"]]


def test_checks_and_accreditations_expired_or_within_60_days_soonest_first(client, staff):
    today = TODAY()
    soon = make_matchable_mentor(full_name="Soon")
    set_dbs_expiry(soon, today + dt.timedelta(days=20))
    later = make_matchable_mentor(full_name="Later")
    set_accreditation_expiry(later, today + dt.timedelta(days=45))
    expired = make_matchable_mentor(full_name="Expired")
    set_dbs_expiry(expired, today - dt.timedelta(days=3))
    today_expiry = make_matchable_mentor(full_name="Today")
    set_accreditation_expiry(today_expiry, today)
    far = make_matchable_mentor(full_name="Far")
    set_dbs_expiry(far, today + dt.timedelta(days=61))
    dbs = "Enhanced criminal-records check with barred list"
    assert rows(client) == [
        ("Expired", dbs, "expired"),
        ("Today", "Accreditation at accredited level", "expired"),
        ("Soon", dbs, "soon"),
        ("Later", "Accreditation at accredited level", "later"),
    ]
    body = client.get(URL).content.decode()
    assert f'href="{reverse("mentors:detail", args=[soon.pk])}"' in body
    assert "3 days ago" in body and "in 20 days" in body
    for tag in ("Expired", "Within 30 days", "Within 60 days"):
        assert tag in body


def test_only_the_latest_check_of_each_type_counts(client, staff):
    today = TODAY()
    renewed = make_matchable_mentor(full_name="Renewed")
    set_dbs_expiry(renewed, today - dt.timedelta(days=10))
    dbs = VettingCheckType.objects.get(code="enhanced-dbs")
    VettingCheck.objects.create(
        mentor=renewed,
        check_type=dbs,
        outcome=CheckOutcome.PASSED,
        checked_on=today - dt.timedelta(days=2),
        expires_on=today + dt.timedelta(days=1093),
        verifier="Vetting officer",
        recorded_by=coordinator(),
    )
    rechecking = make_matchable_mentor(full_name="Re-check pending")
    set_dbs_expiry(rechecking, today + dt.timedelta(days=5))
    VettingCheck.objects.create(
        mentor=rechecking,
        check_type=dbs,
        outcome=CheckOutcome.PENDING,
        checked_on=today,
        verifier="Vetting officer",
        recorded_by=coordinator(),
    )
    assert rows(client) == []


def test_a_renewed_accreditation_hides_the_one_it_replaces(client, staff):
    today = TODAY()
    mentor = make_matchable_mentor(full_name="Renewed")
    set_accreditation_expiry(mentor, today - dt.timedelta(days=1))
    accredit(mentor, level_code="senior", on=today - dt.timedelta(days=1))
    revoked = make_matchable_mentor(full_name="Revoked")
    Accreditation.objects.filter(mentor=revoked).update(
        expires_on=today + dt.timedelta(days=10), revoked_on=today, revoked_reason="Conduct"
    )
    assert rows(client) == []


def test_mentors_who_left_are_not_listed(client, staff):
    gone = make_matchable_mentor(full_name="Gone")
    set_dbs_expiry(gone, TODAY() - dt.timedelta(days=3))
    gone.status = MentorStatus.LEFT
    gone.save()
    paused = make_matchable_mentor(full_name="Paused")
    set_dbs_expiry(paused, TODAY() + dt.timedelta(days=3))
    paused.status = MentorStatus.PAUSED
    paused.save()
    assert [name for name, *_ in rows(client)] == ["Paused"]


def test_failed_checks_are_not_expiries(client, staff):
    mentor = make_mentor(full_name="Failed", status=MentorStatus.VETTING)
    VettingCheck.objects.create(
        mentor=mentor,
        check_type=VettingCheckType.objects.get(code="enhanced-dbs"),
        outcome=CheckOutcome.FAILED,
        checked_on=TODAY() - dt.timedelta(days=1200),
        expires_on=TODAY() - dt.timedelta(days=100),
        verifier="DBS",
        failure_reason="Barred list",
        recorded_by=coordinator(),
    )
    assert rows(client) == []


def test_nothing_expiring_says_so(client, staff):
    make_matchable_mentor()
    body = client.get(URL).content.decode()
    assert "Nothing has expired or expires soon" in body


def test_query_count_does_not_grow(client, staff):
    by = coordinator()

    def add(n):
        for i in range(n):
            mentor = make_full_mentor(by=by)
            set_dbs_expiry(mentor, TODAY() + dt.timedelta(days=i % 90 - 20))
            set_accreditation_expiry(mentor, TODAY() + dt.timedelta(days=i % 70))

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    add(3)
    small = count()
    add(40)
    assert count() == small
