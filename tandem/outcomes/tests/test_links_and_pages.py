"""Answer links and the pages around them: the public page works once, reveals nothing
of the case, stops (never a 500) once used, expired or withdrawn; only the token's hash
is stored; answers are encrypted under the person's key; the matched mentor answers with
the person; coordinators add and revise questionnaires (a new version, answers keep
theirs); the Success tab reads a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Case
from tandem.cases.tests.factories import make_case
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session, mentor_with_account, working_match

from .. import sending, services
from ..models import AnswerLink, Instrument, InstrumentVersion, Response
from .factories import answer, make_link

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


ONS = {"q_satisfied": "7", "q_worthwhile": "8", "q_happy": "6", "q_anxious": "2"}


def test_a_link_is_answered_once_and_then_stops_working(client):
    link, token = make_link()
    url = f"/outcomes/a/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    case = Case.objects.get(pk=link.case_id)
    assert case.reference not in body and case.first_name not in body
    assert "Tandem" not in body  # nothing names the scheme or the service
    assert page["Cache-Control"] == "no-store, private"
    assert page["Referrer-Policy"] == "same-origin"
    done = client.post(url, {**ONS, "lang": "en"})
    assert done.status_code == 302 and "/outcomes/a/done/" in done["Location"]
    response = Response.objects.get(link=link)
    assert json.loads(response.answers)["satisfied"] == 7
    assert json.loads(response.scores)["subscales"]["anxiety"] == 2
    # Encrypted at rest: the raw column holds no answer.
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers, scores FROM outcomes_response WHERE id = %s", [response.pk])
        raw = " ".join(cursor.fetchone())
    assert raw.startswith("e1:") and "satisfied" not in raw
    assert AuditEvent.objects.filter(action="outcomes.answer_by_link").exists()
    again = client.get(url)
    assert again.status_code == 404
    assert "no longer works" in again.content.decode()
    assert client.post(url, ONS).status_code == 404
    assert Response.objects.filter(case=case).count() == 1


def test_only_the_hash_of_the_token_is_stored():
    link, token = make_link()
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert not AnswerLink.objects.filter(token_hash=token).exists()


@pytest.mark.parametrize("state", ["expired", "withdrawn", "unknown", "huge"])
def test_dead_links_answer_a_clear_page_never_a_server_error(client, state):
    link, token = make_link()
    if state == "expired":
        AnswerLink.objects.filter(pk=link.pk).update(
            created_at=timezone.now() - dt.timedelta(days=30),
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
    elif state == "withdrawn":
        AnswerLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    elif state == "unknown":
        token = "not-a-real-token"
    else:
        token = "x" * 5000
    page = client.get(f"/outcomes/a/{token}/")
    assert page.status_code == 404
    assert "This link no longer works" in page.content.decode()


def test_many_dead_links_from_one_address_are_refused_for_a_while(client):
    for _ in range(20):
        client.get("/outcomes/a/guess/")
    assert client.get("/outcomes/a/guess/").status_code == 429


def test_an_empty_or_bad_answer_keeps_the_page_and_the_link(client):
    link, token = make_link()
    url = f"/outcomes/a/{token}/"
    page = client.post(url, {})
    assert page.status_code == 200 and "Answer at least one question" in page.content.decode()
    page = client.post(url, {"q_satisfied": "99", "q_happy": "5"})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()
    link.refresh_from_db()
    assert link.used_at is None


def test_the_page_is_offered_in_a_language_every_item_is_held_in(client):
    instrument = Instrument.objects.get(key="ons4")
    version = instrument.versions.get(number=1)
    document = version.definition
    for item in document["items"]:
        item["text"]["cy"] = f"Cwestiwn {item['code']}"
    document["scale"]["labels"]["min"]["cy"] = "Dim o gwbl"
    document["scale"]["labels"]["max"]["cy"] = "Yn llwyr"
    InstrumentVersion.objects.filter(pk=version.pk).update(definition=document)
    link, token = make_link()
    page = client.get(f"/outcomes/a/{token}/?lang=cy")
    body = page.content.decode()
    assert "Cwestiwn satisfied" in body and 'lang="cy"' in body
    client.post(f"/outcomes/a/{token}/", {**ONS, "lang": "cy"})
    assert Response.objects.get(link=link).language == "cy"


def test_links_are_sent_by_email_or_text_without_the_case(
    client, signed_in, django_capture_on_commit_callbacks
):
    coordinator = create_user("coordinator")
    case = make_case()
    signed_in(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            f"/outcomes/cases/{case.pk}/links/new/",
            {
                "instrument": "ons4",
                "occasion": "start",
                "channel": "email",
                "address": "p@example.org",
            },
        )
    assert page.status_code == 200
    assert len(mail.outbox) == 1 and case.reference not in mail.outbox[0].body
    assert "/outcomes/a/" in mail.outbox[0].body
    sending.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/outcomes/cases/{case.pk}/links/new/",
            {
                "instrument": "trust",
                "occasion": "review",
                "channel": "text",
                "address": "07700 900982",
            },
        )
    assert sending.outbox and sending.outbox[0][0] == "07700 900982"
    bad = client.post(
        f"/outcomes/cases/{case.pk}/links/new/",
        {"instrument": "ons4", "occasion": "start", "channel": "text", "address": "call me"},
    )
    assert "Enter a mobile number" in bad.content.decode()


def test_a_qr_code_is_shown_once_for_a_link_in_person(client, signed_in):
    match = working_match()
    signed_in(match.mentor.user)
    page = client.post(
        f"/outcomes/cases/{match.case_id}/links/new/",
        {"instrument": "ons4", "occasion": "review", "channel": "qr"},
    )
    body = page.content.decode()
    assert "<svg" in body and "/outcomes/a/" in body
    assert AnswerLink.objects.filter(case=match.case).count() == 1


def test_the_matched_mentor_records_answers_with_the_person(client, signed_in):
    match = working_match()
    signed_in(match.mentor.user)
    url = f"/outcomes/cases/{match.case_id}/answer/trust/"
    assert client.get(url).status_code == 200
    page = client.post(
        url,
        {
            "occasion": "review",
            "q_listens": "5",
            "q_respect": "4",
            "q_holds_back": "2",
            "q_keeps_word": "4",
        },
    )
    assert page.status_code == 302
    response = Response.objects.get(case=match.case)
    assert response.answered_via == "with_mentor" and response.recorded_by == match.mentor.user
    assert json.loads(response.scores)["total"] == 4.25


def test_a_mentor_not_matched_to_the_person_reaches_none_of_it(client, signed_in):
    match = working_match()
    stranger = mentor_with_account()
    working_match(mentor=stranger)
    signed_in(stranger.user)
    for url in (
        f"/outcomes/cases/{match.case_id}/",
        f"/outcomes/cases/{match.case_id}/answer/ons4/",
        f"/outcomes/cases/{match.case_id}/links/new/",
    ):
        assert client.get(url).status_code == 404


def test_the_success_tab_shows_each_frame_in_a_fixed_number_of_queries(client, signed_in):
    match = working_match(started_days_ago=90)
    case = match.case
    coordinator = create_user("coordinator")
    signed_in(coordinator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/outcomes/cases/{case.pk}/")
        assert page.status_code == 200
        # Data keys made inside the test's open transaction are never cached, so their
        # reads are left out (in use, preload_data_keys reads them in one query).
        fixed = [q for q in queries.captured_queries if "core_datakey" not in q["sql"]]
        return len(fixed), page.content.decode()

    make_session(match, status=SessionStatus.HELD, days_ago=80)
    answer(case, satisfied=4, worthwhile=5, happy=4, anxious=7)
    baseline, _ = count()
    for days in (60, 40, 20):
        make_session(match, status=SessionStatus.HELD, days_ago=days)
    make_session(match, status=SessionStatus.DID_NOT_ATTEND, days_ago=10)
    answer(case, occasion="review", satisfied=7, worthwhile=7, happy=8, anxious=3)
    answer(
        case,
        "trust",
        occasion="review",
        listens=5,
        respect=5,
        holds_back=1,
        keeps_word=4,
        worth_it=5,
    )
    _, token = make_link(case_id=case.pk, key="referrer_view", channel="email")
    services.answer_by_link(
        token=token, answers={"situation": 4, "engagement": 4, "wellbeing": 5}, language="en"
    )
    more, body = count()
    assert more == baseline
    assert "4 of 5 planned" in body and "20 days" in body
    assert "Life satisfaction" in body and "+3 since the first answer (better)" in body
    assert "Anxiety" in body and "-4 since the first answer (better)" in body
    assert "The referrer" in body
    assert AuditEvent.objects.filter(actor=coordinator, reason="outcomes").exists()


def test_coordinators_add_and_revise_a_questionnaire_and_answers_keep_their_version(
    client, signed_in
):
    coordinator = create_user("coordinator")
    signed_in(coordinator)
    page = client.post(
        "/outcomes/questionnaires/new/",
        {
            "name": "Hope",
            "respondent": "person",
            "at_review": "on",
            "in_use": "on",
            "scale_min": "1",
            "scale_max": "5",
            "label_min_en": "Not at all",
            "label_max_en": "Very",
            "item_1_code": "hope",
            "item_1_kind": "scale",
            "item_1_text_en": "How hopeful do you feel?",
            "item_2_code": "plans",
            "item_2_kind": "scale",
            "item_2_text_en": "Do you have plans for the next month?",
            "total_name": "Hope",
            "total_method": "mean",
            "total_min_answered": "1",
            "subscale_1_method": "mean",
            "subscale_2_method": "mean",
        },
    )
    assert page.status_code == 302, page.content.decode()
    instrument = Instrument.objects.get(name="Hope")
    assert instrument.key == "hope" and instrument.current_version == 1
    case = make_case()
    answered = answer(case, "hope", hope=4, plans=3)
    revise = client.get(f"/outcomes/questionnaires/{instrument.pk}/revise/")
    form = revise.context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update(
        seen_version=1,
        item_2_text_en="Do you have plans for the coming month?",
        total_method="mean",
        subscale_1_method="mean",
        subscale_2_method="mean",
        item_3_kind="scale",
        item_4_kind="scale",
        item_5_kind="scale",
        change_note="Plainer wording",
    )
    saved = client.post(f"/outcomes/questionnaires/{instrument.pk}/revise/", data)
    assert saved.status_code == 302, saved.content.decode()
    instrument.refresh_from_db()
    assert instrument.current_version == 2
    answered.refresh_from_db()
    assert answered.version.number == 1
    # A stale form is refused, with what was typed kept.
    stale = client.post(f"/outcomes/questionnaires/{instrument.pk}/revise/", data)
    assert "Someone else revised" in stale.content.decode()
    # A definition that cannot work is refused with its reason.
    data.update(seen_version=2, item_1_subscale="nowhere")
    refused = client.post(f"/outcomes/questionnaires/{instrument.pk}/revise/", data)
    assert "not defined" in refused.content.decode()
    assert AuditEvent.objects.filter(action="outcomes.instrument_revise").count() == 1
    assert AuditEvent.objects.filter(action="outcomes.instrument_create").count() == 1


def test_the_defaults_are_installed():
    keys = set(Instrument.objects.values_list("key", flat=True))
    assert {"ons4", "trust", "referrer_view", "mentor_reflection"} <= keys
