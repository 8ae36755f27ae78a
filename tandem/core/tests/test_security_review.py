"""Fixes from the security review that live in core: the Permissions-Policy header, the
styled 405 page, the cache table created by ``migrate`` and ids beyond the database's
integer range in model choices."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django import forms
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.core.forms import GovUKForm
from tandem.core.middleware import PERMISSIONS_POLICY
from tandem.core.models import Notification

HUGE = "99999999999999999999999"
JUST_BEYOND_BIGINT = str(2**63)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/health/", "/no-such-page/"])
def test_every_answer_turns_off_browser_features_tandem_does_not_use(client, url):
    response = client.get(url)
    policy = response["Permissions-Policy"]
    assert policy == PERMISSIONS_POLICY
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial"):
        assert f"{feature}=()" in policy


@pytest.mark.django_db
def test_a_get_on_a_post_only_url_answers_a_styled_405_that_keeps_the_allow_header(client):
    sign_in(client, create_user("coordinator"))
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "This page cannot be used like that" in page
    assert "Nothing has been changed." in page
    assert "Sign out" in page  # the service's header, for the signed-in user
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


@pytest.mark.django_db
def test_the_405_page_also_answers_someone_not_signed_in(client):
    response = client.delete(reverse("mentors:apply"))
    assert response.status_code == 405
    assert "This page cannot be used like that" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_database_cache_table():
    migration = importlib.import_module("tandem.core.migrations.0003_cache_table")
    table = "tandem_cache_made_by_migrate"
    cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": table,
        }
    }
    try:
        with override_settings(CACHES=cache):
            migration.create_cache_table(None, SimpleNamespace(connection=connection))
            # Running it again (a second migrate on a fresh database) is harmless.
            migration.create_cache_table(None, SimpleNamespace(connection=connection))
        assert table in connection.introspection.table_names()
    finally:
        with connection.schema_editor() as editor:
            editor.execute(editor.sql_delete_table % {"table": editor.quote_name(table)})


def test_the_makefile_no_longer_creates_the_cache_table_by_hand():
    from django.conf import settings

    assert "createcachetable" not in (settings.BASE_DIR / "Makefile").read_text()


class _Choices(GovUKForm):
    area = forms.ModelChoiceField(queryset=Notification.objects.all(), required=False)
    languages = forms.ModelMultipleChoiceField(queryset=Notification.objects.all(), required=False)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, JUST_BEYOND_BIGINT, f"-{HUGE}", f" {HUGE} "])
def test_every_model_choice_refuses_an_id_the_database_cannot_hold(value):
    form = _Choices({"area": value, "languages": [value]})
    assert not form.is_valid()
    assert set(form.errors) == {"area", "languages"}


@pytest.mark.django_db
def test_ids_within_range_still_choose_as_before():
    user = create_user()
    area = Notification.objects.create(user=user, message="One")
    language = Notification.objects.create(user=user, message="Two")
    form = _Choices({"area": str(area.pk), "languages": [str(language.pk)]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["area"] == area
    assert list(form.cleaned_data["languages"]) == [language]
    # The largest id the database holds is merely not found.
    form = _Choices({"area": str(2**63 - 1), "languages": [str(2**63 - 1)]})
    assert not form.is_valid()


@pytest.mark.django_db
def test_a_huge_id_in_a_url_answers_404(client):
    sign_in(client, create_user("coordinator"))
    assert client.get(f"/cases/{JUST_BEYOND_BIGINT}/").status_code == 404
    assert client.get(f"/mentors/{HUGE}/").status_code == 404
