"""The catalogue pages: what they show, the errors a person can cause, and what answers
404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Area, Language, Specialism

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = create_user("coordinator")
    sign_in(client, user)
    return user


def url(name: str, kind: str = "languages", **kwargs) -> str:
    return reverse(f"catalogues:{name}", kwargs={"kind": kind, **kwargs})


def test_the_index_lists_every_catalogue_with_its_counts(client, coordinator):
    Language.objects.filter(name="Polish").update(is_active=False)

    page = client.get(reverse("catalogues:index")).content.decode()

    for title in ("Areas", "Languages", "Faiths", "Specialisms", "Concern types"):
        assert f">{title}</a>" in page
    assert ">15</td>" in page and ">1</td>" in page  # languages: 15 offered, 1 retired


def test_the_list_shows_retired_entries_and_how_many_records_use_each(client, coordinator):
    make_case(area=Area.objects.get(name="Walsall"))
    Area.objects.filter(name="Walsall").update(is_active=False)

    page = client.get(url("entry_list", "areas")).content.decode()

    walsall = page[page.index(">Walsall</a>") :]
    walsall = walsall[: walsall.index("</tr>")]
    assert "Retired" in walsall
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in walsall


def test_adding_with_bad_input_shows_the_errors_and_keeps_what_was_typed(client, coordinator):
    response = client.post(
        url("entry_add", "areas"), {"name": "Tamworth", "latitude": "north", "longitude": "-1.7"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_latitude"' in page
    assert 'value="Tamworth"' in page and 'value="north"' in page and 'value="-1.7"' in page
    assert not Area.objects.filter(name="Tamworth").exists()


def test_a_refusal_from_the_service_is_shown_on_its_field(client, coordinator):
    page = client.post(url("entry_add"), {"name": "english"}).content.decode()

    assert '<a href="#id_name">There is already a language called English</a>' in page


def test_a_code_is_made_from_the_name_when_left_empty(client, coordinator):
    response = client.post(url("entry_add", "specialisms"), {"name": "Sikh theology"})

    assert response.status_code == 302
    assert Specialism.objects.get(name="Sikh theology").code == "sikh-theology"


def test_the_code_is_not_editable_once_the_entry_exists(client, coordinator):
    youth = Specialism.objects.get(code="youth-work")

    page = client.get(url("entry_edit", "specialisms", pk=youth.pk)).content.decode()
    client.post(
        url("entry_edit", "specialisms", pk=youth.pk),
        {"name": "Youth work", "code": "changed", "version": youth.version},
    )

    assert 'name="code"' not in page
    youth.refresh_from_db()
    assert youth.code == "youth-work"


def test_an_edit_from_a_stale_page_is_refused_and_keeps_what_was_typed(client, coordinator):
    area = Area.objects.get(name="Solihull")
    seen = area.version
    Area.objects.filter(pk=area.pk).update(name="Solihull borough", version=seen + 1)

    response = client.post(
        url("entry_edit", "areas", pk=area.pk),
        {"name": "Solihull town", "latitude": "52.4", "longitude": "-1.78", "version": seen},
    )

    page = response.content.decode()
    assert "Someone else changed this area while you were working on it" in page
    assert 'value="Solihull town"' in page
    assert f'name="version" value="{seen + 1}"' in page
    area.refresh_from_db()
    assert area.name == "Solihull borough"


def test_moving_and_retiring_work_from_plain_form_posts(client, coordinator):
    english = Language.objects.get(name="English")

    moved = client.post(url("entry_move", pk=english.pk), {"direction": "up"})
    retired = client.post(url("entry_retire", pk=english.pk), follow=True)

    assert moved.status_code == 302 and moved["Location"].endswith(f"#entry-{english.pk}")
    english.refresh_from_db()
    assert not english.is_active
    assert "English has been retired" in retired.content.decode()


def test_a_refused_action_is_explained_on_the_page_it_returns_to(client, coordinator):
    first = Language.objects.order_by("position", "name").first()

    response = client.post(url("entry_move", pk=first.pk), {"direction": "up"}, follow=True)
    nonsense = client.post(url("entry_move", pk=first.pk), {"direction": "sideways"})

    assert f"{first.name} is already first in the list" in response.content.decode()
    assert nonsense.status_code == 302


def test_an_entry_in_use_is_not_offered_for_deletion(client, coordinator):
    walsall = Area.objects.get(name="Walsall")
    make_case(area=walsall)

    edit = client.get(url("entry_edit", "areas", pk=walsall.pk)).content.decode()
    confirm = client.get(url("entry_delete", "areas", pk=walsall.pk)).content.decode()
    client.post(url("entry_delete", "areas", pk=walsall.pk))

    assert "1 case</dd>" in edit and "Delete Walsall</a>" not in edit
    assert "cannot be deleted" in confirm and "govuk-button--warning" not in confirm
    assert Area.objects.filter(pk=walsall.pk).exists()


def test_an_unused_entry_is_deleted_after_confirmation(client, coordinator):
    language = Language.objects.create(name="Amharic")

    confirm = client.get(url("entry_delete", pk=language.pk)).content.decode()
    response = client.post(url("entry_delete", pk=language.pk))

    assert "This cannot be undone" in confirm
    assert response["Location"] == url("entry_list")
    assert not Language.objects.filter(pk=language.pk).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/catalogues/colours/",
        "/catalogues/colours/add/",
        "/catalogues/languages/99999999999999999999999/",
        "/catalogues/languages/99999999999999999999999/delete/",
    ],
)
def test_unknown_catalogues_and_huge_ids_answer_404(client, coordinator, path):
    assert client.get(path).status_code == 404


def test_an_entry_of_another_catalogue_answers_404(client, coordinator):
    walsall = Area.objects.get(name="Walsall")
    english = Language.objects.get(name="English")
    assert client.get(url("entry_edit", "languages", pk=english.pk)).status_code == 200
    assert client.get(url("entry_edit", "specialisms", pk=walsall.pk + 10_000)).status_code == 404
