import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import create_user, sign_in
from tandem.audit.models import AuditEvent
from tandem.cases.tests.factories import make_case
from tandem.matching.models import MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.meetings.tests.factories import held_session
from tandem.mentors.tests.factories import make_matchable_mentor
from tandem.supervision.models import SupervisionRecord, WellbeingCheckIn
from tandem.supervision.services import debrief_require, wellbeing_check_in

from .factories import assign, make_record, make_supervisor

pytestmark = pytest.mark.django_db

SECRET = "Doubts about the theology of hijra"


def _client(client, user):
    sign_in(client, user, reauthenticated=True)
    return client


def test_a_coordinator_assigns_a_supervisor_and_cannot_read_notes(client):
    coordinator = create_user("coordinator")
    supervisor = make_supervisor(full_name="Sue Pervisor")
    mentor = make_matchable_mentor()
    _client(client, coordinator)
    url = reverse("supervision:assign", kwargs={"pk": mentor.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"supervisor": "99999999999999999999"})
    assert response.status_code == 200
    assert "Choose a supervisor from the list" in response.content.decode()
    response = client.post(url, {"supervisor": supervisor.pk})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.supervisor == supervisor

    record = make_record(mentor, notes=SECRET)
    page = client.get(reverse("supervision:mentor", kwargs={"pk": mentor.pk})).content.decode()
    assert record.held_on.strftime("%Y") in page and "Individual supervision" in page
    assert "hijra" not in page
    assert client.get(reverse("supervision:record", kwargs={"pk": record.pk})).status_code == 403


def test_huge_and_unknown_ids_answer_404(client):
    _client(client, create_user("coordinator"))
    for name in ("supervision:mentor", "supervision:assign"):
        assert client.get(reverse(name, kwargs={"pk": 99999999999999})).status_code == 404


def test_the_supervisor_records_a_supervision_keeping_what_was_typed_on_errors(client):
    supervisor = make_supervisor()
    mentor = make_matchable_mentor(user=create_user("mentor"))
    assign(mentor, supervisor)
    match = live_match(make_case(), mentor, status=MatchStatus.ACTIVE)
    _client(client, supervisor)
    url = reverse("supervision:record_create", kwargs={"pk": mentor.pk})
    page = client.get(url).content.decode()
    assert match.case.reference in page
    data = {
        "held_on": "31/02/2026",
        "kind": "individual",
        "cases": [str(match.case_id)],
        "theology": SECRET,
        "action_1_text": "Read about hijra",
        "action_1_owner": "",
        "action_1_due": "",
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "must be a real date" in body and "Choose who does action 1" in body
    assert SECRET in body  # nothing typed is lost
    data |= {
        "held_on": timezone.localdate().strftime("%d/%m/%Y"),
        "action_1_owner": "mentor",
        "action_1_due": (timezone.localdate() + dt.timedelta(days=7)).strftime("%d/%m/%Y"),
    }
    assert client.post(url, data).status_code == 302
    record = SupervisionRecord.objects.get()
    assert record.theology == SECRET and list(record.cases.all()) == [match.case]
    assert record.actions.count() == 1


def test_the_mentor_reads_their_record_and_the_read_is_audited(client):
    user = create_user("mentor")
    mentor = make_matchable_mentor(user=user)
    assign(mentor, make_supervisor())
    record = make_record(mentor, notes=SECRET)
    _client(client, user)
    page = client.get(reverse("supervision:record", kwargs={"pk": record.pk})).content.decode()
    assert SECRET in page
    assert AuditEvent.objects.filter(
        action="supervision.supervisionrecord.view", object_id=str(record.pk), actor=user
    ).exists()
    other = make_record(make_matchable_mentor(), supervisor=make_supervisor())
    assert client.get(reverse("supervision:record", kwargs={"pk": other.pk})).status_code == 404
    action = record.actions.get()
    response = client.post(reverse("supervision:action_done", kwargs={"pk": action.pk}))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()


def test_the_wellbeing_form_refuses_tampered_answers_and_saves_good_ones(client):
    user = create_user("mentor")
    mentor = make_matchable_mentor(user=user)
    _client(client, user)
    url = reverse("supervision:wellbeing")
    assert client.get(url).status_code == 200
    answers = {"drained": "4", "intrusive": "9", "numb": "4", "on_edge": "4", "alone": "4"}
    response = client.post(url, answers)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert client.post(url, answers | {"intrusive": "2"}).status_code == 302
    assert WellbeingCheckIn.objects.get(mentor=mentor).total == 18


def test_the_policy_page_saves_and_refuses_nonsense(client):
    _client(client, create_user("coordinator"))
    url = reverse("supervision:policy")
    page = client.get(url)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["reminder_days"] = "a week"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "must be a whole number" in response.content.decode()
    data["reminder_days"] = "10"
    assert client.post(url, data).status_code == 302


def _supervisee(supervisor):
    mentor = make_matchable_mentor(user=create_user("mentor"))
    assign(mentor, supervisor)
    match = live_match(make_case(), mentor, status=MatchStatus.ACTIVE)
    held_session(mentor, match=match)
    make_record(mentor)
    wellbeing_check_in(
        actor=mentor.user,
        mentor=mentor,
        answers=dict.fromkeys(["drained", "intrusive", "numb", "on_edge", "alone"], 2),
    )
    debrief_require(
        mentor=mentor, reason_code="test", due_by=timezone.localdate() - dt.timedelta(days=1)
    )
    return mentor


def test_the_oversight_page_runs_a_fixed_number_of_queries(client):
    supervisor = make_supervisor()
    _client(client, supervisor)
    url = reverse("supervision:oversight")
    empty = client.get(url).content.decode()
    assert "No mentors have been assigned to you" in empty
    _supervisee(supervisor)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    for _ in range(3):
        _supervisee(supervisor)
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert len(four) == len(one)
    assert page.count("Record a supervision") == 4
    assert "1 overdue" in page and "Low wellbeing" in page
    assert page.count("Open concerns</dt>") == 4  # counted for each, in the fixed queries
