"""What a referrer sees: only their own referrals, and of each only its reference,
dates and status in plain words, nothing of what happens inside the case."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseStatus
from tandem.cases.selectors import REFERRER_STATUS, referrer_history, referrer_status
from tandem.cases.services.lifecycle import case_change_status
from tandem.cases.services.screening import consent_withdraw, screening_record

from .factories import make_case
from .factories_referrals import coordinator, refer, refer_child, referrer, screened_in

pytestmark = pytest.mark.django_db

MY_REFERRALS = "/cases/referrals/"


def status_url(case):
    return reverse("cases:referral_status", args=[case.pk])


# The wording ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (CaseStatus.REFERRED, "Received"),
        (CaseStatus.SCREENING, "Screening"),
        (CaseStatus.ASSESSMENT, "Accepted"),
        (CaseStatus.AWAITING_MATCH, "Accepted"),
        (CaseStatus.MATCHED, "Accepted"),
        (CaseStatus.ACTIVE, "In support"),
        (CaseStatus.ON_HOLD, "In support"),
        (CaseStatus.CLOSING, "In support"),
        (CaseStatus.NOT_SUITABLE, "Not taken forward"),
        (CaseStatus.CONSENT_DECLINED, "Not taken forward"),
        (CaseStatus.ESCALATED, "Not taken forward"),
        (CaseStatus.CONSENT_WITHDRAWN, "Closed"),
        (CaseStatus.CLOSED, "Closed"),
    ],
)
def test_each_status_has_its_referrer_wording(status, label):
    assert referrer_status(status) == label


def test_every_status_is_mapped():
    assert set(REFERRER_STATUS) == set(CaseStatus.values)


def test_the_history_folds_moves_that_read_the_same_to_a_referrer():
    by = coordinator()
    case = screened_in(refer(), by=by)  # referred -> screening -> assessment
    case = case_change_status(actor=by, case=case, action="complete_assessment")
    case = case_change_status(actor=by, case=case, action="hold", reason="Hospital stay")
    labels = [change.label for change in referrer_history(case)]
    assert labels == ["Received", "Screening", "Accepted", "In support"]


# The list ------------------------------------------------------------------------------


def test_the_list_url_is_where_the_brief_says():
    assert reverse("cases:my_referrals") == MY_REFERRALS


def test_a_referrer_sees_only_their_own_referrals(client, signed_in):
    user = referrer()
    mine = [refer(by=user), refer(by=user)]
    theirs = refer()
    signed_in(user)
    body = client.get(MY_REFERRALS).content.decode()
    for case in mine:
        assert case.reference in body
    assert theirs.reference not in body
    assert "2 referrals" in body
    assert body.count("<h1") == 1


def test_the_list_shows_dates_concern_type_and_referrer_status(client, signed_in):
    user = referrer()
    by = coordinator()
    case = screened_in(refer(by=user), by=by)
    signed_in(user)
    body = client.get(MY_REFERRALS).content.decode()
    assert case.reference in body
    assert case.concern_type.name in body
    assert "Accepted" in body
    assert timezone.localdate().strftime("%-d %B %Y") in body
    assert "Assessment" not in body  # the internal status is not shown


def test_an_empty_list_says_so(client, signed_in):
    signed_in(referrer())
    body = client.get(MY_REFERRALS).content.decode()
    assert "You have not made any referrals yet" in body


def test_the_list_paginates_and_survives_odd_page_numbers(client, signed_in):
    user = referrer()
    for _ in range(27):
        make_case(referred_by=user)
    signed_in(user)
    first = client.get(MY_REFERRALS).content.decode()
    assert "27 referrals" in first and "govuk-pagination" in first
    for page in ("2", "999", "abc", "-1", "٣"):
        assert client.get(MY_REFERRALS, {"page": page}).status_code == 200


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_query_count_does_not_grow_with_referrals(client, signed_in):
    user = referrer()
    by = coordinator()
    screened_in(refer(by=user), by=by)
    signed_in(user)
    few = _queries(client, MY_REFERRALS)
    for _ in range(8):
        screened_in(refer(by=user), by=by)
        make_case(referred_by=user, status=CaseStatus.ACTIVE)
    many = _queries(client, MY_REFERRALS)
    assert many == few


@pytest.mark.parametrize("role", ["coordinator", "mentor", "supervisor", "board_member"])
def test_roles_without_referrals_to_view_are_refused(client, signed_in, make_user, role):
    signed_in(make_user(role))
    assert client.get(MY_REFERRALS).status_code == 403


# The status page -----------------------------------------------------------------------


def test_the_status_page_shows_only_reference_dates_and_status(client, signed_in):
    user = referrer()
    by = coordinator()
    case = refer_child(
        by=user,
        reason="Distinctive referral narrative",
        first_name="Zebedee",
        accessibility_needs="Distinctive access need",
    )
    screening_record(actor=by, case=case, outcome="possible", notes="Distinctive screening note")
    case = screened_in(case, by=by)
    case = consent_withdraw(
        actor=by,
        case=case,
        withdrawn_on=timezone.localdate(),
        reason="Distinctive withdrawal reason",
    )
    signed_in(user)
    response = client.get(status_url(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert case.reference in body
    for label in ("Received", "Screening", "Accepted", "Closed"):
        assert label in body
    for secret in (
        "Distinctive referral narrative",
        "Zebedee",
        "Distinctive access need",
        "Distinctive screening note",
        "Distinctive withdrawal reason",
        "Pat Bloggs",  # the guardian who consented
        "Consent given",
        "Consent withdrawn",
        "In person",
        "The person themself",
        "Assessment",
        by.full_name,
        "Possible vulnerability",
    ):
        assert secret not in body, secret
    view = AuditEvent.objects.get(action="cases.case.view", actor=user)
    assert view.object_id == str(case.pk)


def test_another_referrers_referral_is_not_found(client, signed_in):
    case = refer()
    signed_in(referrer())
    assert client.get(status_url(case)).status_code == 404


@pytest.mark.parametrize("role", ["mentor", "coordinator", "supervisor"])
def test_the_status_page_is_for_referrers_only(client, signed_in, make_user, role):
    case = refer()
    signed_in(make_user(role))
    assert client.get(status_url(case)).status_code == 403


def test_a_referrer_cannot_open_the_case_record_or_its_timeline(client, signed_in):
    user = referrer()
    case = refer(by=user)
    signed_in(user)
    for name in ("cases:detail", "cases:timeline", "cases:screen", "cases:consent", "cases:act"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 403, name


def test_a_huge_id_is_not_found(client, signed_in):
    signed_in(referrer())
    assert client.get("/cases/referrals/99999999999999999999/").status_code == 404


def test_a_referrer_sorts_their_referrals_by_date_received_but_never_by_internal_status(
    client, signed_in
):
    user = referrer()
    first, second = refer(by=user), refer(by=user)
    signed_in(user)

    def order(query):
        response = client.get(MY_REFERRALS + query)
        assert response.status_code == 200
        return [row["case"].reference for row in response.context["rows"]]

    newest = order("")
    assert sorted(newest) == sorted([first.reference, second.reference])
    assert order("?sort=received_asc") == newest[::-1]
    assert order("?sort=status") == newest  # not offered: the default order
    assert order("?sort=concern")  # a valid order answers
    body = client.get(MY_REFERRALS).content.decode()
    assert 'data-module="moj-sortable-table"' in body
    assert 'aria-sort="descending"><a class="govuk-link" href="?sort=received_asc">Received' in body
    assert 'aria-sort="none">Status</th>' in body  # sorts in the browser only
