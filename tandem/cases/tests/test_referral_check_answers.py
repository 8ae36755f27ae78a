"""The referral ends with "check your answers": nothing is saved until the referral is
sent from that page; "Change" goes back to the form with every answer as typed; the
answers wait in the session sealed, never in plain text."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.cases.models import Case
from tandem.catalogues.models import ConcernType
from tandem.core.session_drafts import open_draft

from .factories_referrals import form_data, post_referral, referrer

pytestmark = pytest.mark.django_db

REFER = reverse("cases:refer")
CHECK = reverse("cases:refer_check")


@pytest.fixture
def user(signed_in):
    person = referrer()
    signed_in(person)
    return person


def test_the_form_leads_to_check_your_answers_and_saves_nothing(client, user):
    events = AuditEvent.objects.count()
    response = client.post(REFER, form_data(date_of_birth="7/3/2001"))

    assert response.status_code == 302 and response["Location"] == CHECK
    assert not Case.objects.exists()
    page = client.get(CHECK).content.decode()
    assert "Check your answers before sending the referral" in page
    assert '<dt class="govuk-summary-list__key">First name</dt>' in page
    assert "Carter" in page
    assert "7 March 2001" in page
    assert "English" in page  # a list answer in words
    assert "West Midlands Police" in page
    assert f'href="{REFER}?change=1#id_date_of_birth_0"' in page
    assert f'href="{REFER}?change=1#id_gender_0"' in page
    assert 'Change<span class="govuk-visually-hidden"> first name</span>' in page
    assert not Case.objects.exists()
    assert AuditEvent.objects.count() == events  # nothing recorded, nothing saved


def test_the_session_holds_the_answers_sealed(client, user):
    client.post(REFER, form_data(reason="A very particular worry about posts"))
    stored = Session.objects.get().session_data
    decoded = str(client.session.items())
    for secret in ("Carter", "particular worry"):
        assert secret not in stored
        assert secret not in decoded


def test_change_returns_to_the_form_with_everything_as_typed(client, user):
    client.post(REFER, form_data(reason="Worrying posts online", date_of_birth="7/3/2001"))

    page = client.get(f"{REFER}?change=1").content.decode()

    assert 'value="Sam"' in page and 'value="Carter"' in page
    assert "Worrying posts online" in page
    assert 'id="id_date_of_birth_0" value="7"' in page
    assert 'id="id_date_of_birth_2" value="2001"' in page
    assert "There is a problem" not in page

    # Change one answer; the others stay, and the changed one is what is sent.
    changed = form_data(reason="Worrying posts online", first_name="Samira")
    post_referral(client, changed)
    case = Case.objects.get()
    assert case.first_name == "Samira" and case.reason == "Worrying posts online"


def test_sending_saves_once_and_clears_the_draft(client, user):
    client.post(REFER, form_data())
    first = client.post(CHECK)
    assert first.status_code == 302
    assert Case.objects.count() == 1

    again = client.post(CHECK)  # a second press, or the browser's back and resend

    assert again.status_code == 302 and again["Location"] == REFER
    assert Case.objects.count() == 1
    # A fresh form starts empty, not from the sent referral.
    assert 'value="Carter"' not in client.get(f"{REFER}?change=1").content.decode()


def test_without_answers_the_check_page_sends_back_to_the_form(client, user):
    assert client.get(CHECK)["Location"] == REFER
    assert client.post(CHECK)["Location"] == REFER
    assert not Case.objects.exists()


def test_an_answer_that_stopped_being_valid_goes_back_to_the_form(client, user):
    concern = ConcernType.objects.filter(is_active=True).order_by("position").first()
    client.post(REFER, form_data())
    ConcernType.objects.filter(pk=concern.pk).update(is_active=False)

    response = client.post(CHECK)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a concern type from the list" in page
    assert 'value="Carter"' in page
    assert not Case.objects.exists()


def test_a_draft_opens_only_for_the_user_who_wrote_it(client, user, rf):
    client.post(REFER, form_data())
    request = rf.get("/")
    request.session = client.session
    request.user = user
    assert open_draft(request, "referral")["last_name"] == ["Carter"]
    request.user = referrer()
    assert open_draft(request, "referral") is None
    request.session["sealed-draft:referral"] = {"key": "v1", "answers": "e1:tampered"}
    request.user = user
    assert open_draft(request, "referral") is None
