"""The case record: what it shows and to whom, the audit of every view, the next steps
it offers, and the decision on a possible duplicate."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.cases.models import Case, CaseEvent, CaseStatus
from tandem.cases.services.lifecycle import CaseConflict, LifecycleRefused
from tandem.cases.services.referrals import duplicate_decide
from tandem.cases.services.screening import consent_record
from tandem.catalogues.models import Language

from .factories import make_case
from .factories_referrals import coordinator, refer, refer_child, referrer, screened_in

pytestmark = pytest.mark.django_db


def detail(case):
    return reverse("cases:detail", args=[case.pk])


@pytest.fixture
def staff(signed_in):
    user = coordinator(full_name="Cora Ordinator")
    signed_in(user)
    return user


def test_the_record_url_is_where_the_brief_says():
    assert reverse("cases:detail", args=[7]) == "/cases/7/"


def test_a_coordinator_sees_the_whole_record_and_the_view_is_audited(client, staff):
    case = refer_child(
        reason="Distinctive referral reason",
        accessibility_needs="Needs step-free access",
        faith_preference="A Muslim mentor if possible",
        other_agencies="Children's social care",
    )
    response = client.get(detail(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert f'<span class="govuk-caption-l">{case.reference}</span>' in body
    for text in (
        "Jo",
        "Bloggs",
        "Pat Bloggs",
        "Mother",
        "07700 900111",
        "Distinctive referral reason",
        "Needs step-free access",
        "A Muslim mentor if possible",
        "Children&#x27;s social care",
        "English",
        "Example Academy",
        "Not screened yet",
        "No consent has been recorded yet",
        "moj-sub-navigation",
        'aria-current="page">Overview',
    ):
        assert text in body, text
    born = dt.date.fromisoformat(case.date_of_birth)
    assert born.strftime("%-d %B %Y") in body
    assert "govuk-tag--blue" in body and "Referred" in body
    view = AuditEvent.objects.get(action="cases.case.view")
    assert view.actor == staff and view.object_id == str(case.pk)
    client.get(detail(case))
    assert AuditEvent.objects.filter(action="cases.case.view").count() == 2


def test_the_next_steps_follow_the_status(client, staff):
    case = refer()
    body = client.get(detail(case)).content.decode()
    assert reverse("cases:screen", args=[case.pk]) in body
    assert reverse("cases:consent", args=[case.pk]) in body
    assert reverse("cases:act", args=[case.pk]) not in body  # nothing else yet

    case = screened_in(case)
    body = client.get(detail(case)).content.decode()
    assert reverse("cases:screen", args=[case.pk]) not in body
    assert reverse("cases:consent_withdraw", args=[case.pk]) in body
    assert reverse("cases:act", args=[case.pk]) in body
    assert "Possible now: ready for a match" in body


def test_an_ended_case_offers_no_next_steps(client, staff):
    case = make_case(status=CaseStatus.NOT_SUITABLE, closure_outcome="not_suitable")
    body = client.get(detail(case)).content.decode()
    assert "What can happen next" not in body
    assert "Its record is kept" in body


def test_the_record_query_count_does_not_grow_with_consents_and_languages(
    client, staff, django_capture_on_commit_callbacks
):
    # Running the commit hooks lets the person's data key be cached, as after a real commit.
    with django_capture_on_commit_callbacks(execute=True):
        case = screened_in(refer())

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(detail(case)).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first read after the commit fetches the data key into the cache
    few = count()
    case.languages.set(Language.objects.all()[:6])
    for _ in range(5):
        consent_record(
            actor=staff,
            case=case,
            decision="given",
            given_by="person",
            giver_name="Sam",
            decided_on=dt.date.today(),
            method="phone",
        )
    assert count() == few


@pytest.mark.parametrize("role", ["referrer", "board_member", "evaluator", "administrator"])
def test_roles_without_case_access_are_refused(client, signed_in, make_user, role):
    user = make_user(role)
    case = make_case(referred_by=user) if role == "referrer" else make_case()
    signed_in(user)
    assert client.get(detail(case)).status_code == 403


@pytest.mark.parametrize("role", ["mentor", "supervisor"])
def test_mentors_and_supervisors_do_not_find_a_case_they_are_not_linked_to(
    client, signed_in, make_user, role
):
    case = refer()
    signed_in(make_user(role))
    for name in ("cases:detail", "cases:timeline"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404, name
    assert not AuditEvent.objects.filter(action="cases.case.view").exists()


# Possible duplicates -------------------------------------------------------------------


def _pair():
    first = refer(first_name="Amina", last_name="Khan", date_of_birth=dt.date(2008, 3, 2))
    second = refer(first_name="amina", last_name="KHAN", date_of_birth=dt.date(2008, 3, 2))
    return first, second


def test_the_record_warns_of_a_possible_duplicate_with_links_and_a_decision_form(client, staff):
    first, second = _pair()
    body = client.get(detail(second)).content.decode()
    assert "may be about the same person as" in body
    assert detail(first) in body
    assert reverse("cases:duplicate_decide", args=[second.pk]) in body
    assert "A different person" in body and "The same person" in body
    other = client.get(detail(first)).content.decode()
    assert second.reference in other and detail(second) in other


def test_deciding_same_person_records_the_decision_and_never_merges(client, staff):
    first, second = _pair()
    response = client.post(
        reverse("cases:duplicate_decide", args=[second.pk]),
        {"decision": "same", "reason": "Same school and address", "version": second.version},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.duplicate_decision == "same"
    assert second.possible_duplicate_of == first
    assert Case.objects.count() == 2
    assert first.status == CaseStatus.REFERRED and second.status == CaseStatus.REFERRED
    event = CaseEvent.objects.get(case=second, kind="referral.duplicate_decided")
    assert "the same person" in event.summary and "not merged" in event.summary
    assert event.reason == "Same school and address"
    audit = AuditEvent.objects.get(action="case.duplicate_decide")
    assert audit.changed_fields == ["duplicate_decision"]
    assert "may be about the same person" not in client.get(detail(second)).content.decode()


def test_deciding_a_different_person_clears_the_warning(client, staff):
    _, second = _pair()
    client.post(
        reverse("cases:duplicate_decide", args=[second.pk]),
        {"decision": "different", "version": second.version},
    )
    second.refresh_from_db()
    assert second.duplicate_decision == "different"
    assert "a different person" in client.get(detail(second)).content.decode()


def test_a_duplicate_decision_needs_an_answer_and_keeps_the_notes(client, staff):
    _, second = _pair()
    response = client.post(
        reverse("cases:duplicate_decide", args=[second.pk]),
        {"reason": "Checked the school", "version": second.version},
    )
    body = response.content.decode()
    assert "Select whether this is a different person or the same person" in body
    assert "Checked the school" in body


def test_a_stale_duplicate_decision_is_refused_keeping_the_notes(client, staff):
    _, second = _pair()
    seen = second.version
    duplicate_decide(actor=coordinator(), case=second, decision="different")
    response = client.post(
        reverse("cases:duplicate_decide", args=[second.pk]),
        {"decision": "same", "reason": "My careful notes", "version": seen},
    )
    body = response.content.decode()
    assert "Someone else changed this case" in body
    assert "My careful notes" in body
    second.refresh_from_db()
    assert second.duplicate_decision == "different"


def test_the_duplicate_service_refuses_a_case_that_is_not_flagged():
    case = refer()
    with pytest.raises(LifecycleRefused, match="not flagged"):
        duplicate_decide(actor=coordinator(), case=case, decision="same")
    with pytest.raises(CaseConflict):
        duplicate_decide(
            actor=coordinator(), case=case, decision="same", expected_version=case.version + 5
        )


def test_the_duplicate_page_is_for_coordinators(client, signed_in):
    _, second = _pair()
    signed_in(referrer())
    url = reverse("cases:duplicate_decide", args=[second.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "same", "version": 1}).status_code == 403


def test_a_closing_case_links_to_the_closure_page(client, staff):
    case = make_case(status=CaseStatus.CLOSING)
    body = client.get(detail(case)).content.decode()
    assert "Close the case" in body
    assert reverse("cases:close", args=[case.pk]) in body
    assert reverse("cases:act", args=[case.pk]) in body  # escalation stays possible
