"""The timeline: every event of a case, newest first, with who, the move and the reason;
paginated, audited, and with a query count that does not grow with the events."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent
from tandem.cases.services.lifecycle import case_change_status, case_event_add

from .factories_referrals import coordinator, refer, screened_in

pytestmark = pytest.mark.django_db


def timeline_url(case, **params):
    url = reverse("cases:timeline", args=[case.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def staff(signed_in):
    user = coordinator(full_name="Cora Ordinator")
    signed_in(user)
    return user


def test_the_timeline_url_is_where_the_brief_says():
    assert reverse("cases:timeline", args=[5]) == "/cases/5/timeline/"


def test_every_event_is_shown_newest_first_with_who_the_move_and_the_reason(client, staff):
    case = screened_in(refer(), by=staff)
    case = case_change_status(actor=staff, case=case, action="hold", reason="Distinct hold reason")
    body = client.get(timeline_url(case)).content.decode()
    assert body.count("<h1") == 1
    summaries = list(
        CaseEvent.objects.filter(case=case)
        .order_by("-occurred_at", "-pk")
        .values_list("summary", flat=True)
    )
    assert summaries[0] == "Put on hold" and summaries[-1] == "Referral received"
    positions = [body.index(s) for s in summaries]
    assert positions == sorted(positions)  # newest first, as stored
    assert "Distinct hold reason" in body  # decrypted for the reader
    assert "Assessment to on hold" in body
    assert "Cora Ordinator" in body
    assert "moj-sub-navigation" in body and 'aria-current="page">Timeline' in body


def test_events_at_the_same_moment_keep_their_order(client, staff):
    case = refer()
    moment = timezone.now() + dt.timedelta(minutes=1)
    for n in range(3):
        event = case_event_add(case=case, kind="test.same", summary=f"Same moment {n}", actor=staff)
        CaseEvent.objects.filter(pk=event.pk).update(occurred_at=moment)
    body = client.get(timeline_url(case)).content.decode()
    assert body.index("Same moment 2") < body.index("Same moment 1") < body.index("Same moment 0")


def test_an_event_without_a_person_is_shown_as_tandem(client, staff):
    case = refer()
    case_event_add(case=case, kind="system.note", summary="Automatic reminder sent")
    body = client.get(timeline_url(case)).content.decode()
    assert "Automatic reminder sent" in body and ">Tandem<" in body


def test_reading_the_timeline_is_audited(client, staff):
    case = refer()
    client.get(timeline_url(case))
    view = AuditEvent.objects.get(action="cases.case.view")
    assert view.actor == staff and view.object_id == str(case.pk)


def test_the_timeline_paginates_by_fifty_and_survives_odd_pages(client, staff):
    case = refer()
    for n in range(60):
        case_event_add(case=case, kind="test.many", summary=f"Event number {n:02d}", actor=staff)
    first = client.get(timeline_url(case)).content.decode()
    assert "Event number 59" in first and "Event number 09" not in first
    assert "govuk-pagination" in first
    second = client.get(timeline_url(case, page=2)).content.decode()
    assert "Event number 09" in second and "Referral received" in second
    for page in ("999", "abc", "0", "%D9%A3"):
        assert client.get(timeline_url(case, page=page)).status_code == 200


def test_the_timeline_query_count_does_not_grow_with_events(
    client, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = screened_in(refer(), by=staff)
        other = coordinator()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(timeline_url(case)).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first read after the commit fetches the data key into the cache
    few = count()
    for n in range(30):
        case_event_add(
            case=case,
            kind="test.many",
            summary=f"Event {n}",
            actor=other if n % 2 else staff,
            reason=f"Reason {n}",
        )
    assert count() == few
