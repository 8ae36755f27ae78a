"""Meetings' own lists (places of sessions, topics) on the shared catalogue pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.audit.models import AuditEvent

from ..forms.sessions import HeldForm
from ..models import PlaceType, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = create_user("coordinator")
    sign_in(client, user)
    return user


def url(name: str, kind: str, **kwargs) -> str:
    return reverse(f"catalogues:{name}", kwargs={"kind": kind, **kwargs})


def test_the_index_offers_places_of_sessions_and_topics(client, coordinator):
    page = client.get(reverse("catalogues:index")).content.decode()

    assert ">Places of sessions</a>" in page
    assert ">Session topics</a>" in page


def test_a_coordinator_adds_a_place_that_needs_lone_working(client, coordinator):
    response = client.post(
        url("entry_add", "place-types"),
        {"name": "Family centre", "mode": "in_person", "needs_lone_working": "on"},
    )

    assert response.status_code == 302
    place = PlaceType.objects.get(name="Family centre")
    assert place.mode == "in_person" and place.needs_lone_working and place.code == "family-centre"
    assert AuditEvent.objects.filter(action="catalogue_entry.create", actor=coordinator).exists()


def test_a_place_met_online_cannot_need_lone_working(client, coordinator):
    response = client.post(
        url("entry_add", "place-types"),
        {"name": "Video call", "mode": "online", "needs_lone_working": "on"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Only a place where people meet in person can need lone-working check-in" in page
    assert 'value="Video call"' in page
    assert not PlaceType.objects.filter(name="Video call").exists()


def test_a_retired_topic_is_no_longer_offered_on_the_session_form(client, coordinator):
    topic = Topic.objects.get(code="theology")
    entry = url("entry_edit", "topics", pk=topic.pk)
    assert client.get(entry).status_code == 200

    client.post(url("entry_retire", "topics", pk=topic.pk))

    topic.refresh_from_db()
    assert not topic.is_active
    assert topic not in HeldForm().fields["topics"].queryset
