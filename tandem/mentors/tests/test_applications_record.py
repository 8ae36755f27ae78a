"""A mentor's record overview, and who may see and change it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.catalogues.models import Language
from tandem.mentors.models import MentorLanguage, MentorStatus, Proficiency
from tandem.mentors.services.pipeline import mentor_transition

from .factories import coordinator, make_matchable_mentor, make_mentor

pytestmark = pytest.mark.django_db


def detail(mentor):
    return reverse("mentors:detail", args=[mentor.pk])


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    user.full_name = "Cora Ordinator"
    user.save()
    signed_in(user)
    return user


def test_the_overview_shows_the_record_and_audits_the_view(client, staff):
    supervisor = coordinator()
    mentor = make_mentor(
        full_name="Bilal Hussain", phone="07700 900123", supervisor=supervisor, motivation="To help"
    )
    MentorLanguage.objects.create(
        mentor=mentor, language=Language.objects.get(name="Urdu"), proficiency=Proficiency.FLUENT
    )
    response = client.get(detail(mentor))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert "Bilal Hussain" in body
    assert "govuk-tag--blue" in body and "Applicant" in body
    assert "07700 900123" in body
    assert "Urdu (fluent)" in body
    assert supervisor.full_name in body
    assert "Entered by a coordinator" in body.replace(
        "entered by a coordinator", "Entered by a coordinator"
    )
    assert "Sign-in access" in body
    assert "To help" in body  # the application answers, for those who may change the record
    assert "moj-sub-navigation" in body
    assert 'aria-current="page">Overview' in body
    assert "Cannot take a case today" in body
    assert "Status is applicant" in body
    assert "Change status" in body
    view = AuditEvent.objects.get(action="mentors.mentor.view")
    assert view.actor == staff and view.object_id == str(mentor.pk)


def test_a_matchable_mentor_shows_green(client, staff):
    mentor = make_matchable_mentor()
    body = client.get(detail(mentor)).content.decode()
    assert '<strong class="govuk-tag govuk-tag--green">Can take a case today</strong>' in body
    assert "Cannot take a case today" not in body


def test_the_status_history_is_newest_first_with_who_and_why(client, staff):
    mentor = make_mentor(status=MentorStatus.APPLICANT)
    mentor_transition(actor=staff, mentor=mentor, to_status="vetting")
    mentor_transition(actor=staff, mentor=mentor, to_status="left", reason="Moved to Leeds")
    body = client.get(detail(mentor)).content.decode()
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Status history' in body
    newest, oldest = body.index("Vetting to left"), body.index("Applicant to vetting")
    assert newest < oldest
    assert "Moved to Leeds" in body
    assert "Cora Ordinator" in body
    assert "No status change is possible" in body  # a mentor who left has no moves


def test_an_application_made_online_names_the_applicant_in_the_history(client, staff):
    from tandem.mentors.services.applications import application_submit

    mentor = application_submit(
        full_name="Dana Webb",
        email="dana@example.org",
        areas=[],
        languages=[],
        motivation="m",
        experience="e",
    )
    body = client.get(detail(mentor)).content.decode()
    assert "The applicant" in body
    assert "applied online" in body


def test_a_mentor_sees_only_their_own_record_and_cannot_change_it(client, signed_in, make_user):
    user = make_user("mentor")
    own = make_mentor(user=user, status=MentorStatus.ACTIVE, motivation="Private answer")
    other = make_mentor()
    signed_in(user)
    response = client.get(detail(own))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Change status" not in body
    assert "Private answer" not in body
    assert "Give sign-in access" not in body
    assert "Back to the pipeline" not in body
    assert client.get(detail(other)).status_code == 404
    assert client.get(reverse("mentors:transition", args=[own.pk])).status_code == 403


def test_a_supervisor_sees_supervisees_but_cannot_change_them(client, signed_in, make_user):
    supervisor = make_user("supervisor")
    supervisee = make_mentor(supervisor=supervisor)
    other = make_mentor()
    signed_in(supervisor)
    response = client.get(detail(supervisee))
    assert response.status_code == 200
    assert "Change status" not in response.content.decode()
    assert client.get(detail(other)).status_code == 404
    assert (
        client.post(
            reverse("mentors:transition", args=[supervisee.pk]),
            {"to_status": "vetting", "expected_status": "applicant"},
        ).status_code
        == 403
    )
    assert client.post(reverse("mentors:grant_access", args=[supervisee.pk])).status_code == 403


@pytest.mark.parametrize("role", ["referrer", "board_member", "evaluator", "administrator"])
def test_roles_without_a_mentor_rule_are_refused(client, signed_in, make_user, role):
    mentor = make_mentor()
    signed_in(make_user(role))
    for name in ("mentors:detail", "mentors:transition", "mentors:grant_access"):
        assert client.get(reverse(name, args=[mentor.pk])).status_code == 403
    assert client.get(reverse("mentors:pipeline")).status_code == 403
    assert client.get(reverse("mentors:add")).status_code == 403


def test_an_unknown_mentor_is_404(client, staff):
    assert client.get(reverse("mentors:detail", args=[987654])).status_code == 404


def test_the_overview_takes_a_fixed_number_of_queries(client, staff, django_assert_max_num_queries):
    """Checks, accreditations, languages and history are prefetched."""
    mentor = make_matchable_mentor()
    for _ in range(5):
        mentor_transition(actor=staff, mentor=mentor, to_status="paused", reason="Break")
        mentor_transition(actor=staff, mentor=mentor, to_status="active")
    client.get(detail(mentor))  # warm the key caches
    with django_assert_max_num_queries(40) as few:
        client.get(detail(mentor))
    baseline = len(few.captured_queries)
    other = make_matchable_mentor()
    for _ in range(15):
        mentor_transition(actor=staff, mentor=other, to_status="paused", reason="Break")
        mentor_transition(actor=staff, mentor=other, to_status="active")
    client.get(detail(other))
    with django_assert_max_num_queries(baseline):
        client.get(detail(other))


def test_an_expired_check_is_named_on_the_overview(client, staff):
    mentor = make_matchable_mentor()
    mentor.accreditations.update(expires_on=timezone.localdate() + dt.timedelta(days=5000))
    check = mentor.checks.get(check_type__code="enhanced-dbs")
    check.expires_on = timezone.localdate()
    check.checked_on = timezone.localdate() - dt.timedelta(days=1000)
    check.save()
    body = client.get(detail(mentor)).content.decode()
    assert "Enhanced criminal-records check with barred list expired on" in body
