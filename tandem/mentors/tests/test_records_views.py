"""The vetting, training and quality pages and their forms: who may see and change what,
what the pages show, bad input, audit of views, and query counts."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.mentors.models import (
    Accreditation,
    AccreditationLevel,
    CheckOutcome,
    FeedbackRecord,
    MentorStatus,
    ObservationRating,
    ObservedPractice,
    StatusChange,
    TrainingCompletion,
    TrainingModule,
    VettingCheck,
    VettingCheckType,
)

from .factories import accredit, coordinator, make_mentor, pass_all_checks
from .factories_records import add_check, complete, complete_all, days_ago, give_feedback, observe

pytestmark = pytest.mark.django_db


def url(name, mentor):
    return reverse(f"mentors:{name}", kwargs={"pk": mentor.pk})


def uk(date: dt.date) -> str:
    return f"{date.day}/{date.month}/{date.year}"


def long(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


@pytest.fixture
def as_coordinator(client, signed_in):
    user = coordinator()
    signed_in(user)
    client.user = user
    return client


def mentor_user():
    user = create_user("mentor")
    return user, make_mentor(user=user, status=MentorStatus.ACTIVE)


# Vetting page --------------------------------------------------------------------------


def test_the_vetting_page_shows_each_check_type_with_its_latest_check(as_coordinator):
    mentor = make_mentor(status=MentorStatus.VETTING)
    add_check(mentor, "identity", reference_number="PASSPORT-998877")
    add_check(mentor, "enhanced-dbs", on=days_ago(1100), expires_on=days_ago(5))
    add_check(
        mentor, "enhanced-dbs", on=days_ago(1000), expires_on=days_ago(-30), verifier="DBS desk"
    )
    add_check(mentor, "reference-1", outcome=CheckOutcome.PENDING)

    page = as_coordinator.get(url("vetting", mentor)).content.decode()

    assert "PASSPORT-998877" in page
    for text in ["Current", "Expires within 60 days", "Pending", "Not started"]:
        assert text in page
    assert "Earlier Enhanced criminal-records check with barred list checks" in page
    assert 'Security vetting <span class="govuk-body-s">(optional)</span>' in page
    assert 'Identity <span class="govuk-body-s">(required)</span>' in page
    assert "Progress blocked" not in page
    assert "Record a vetting check" in page


def test_a_failed_required_check_shows_as_blocking_with_its_reason(as_coordinator):
    mentor = make_mentor(status=MentorStatus.VETTING)
    add_check(mentor, "interview", outcome=CheckOutcome.FAILED, failure_reason="Withheld a caution")
    page = as_coordinator.get(url("vetting", mentor)).content.decode()
    assert "Progress blocked" in page
    assert "Interview failed on" in page
    assert "Withheld a caution" in page
    assert "Blocks progress" in page


def test_an_expired_check_is_tagged_expired(as_coordinator):
    mentor = make_mentor()
    add_check(mentor, "enhanced-dbs", on=days_ago(1200), expires_on=days_ago(10))
    assert "Expired" in as_coordinator.get(url("vetting", mentor)).content.decode()


def test_every_view_of_the_vetting_page_is_audited(as_coordinator):
    mentor = make_mentor()
    for _ in range(2):
        assert as_coordinator.get(url("vetting", mentor)).status_code == 200
    events = AuditEvent.objects.filter(action="mentors.mentor.view", object_id=str(mentor.pk))
    assert events.count() == 2
    assert {e.reason for e in events} == {"Vetting record"}
    assert {e.actor for e in events} == {as_coordinator.user}


def test_every_view_of_the_quality_page_is_audited(client, signed_in):
    user, mentor = mentor_user()
    signed_in(user)
    for _ in range(3):
        assert client.get(url("quality", mentor)).status_code == 200
    events = AuditEvent.objects.filter(action="mentors.mentor.view", object_id=str(mentor.pk))
    assert events.count() == 3
    assert {e.reason for e in events} == {"Quality-assurance record"}


def test_the_training_page_is_not_an_audited_view(as_coordinator):
    mentor = make_mentor()
    as_coordinator.get(url("training", mentor))
    assert not AuditEvent.objects.filter(action="mentors.mentor.view").exists()


# Permissions ---------------------------------------------------------------------------


def test_a_mentor_sees_their_own_vetting_but_not_anothers(client, signed_in):
    user, mentor = mentor_user()
    add_check(mentor, "identity", reference_number="OWN-REF-1")
    other = make_mentor()
    add_check(other, "identity", reference_number="OTHER-REF-2")
    signed_in(user)
    own = client.get(url("vetting", mentor))
    assert own.status_code == 200
    assert "OWN-REF-1" in own.content.decode()
    assert client.get(url("vetting", other)).status_code == 404
    assert client.get(url("training", other)).status_code == 404
    assert client.get(url("quality", other)).status_code == 404


def test_a_mentor_sees_their_pages_read_only(client, signed_in):
    user, mentor = mentor_user()
    signed_in(user)
    for name, hidden in [
        ("vetting", "Record a vetting check"),
        ("training", "Award accreditation"),
        ("training", "Record a completed module"),
        ("quality", "Record an observation"),
        ("quality", "Record a piece of feedback"),
    ]:
        page = client.get(url(name, mentor)).content.decode()
        assert hidden not in page, name


@pytest.mark.parametrize(
    "name",
    [
        "check_add",
        "completion_add",
        "accreditation_award",
        "accreditation_revoke",
        "observation_add",
        "feedback_add",
    ],
)
def test_a_mentor_cannot_add_records_even_to_their_own(client, signed_in, name):
    user, mentor = mentor_user()
    signed_in(user)
    assert client.get(url(name, mentor)).status_code == 403
    assert client.post(url(name, mentor), {}).status_code == 403


def test_a_supervisor_sees_a_supervisees_training_and_quality_but_no_vetting(client, signed_in):
    supervisor = create_user("supervisor")
    supervisee = make_mentor(supervisor=supervisor)
    other = make_mentor()
    signed_in(supervisor)
    assert client.get(url("vetting", supervisee)).status_code == 403
    assert client.get(url("check_add", supervisee)).status_code == 403
    training = client.get(url("training", supervisee))
    assert training.status_code == 200
    assert "Award accreditation" not in training.content.decode()
    assert client.get(url("quality", supervisee)).status_code == 200
    assert client.get(url("training", other)).status_code == 404
    assert client.get(url("completion_add", supervisee)).status_code == 403


def test_record_pages_link_back_to_the_mentor_and_show_the_tabs(as_coordinator):
    mentor = make_mentor()
    page = as_coordinator.get(url("training", mentor)).content.decode()
    assert f'href="{url("detail", mentor)}"' in page
    assert 'aria-current="page"' in page  # the tabs mark this page
    assert f'href="{url("quality", mentor)}"' in page


# Recording a check ---------------------------------------------------------------------


def check_post(**overrides):
    data = {
        "check_type": VettingCheckType.objects.get(code="enhanced-dbs").pk,
        "outcome": CheckOutcome.PASSED,
        "checked_on": uk(days_ago(3)),
        "verifier": "Disclosure desk",
        "reference_number": "001234567890",
        "failure_reason": "",
        "expires_on": "",
    }
    data.update(overrides)
    return data


def test_a_coordinator_records_a_check_and_its_expiry_defaults(as_coordinator):
    mentor = make_mentor(status=MentorStatus.VETTING)
    response = as_coordinator.post(url("check_add", mentor), check_post())
    assert response.status_code == 302
    assert response["Location"] == url("vetting", mentor)
    check = VettingCheck.objects.get(mentor=mentor)
    assert check.expires_on == days_ago(3) + dt.timedelta(days=3 * 365)
    assert check.reference_number == "001234567890"
    assert check.recorded_by == as_coordinator.user
    page = as_coordinator.get(response["Location"]).content.decode()
    assert "check recorded as passed" in page


def test_the_check_form_preselects_a_check_type_from_the_query(as_coordinator):
    mentor = make_mentor()
    interview = VettingCheckType.objects.get(code="interview")
    page = as_coordinator.get(url("check_add", mentor) + f"?check_type={interview.pk}")
    checked = re.findall(
        r'<input type="radio" name="check_type" value="(\d+)"[^>]*checked', (page.content.decode())
    )
    assert checked == [str(interview.pk)]
    for junk in ["abc", "-1", "99999999999999999999", "²", "1e3"]:
        assert (
            as_coordinator.get(url("check_add", mentor) + f"?check_type={junk}").status_code == 200
        )


def test_a_failed_check_without_a_reason_is_refused_and_keeps_what_was_typed(as_coordinator):
    mentor = make_mentor()
    response = as_coordinator.post(
        url("check_add", mentor),
        check_post(outcome=CheckOutcome.FAILED, verifier="Panel of three"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter why the check failed" in page
    assert 'value="Panel of three"' in page
    assert 'value="001234567890"' in page
    assert not VettingCheck.objects.exists()


def test_a_check_dated_in_the_future_is_refused(as_coordinator):
    mentor = make_mentor()
    tomorrow = uk(days_ago(-1))
    response = as_coordinator.post(url("check_add", mentor), check_post(checked_on=tomorrow))
    page = response.content.decode()
    assert "The date the check was done must be today or in the past" in page
    assert f'value="{tomorrow}"' in page
    assert not VettingCheck.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"checked_on": ""}, "Enter the date the check was done"),
        ({"checked_on": "31/2/2026"}, "The date the check was done must be a real date"),
        ({"verifier": ""}, "Enter who carried out or verified the check"),
        ({"outcome": ""}, "Select the outcome of the check"),
        ({"check_type": "not-a-number"}, "Select which check this is"),
        ({"check_type": "99999999999999999999"}, "Select which check this is"),
        ({"checked_on": "1/1/99999"}, "The date the check was done must be a real date"),
        ({"failure_reason": "Because"}, "Leave the reason empty unless the check failed"),
        ({"expires_on": "1/1/2020"}, "The expiry date must be after the date the check was done"),
        (
            {"outcome": CheckOutcome.PENDING, "expires_on": "1/1/2040"},
            "Leave the expiry date empty unless the check passed",
        ),
    ],
)
def test_bad_check_input_is_explained(as_coordinator, overrides, message):
    mentor = make_mentor()
    response = as_coordinator.post(url("check_add", mentor), check_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VettingCheck.objects.exists()


def test_an_explicit_later_expiry_is_kept(as_coordinator):
    mentor = make_mentor()
    as_coordinator.post(url("check_add", mentor), check_post(expires_on="1/6/2040"))
    assert VettingCheck.objects.get().expires_on == dt.date(2040, 6, 1)


# Recording a training completion -------------------------------------------------------


def completion_post(**overrides):
    data = {
        "module": TrainingModule.objects.get(code="mentoring-skills").pk,
        "completed_on": uk(days_ago(2)),
        "cpd_hours": "",
    }
    data.update(overrides)
    return data


def test_a_coordinator_records_a_completion_with_the_modules_hours(as_coordinator):
    mentor = make_mentor(status=MentorStatus.TRAINING)
    response = as_coordinator.post(url("completion_add", mentor), completion_post())
    assert response["Location"] == url("training", mentor)
    assert TrainingCompletion.objects.get(mentor=mentor).cpd_hours == 12


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-1", "CPD hours must be 0 or more"),
        ("200.5", "CPD hours must be 200 or fewer"),
        ("9999", "CPD hours must be 200 or fewer"),
        ("lots", "CPD hours must be a number"),
        ("1.25", "at most one decimal place"),
        ("Infinity", "CPD hours must be a number"),
        ("NaN", "CPD hours must be a number"),
    ],
)
def test_cpd_hours_out_of_range_are_refused_keeping_the_input(as_coordinator, hours, message):
    mentor = make_mentor()
    response = as_coordinator.post(url("completion_add", mentor), completion_post(cpd_hours=hours))
    page = response.content.decode()
    assert message in page
    assert f'value="{hours}"' in page
    assert not TrainingCompletion.objects.exists()


def test_a_completion_in_the_future_is_refused(as_coordinator):
    mentor = make_mentor()
    response = as_coordinator.post(
        url("completion_add", mentor), completion_post(completed_on=uk(days_ago(-3)))
    )
    assert "must be today or in the past" in response.content.decode()


def test_the_same_completion_twice_gives_a_message_not_an_error(as_coordinator):
    mentor = make_mentor()
    as_coordinator.post(url("completion_add", mentor), completion_post())
    response = as_coordinator.post(url("completion_add", mentor), completion_post())
    assert response.status_code == 200
    assert "is already recorded" in response.content.decode()


def test_the_training_page_shows_completions_cpd_and_requirements(as_coordinator):
    mentor = make_mentor(status=MentorStatus.TRAINING)
    complete(mentor, "safeguarding", on=days_ago(40), hours="6")
    complete(mentor, "safeguarding", on=days_ago(4), hours="2.5")
    page = as_coordinator.get(url("training", mentor)).content.decode()
    assert "Total CPD hours recorded: <strong>8.5</strong>" in page
    assert long(days_ago(40)) in page and long(days_ago(4)) in page
    assert "Not accredited" in page
    assert "Not completed: Data protection and confidentiality" in page
    assert "0 of 20 recorded. Counts the sessions the mentor recorded as held" in page
    assert "No observation rated good or outstanding" in page


# Awarding accreditation ----------------------------------------------------------------


def award_post(code="trainee", on=None, note=""):
    return {
        "level": AccreditationLevel.objects.get(code=code).pk,
        "awarded_on": uk(on or days_ago(0)),
        "note": note,
    }


def test_an_award_with_unmet_requirements_is_refused_listing_them(as_coordinator):
    mentor = make_mentor(status=MentorStatus.TRAINING)
    complete(mentor, "safeguarding")
    response = as_coordinator.post(url("accreditation_award", mentor), award_post("accredited"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "does not meet every requirement for Accredited" in page
    assert "Required modules not completed:" in page
    assert "Mentoring skills" in page
    assert "Observed practice: no observation rated good or outstanding" in page
    assert not Accreditation.objects.exists()


def test_an_award_moves_a_mentor_in_training_to_active(as_coordinator):
    mentor = make_mentor(status=MentorStatus.TRAINING)
    complete(mentor, "safeguarding", "prevention-duty", "data-protection")
    assert "Award accreditation" in as_coordinator.get(url("training", mentor)).content.decode()
    response = as_coordinator.post(url("accreditation_award", mentor), award_post("trainee"))
    assert response["Location"] == url("training", mentor)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.ACTIVE
    assert StatusChange.objects.get(mentor=mentor).reason == "Accredited as Trainee"
    page = as_coordinator.get(response["Location"]).content.decode()
    assert "accredited as Trainee until" in page


def test_an_award_date_in_the_future_is_refused(as_coordinator):
    mentor = make_mentor(status=MentorStatus.TRAINING)
    response = as_coordinator.post(url("accreditation_award", mentor), award_post(on=days_ago(-2)))
    assert "The date of the award must be today or in the past" in response.content.decode()


def test_an_award_to_an_applicant_is_refused_with_a_message(as_coordinator):
    mentor = make_mentor(status=MentorStatus.APPLICANT)
    complete(mentor, "safeguarding", "prevention-duty", "data-protection")
    training = as_coordinator.get(url("training", mentor)).content.decode()
    assert "Award accreditation" not in training
    assert "status is applicant" in training
    response = as_coordinator.post(url("accreditation_award", mentor), award_post())
    assert response.status_code == 200
    assert "cannot be awarded accreditation" in response.content.decode()


def test_revoking_needs_a_reason_and_ends_the_accreditation(as_coordinator):
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    accreditation = accredit(mentor)
    page = as_coordinator.get(url("training", mentor)).content.decode()
    assert "Revoke accreditation" in page
    response = as_coordinator.post(
        url("accreditation_revoke", mentor), {"accreditation": accreditation.pk, "reason": ""}
    )
    assert "Enter why the accreditation is being revoked" in response.content.decode()
    response = as_coordinator.post(
        url("accreditation_revoke", mentor),
        {"accreditation": accreditation.pk, "reason": "Boundary breach"},
    )
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.revoked_reason == "Boundary breach"


def test_a_nonsense_accreditation_id_is_a_form_error(as_coordinator):
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    accredit(mentor)
    for junk in ["abc", "99999999999999999999999", ""]:
        response = as_coordinator.post(
            url("accreditation_revoke", mentor), {"accreditation": junk, "reason": "x"}
        )
        assert response.status_code == 200
        assert "Select the accreditation to revoke" in response.content.decode()


def test_another_mentors_accreditation_cannot_be_revoked_through_this_mentor(as_coordinator):
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    accredit(mentor)
    other = accredit(make_mentor(status=MentorStatus.ACTIVE))
    response = as_coordinator.post(
        url("accreditation_revoke", mentor), {"accreditation": other.pk, "reason": "x"}
    )
    assert response.status_code == 200
    assert "Select the accreditation to revoke" in response.content.decode()
    other.refresh_from_db()
    assert other.revoked_on is None


# Quality assurance ---------------------------------------------------------------------


def test_a_coordinator_records_an_observation_and_the_page_shows_the_status(as_coordinator):
    mentor = make_mentor(status=MentorStatus.ACTIVE)
    response = as_coordinator.post(
        url("observation_add", mentor),
        {
            "observed_on": uk(days_ago(1)),
            "observer": "Practice lead",
            "rating": ObservationRating.GOOD,
            "notes": "Listened well",
        },
    )
    assert response["Location"] == url("quality", mentor)
    page = as_coordinator.get(response["Location"]).content.decode()
    assert "Meets the standard" in page
    assert "Listened well" in page
    assert ObservedPractice.objects.get(mentor=mentor).recorded_by == as_coordinator.user


def test_bad_observation_input_keeps_what_was_typed(as_coordinator):
    mentor = make_mentor()
    response = as_coordinator.post(
        url("observation_add", mentor),
        {"observed_on": uk(days_ago(-1)), "observer": "", "rating": "", "notes": "Kept notes"},
    )
    page = response.content.decode()
    assert "The date of the observation must be today or in the past" in page
    assert "Enter who observed the practice" in page
    assert "Select a rating" in page
    assert "Kept notes" in page
    assert not ObservedPractice.objects.exists()


def test_a_coordinator_records_feedback(as_coordinator):
    mentor = make_mentor()
    response = as_coordinator.post(
        url("feedback_add", mentor),
        {
            "received_on": uk(days_ago(1)),
            "source": "client",
            "positive": "no",
            "summary": "Missed a session",
        },
    )
    assert response.status_code == 302
    feedback = FeedbackRecord.objects.get(mentor=mentor)
    assert feedback.positive is False
    assert feedback.summary == "Missed a session"


def test_bad_feedback_input_is_explained(as_coordinator):
    mentor = make_mentor()
    response = as_coordinator.post(
        url("feedback_add", mentor),
        {"received_on": "yesterday", "source": "", "positive": "", "summary": ""},
    )
    page = response.content.decode()
    assert "The date the feedback was received must be a real date" in page
    assert "Select who gave the feedback" in page
    assert "Select whether the feedback was positive or negative" in page
    assert "Enter a summary of the feedback" in page
    assert 'value="yesterday"' in page


def test_the_quality_page_shows_needs_attention_with_reasons(as_coordinator):
    mentor = make_mentor()
    observe(mentor, ObservationRating.INADEQUATE, on=days_ago(10), notes="Lost temper")
    give_feedback(mentor, positive=False, summary="Unkind words")
    page = as_coordinator.get(url("quality", mentor)).content.decode()
    assert "Needs attention" in page
    assert "rated inadequate" in page
    assert "Lost temper" in page
    assert "Unkind words" in page


# Query counts --------------------------------------------------------------------------


def _queries(client, path):
    client.get(path)  # warm caches (data keys, sessions)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _grow(mentor, by):
    pass_all_checks(mentor, on=days_ago(400), by=by)
    pass_all_checks(mentor, on=days_ago(200), by=by)
    add_check(mentor, "interview", outcome=CheckOutcome.FAILED, by=by)
    complete_all(mentor, on=days_ago(300), by=by)
    complete_all(mentor, on=days_ago(100), by=by)
    accredit(mentor, level_code="trainee", on=days_ago(500), by=by)
    accredit(mentor, level_code="accredited", on=days_ago(50), by=by)
    for n in range(4):
        observe(mentor, ObservationRating.GOOD, on=days_ago(10 + n), by=by)
        give_feedback(mentor, positive=bool(n % 2), on=days_ago(3 + n), by=by)


@pytest.mark.parametrize("name", ["vetting", "training", "quality", "accreditation_award"])
def test_page_query_counts_do_not_grow_with_records(
    as_coordinator, name, django_capture_on_commit_callbacks
):
    # Committing lets the mentor's new data key into the key cache, as in real use.
    with django_capture_on_commit_callbacks(execute=True):
        mentor = make_mentor(status=MentorStatus.ACTIVE)
        add_check(mentor, "identity", by=as_coordinator.user, reference_number="R1")
        complete(mentor, "safeguarding", by=as_coordinator.user)
        accredit(mentor, level_code="trainee", on=days_ago(800), by=as_coordinator.user)
        observe(mentor, by=as_coordinator.user)
        give_feedback(mentor, by=as_coordinator.user)
    few = _queries(as_coordinator, url(name, mentor))
    _grow(mentor, as_coordinator.user)
    many = _queries(as_coordinator, url(name, mentor))
    assert many == few
