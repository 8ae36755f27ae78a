"""The ethnic group of the people referred: voluntary, encrypted, shown on the case only to
coordinators (never to the referrer after submission, nor to the matched mentor or a
supervisor), changed on an audited page."""

import pytest
from django.db import connection
from django.urls import reverse

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Case
from tandem.cases.services.diversity import case_ethnicity_change
from tandem.cases.services.referrals import ReferralRefused

from .factories_referrals import coordinator, form_data, post_referral, refer, referrer

pytestmark = pytest.mark.django_db

REFER = reverse("cases:refer")


def raw(case, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cases_case WHERE id = %s", [case.pk])
        return cursor.fetchone()[0]


def test_a_referrer_records_the_persons_ethnic_group_and_never_sees_it_again(client, signed_in):
    user = referrer()
    signed_in(user)
    body = client.get(REFER).content.decode()
    assert "The person&#x27;s ethnic group (optional)" in body
    assert '<optgroup label="Asian, Asian British or Asian Welsh">' in body
    response = post_referral(
        client, form_data(ethnicity="other_any", ethnicity_description="Kurdish")
    )
    case = Case.objects.get()
    assert case.ethnicity == "other_any"
    assert case.ethnicity_description == "Kurdish"
    assert "other_any" not in raw(case, "ethnicity")
    assert "Kurdish" not in raw(case, "ethnicity_description")
    event = AuditEvent.objects.get(action="case.referral_submit")
    assert {"ethnicity", "ethnicity_description"} <= set(event.changed_fields)
    status = client.get(response["Location"]).content.decode()
    assert "Kurdish" not in status and "Any other ethnic group" not in status


def test_the_answer_is_voluntary_and_a_description_is_kept_only_for_any_other(client, signed_in):
    signed_in(referrer())
    post_referral(client, form_data())
    case = Case.objects.get()
    assert case.ethnicity is None and raw(case, "ethnicity") is None
    case = refer(ethnicity="asian_indian", ethnicity_description="ignored")
    assert case.ethnicity == "asian_indian"
    assert case.ethnicity_description is None


def test_a_made_up_group_is_refused_with_the_form_kept(client, signed_in):
    signed_in(referrer())
    body = client.post(REFER, form_data(ethnicity="martian")).content.decode()
    assert "Select an ethnic group from the list" in body
    assert 'value="Sam"' in body
    assert not Case.objects.exists()
    with pytest.raises(ReferralRefused):
        refer(ethnicity="martian")


def test_coordinators_see_and_change_it_on_the_case_and_both_are_audited(client, signed_in):
    staff = coordinator()
    signed_in(staff)
    case = refer(ethnicity="white_roma")
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "White: Roma" in detail
    url = reverse("cases:ethnicity", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Save the ethnic group" in page
    assert AuditEvent.objects.filter(action="cases.case.view", reason="ethnicity").exists()
    response = client.post(
        url,
        {"ethnicity": "black_african", "ethnicity_description": "", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.ethnicity == "black_african"
    event = AuditEvent.objects.get(action="case.ethnicity_change")
    assert event.changed_fields == ["ethnicity"]
    body = client.post(
        url, {"ethnicity": "nope", "ethnicity_description": "", "version": case.version}
    ).content.decode()
    assert "Select an ethnic group from the list" in body
    stale = client.post(url, {"ethnicity": "", "version": case.version - 1}).content.decode()
    assert "changed" in stale.lower()
    case.refresh_from_db()
    assert case.ethnicity == "black_african"


def test_nothing_is_audited_when_nothing_changes():
    case = refer(ethnicity="asian_chinese")
    case_ethnicity_change(actor=coordinator(), case=case, ethnicity="asian_chinese")
    assert not AuditEvent.objects.filter(action="case.ethnicity_change").exists()


@pytest.mark.parametrize("role", ["mentor", "supervisor", "referrer", "board_member"])
def test_no_one_else_may_change_it(client, signed_in, role):
    case = refer(ethnicity="asian_chinese")
    signed_in(create_user(role))
    assert client.get(reverse("cases:ethnicity", args=[case.pk])).status_code in (403, 404)
