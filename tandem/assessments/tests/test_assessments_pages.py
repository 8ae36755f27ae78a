"""The assessment list, one assessment in full, and the comparison: what they show, who
may see them, the audit of every view, and query counts that do not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.assessments.models import Assessment
from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseStatus

from .factories_assessments import assessment_case, coordinator, record

pytestmark = pytest.mark.django_db


def list_url(case):
    return reverse("assessments:list", args=[case.pk])


def detail_url(case, assessment=None, raw=None):
    base = reverse("assessments:detail", args=[case.pk])
    if raw is not None:
        return f"{base}?id={raw}"
    return f"{base}?id={assessment.pk}" if assessment else base


def compare_url(case):
    return reverse("assessments:compare", args=[case.pk])


def create_url(case):
    return reverse("assessments:create", args=[case.pk])


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def staff(signed_in):
    user = coordinator()
    signed_in(user)
    return user


def text(response) -> str:
    return response.content.decode()


# The list ------------------------------------------------------------------------------


def test_the_list_shows_assessments_newest_first_with_links_and_tabs(client, staff):
    case = assessment_case()
    assessor = create_user("coordinator", full_name="Asha Assessor")
    intake = record(case, actor=assessor, assessed_on=days_ago(40))
    later = record(case, assessed_on=days_ago(3))
    response = client.get(list_url(case))
    assert response.status_code == 200
    body = text(response)
    assert body.count("<h1") == 1
    assert case.reference in body
    assert "moj-sub-navigation" in body
    assert 'aria-current="page">Assessments' in body
    assert body.index(days_ago(3).strftime("%-d %B %Y")) < body.index(
        days_ago(40).strftime("%-d %B %Y")
    )
    assert "Initial assessment" in body and "Reassessment" in body
    assert "Asha Assessor" in body
    assert detail_url(case, intake).replace("?", "?") in body.replace("&amp;", "&")
    assert f"?id={later.pk}" in body
    assert compare_url(case) in body
    assert "Start an assessment" in body
    assert "A new assessment is a reassessment" in body
    assert "cannot be changed once they are recorded" in body
    assert "Summary of the assessment" not in body  # no narrative on the list


def test_an_empty_list_is_honest_and_offers_the_initial_assessment(client, staff):
    case = assessment_case()
    body = text(client.get(list_url(case)))
    assert "No assessment has been recorded for this case yet." in body
    assert "the first one is the initial assessment" in body
    assert create_url(case) in body
    assert compare_url(case) not in body


def test_the_list_paginates_and_ignores_a_nonsense_page(client, staff):
    case = assessment_case()
    for n in range(27):
        record(case, assessed_on=days_ago(60 - n))
    first = text(client.get(list_url(case)))
    assert first.count("?id=") == 25
    assert "govuk-pagination" in first
    assert text(client.get(list_url(case) + "?page=2")).count("?id=") == 2
    assert client.get(list_url(case) + "?page=%F0%9F%98%80").status_code == 200


def test_the_list_view_is_audited(client, staff):
    case = assessment_case()
    client.get(list_url(case))
    event = AuditEvent.objects.get(action="assessments.assessment.list")
    assert event.actor == staff and event.object_id == str(case.pk)


# One assessment ------------------------------------------------------------------------


def test_the_detail_shows_every_factor_by_dimension_with_summary_and_plan(client, staff):
    case = assessment_case()
    assessment = record(
        case,
        levels={15: "high", 20: "not_known"},
        narratives={15: "Speaks of 'us and them' at school."},
        summary="Main driver is grievance.",
        management_plan="Mentor weekly.",
    )
    response = client.get(detail_url(case, assessment))
    assert response.status_code == 200
    body = text(response)
    assert body.count("<h1") == 1
    assert "Initial assessment" in body
    for caption in (
        "Engagement with a group, cause or ideology",
        "Intent to cause harm",
        "Capability to cause harm",
    ):
        assert f'govuk-table__caption--s">{caption}</caption>' in body
    assert body.count('<th scope="row"') == 22
    assert "Speaks of &#x27;us and them&#x27; at school." in body
    assert "govuk-tag--red" in body and ">High</strong>" in body
    assert ">Not known</strong>" in body
    assert "Main driver is grievance." in body and "Mentor weekly." in body
    assert "cannot be changed once they are recorded" in body
    assert "Start a reassessment" in body
    assert "moj-sub-navigation" in body


def test_viewing_an_assessment_is_audited(client, staff):
    case = assessment_case()
    assessment = record(case)
    client.get(detail_url(case, assessment))
    event = AuditEvent.objects.get(action="assessments.assessment.view")
    assert event.actor == staff and event.object_id == str(assessment.pk)


@pytest.mark.parametrize("raw", ["abc", "", "-1", "1.5", "\u0661", "9" * 30, "0", "1%00"])
def test_a_nonsense_id_is_not_found(client, staff, raw):
    case = assessment_case()
    record(case)
    assert client.get(detail_url(case, raw=raw)).status_code == 404


def test_another_cases_assessment_is_not_found_through_this_case(client, staff):
    case, other = assessment_case(), assessment_case()
    theirs = record(other)
    assert client.get(detail_url(case, theirs)).status_code == 404
    assert not AuditEvent.objects.filter(action="assessments.assessment.view").exists()


def test_without_an_id_the_detail_goes_back_to_the_list(client, staff):
    case = assessment_case()
    response = client.get(detail_url(case))
    assert response.status_code == 302 and response["Location"] == list_url(case)


def test_an_assessment_cannot_be_changed_by_posting_to_its_page(client, staff):
    case = assessment_case()
    assessment = record(case, summary="As recorded.")
    response = client.post(detail_url(case, assessment), {"summary": "Changed"})
    assert response.status_code == 405
    assessment.refresh_from_db()
    assert assessment.summary == "As recorded."


def test_a_closed_case_shows_its_assessments_but_offers_no_new_one(client, staff):
    case = assessment_case()
    assessment = record(case)
    from tandem.cases.models import Case

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closure_outcome="completed")
    body = text(client.get(detail_url(case, assessment)))
    assert "Start a reassessment" not in body
    body = text(client.get(list_url(case)))
    assert "Start an assessment" not in body
    assert "so no assessment can be recorded for it" in body


# The comparison ------------------------------------------------------------------------


def test_the_comparison_with_one_assessment_is_an_honest_empty_state(client, staff):
    case = assessment_case()
    body = text(client.get(compare_url(case)))
    assert "No assessment has been recorded for this case yet" in body
    record(case)
    body = text(client.get(compare_url(case)))
    assert "Only the initial assessment of" in body
    assert "Once a reassessment is recorded" in body
    assert body.count("<h1") == 1


def test_the_comparison_shows_changes_since_previous_and_intake(client, staff):
    case = assessment_case()
    record(
        case,
        assessed_on=days_ago(30),
        levels={1: "high", 2: "not_known"},
        narratives={1: "Angry about the council."},
    )
    record(case, assessed_on=days_ago(20), levels={1: "moderate", 2: "low"})
    record(
        case,
        assessed_on=days_ago(10),
        levels={1: "low", 2: "not_known", 16: "high"},
        narratives={1: "Calmer; volunteering.", 16: "Called them vermin."},
    )
    response = client.get(compare_url(case))
    assert response.status_code == 200
    body = text(response)
    assert body.count("<h1") == 1
    assert "Since the previous assessment" in body and "Since intake" in body
    assert "1 factor lower, 1 higher, 19 unchanged, 1 now unknown since the previous" in body
    assert "1 factor lower, 1 higher, 20 unchanged since intake" in body
    assert ">Lower concern</strong>" in body
    assert ">Higher concern</strong>" in body
    assert ">Now unknown</strong>" in body
    assert "Angry about the council." in body  # then, side by side with now
    assert "Calmer; volunteering." in body
    assert "Called them vermin." in body
    assert "3 assessments have been recorded in all" in body


def test_rewritten_evidence_without_a_new_rating_is_shown_apart(client, staff):
    case = assessment_case()
    record(case, assessed_on=days_ago(9), narratives={5: "Likes fast cars."})
    record(case, assessed_on=days_ago(2), narratives={5: "Now racing at weekends."})
    body = text(client.get(compare_url(case)))
    assert "0 factors lower, 0 higher, 22 unchanged since intake" in body
    assert "No factor's rating changed since intake." in body
    assert "(evidence rewritten)" in body
    assert "Evidence rewritten without a change of rating (1 factor)" in body
    details = body[body.index('class="govuk-details"') :]
    assert "Likes fast cars." in details and "Now racing at weekends." in details


def test_viewing_the_comparison_audits_each_assessment_shown(client, staff):
    case = assessment_case()
    shown = [record(case, assessed_on=days_ago(n)) for n in (30, 20, 10)]
    hidden = record(assessment_case())
    client.get(compare_url(case))
    viewed = set(
        AuditEvent.objects.filter(action="assessments.assessment.view").values_list(
            "object_id", flat=True
        )
    )
    assert viewed == {str(a.pk) for a in shown}
    assert str(hidden.pk) not in viewed


# Who may see what ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "create", "detail", "compare"])
def test_a_referrer_is_refused_even_for_their_own_referral(client, signed_in, name):
    referrer = create_user("referrer")
    case = assessment_case(referred_by=referrer)
    assessment = record(case)
    signed_in(referrer)
    url = reverse(f"assessments:{name}", args=[case.pk])
    if name == "detail":
        url += f"?id={assessment.pk}"
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", ["list", "detail", "compare"])
def test_a_mentor_without_a_match_finds_nothing(client, signed_in, name):
    case = assessment_case()
    assessment = record(case)
    signed_in(create_user("mentor"))
    url = reverse(f"assessments:{name}", args=[case.pk])
    if name == "detail":
        url += f"?id={assessment.pk}"
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="assessments.assessment.").exists()


@pytest.mark.parametrize("role", ["mentor", "supervisor", "board_member", "administrator"])
def test_only_coordinators_record_assessments(client, signed_in, role):
    case = assessment_case()
    signed_in(create_user(role))
    assert client.get(create_url(case)).status_code in (403, 404)
    client.post(create_url(case), {})
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("name", ["list", "create", "detail", "compare"])
def test_a_coordinator_reaches_every_page(client, staff, name):
    case = assessment_case()
    assessment = record(case)
    url = reverse(f"assessments:{name}", args=[case.pk])
    if name == "detail":
        url += f"?id={assessment.pk}"
    assert client.get(url).status_code == 200


def test_an_unknown_case_is_not_found(client, staff):
    assert client.get(reverse("assessments:list", args=[999999])).status_code == 404


# Query counts --------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["list", "create", "detail", "compare"])
def test_query_counts_do_not_grow_with_the_number_of_assessments(client, staff, page):
    case = assessment_case()

    def url():
        latest = Assessment.objects.filter(case=case).order_by("-assessed_on", "-pk").first()
        base = reverse(f"assessments:{page}", args=[case.pk])
        return f"{base}?id={latest.pk}" if page == "detail" else base

    for n in (60, 50, 40):
        record(case, assessed_on=days_ago(n))
    client.get(url())  # warm caches (data keys, sessions)
    few = _queries(client, url())
    for n in range(30, 0, -3):
        record(case, assessed_on=days_ago(n))
    many = _queries(client, url())
    assert many == few, (page, few, many)
