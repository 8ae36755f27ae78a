"""Safeguarding's lists (categories of concern, agencies) on the shared catalogue pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import create_user, sign_in

from ..models import Agency, ConcernCategory
from .factories import raise_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = create_user("coordinator")
    sign_in(client, user)
    return user


def url(name: str, kind: str, **kwargs) -> str:
    return reverse(f"catalogues:{name}", kwargs={"kind": kind, **kwargs})


def test_the_index_offers_categories_and_agencies(client, coordinator):
    page = client.get(reverse("catalogues:index")).content.decode()
    assert ">Categories of safeguarding concern</a>" in page
    assert ">Agencies concerns are escalated to</a>" in page


def test_the_defaults_are_installed():
    assert ConcernCategory.objects.count() == 8
    assert ConcernCategory.objects.get(code="risk-to-mentor").about_mentor
    assert {a.code for a in Agency.objects.all()} >= {"childrens-social-care", "police-prevent"}


def test_a_coordinator_adds_a_serious_category(client, coordinator):
    response = client.post(
        url("entry_add", "concern-categories"),
        {"code": "honour-based-abuse", "name": "Honour-based abuse", "is_serious": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ConcernCategory.objects.get(code="honour-based-abuse").is_serious


def test_a_category_in_use_cannot_be_deleted(client, coordinator):
    concern = raise_concern()
    response = client.post(url("entry_delete", "concern-categories", pk=concern.category_id))
    assert response.status_code in (200, 302, 409)
    assert ConcernCategory.objects.filter(pk=concern.category_id).exists()
