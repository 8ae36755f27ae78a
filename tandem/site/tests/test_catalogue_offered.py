"""Retired entries are no longer offered on forms, yet stay readable on the records that
hold them, and a record's own form keeps them so that saving it loses nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.cases.forms.referrals import ReferralForm
from tandem.cases.tests.factories import make_case
from tandem.catalogues.forms import offered_or_current
from tandem.catalogues.models import Area, ConcernType, Faith, Language, ReferralSource
from tandem.mentors.forms.applications import CoordinatorApplicationForm, PublicApplicationForm
from tandem.mentors.forms.profile import ProfileForm, profile_initial
from tandem.mentors.tests.factories import make_mentor

pytestmark = pytest.mark.django_db


def retire(model, name: str):
    entry = model.objects.get(name=name)
    model.objects.filter(pk=entry.pk).update(is_active=False)
    entry.refresh_from_db()
    return entry


def test_offered_or_current_adds_the_records_own_values_to_what_is_offered():
    walsall, dudley = retire(Area, "Walsall"), retire(Area, "Dudley")

    assert walsall not in offered_or_current(Area)
    assert set(offered_or_current(Area, walsall)) == {*Area.objects.offered(), walsall}
    # Entries, primary keys, None and iterables of them (a record's many-to-many).
    assert set(offered_or_current(Area, None, [walsall.pk], Area.objects.filter(pk=dudley.pk))) == {
        *Area.objects.offered(),
        walsall,
        dudley,
    }


def test_the_referral_form_does_not_offer_retired_entries():
    walsall = retire(Area, "Walsall")
    polish = retire(Language, "Polish")
    incel = retire(ConcernType, "Incel")
    police = retire(ReferralSource, "Police")

    form = ReferralForm()

    assert walsall not in form.fields["area"].queryset
    assert polish not in form.fields["languages"].queryset
    assert polish not in form.fields["preferred_language"].queryset
    assert incel not in form.fields["concern_type"].queryset
    assert police not in form.fields["referral_source"].queryset
    assert Area.objects.get(name="Dudley") in form.fields["area"].queryset


@pytest.mark.parametrize("form_class", [PublicApplicationForm, CoordinatorApplicationForm])
def test_the_application_forms_do_not_offer_retired_entries(form_class):
    walsall, polish = retire(Area, "Walsall"), retire(Language, "Polish")

    form = form_class()

    assert walsall not in form.fields["areas"].queryset
    assert polish not in form.fields["languages"].queryset


def _profile_form(mentor, data=None):
    return ProfileForm(data, mentor=mentor, initial=profile_initial(mentor))


def test_the_profile_form_keeps_the_mentors_retired_entries_and_offers_no_others():
    walsall, dudley = Area.objects.get(name="Walsall"), Area.objects.get(name="Dudley")
    polish, somali = Language.objects.get(name="Polish"), Language.objects.get(name="Somali")
    other_faith = Faith.objects.get(name="Other")
    mentor = make_mentor(faith=other_faith)
    mentor.areas.add(walsall)
    mentor.languages.create(language=polish, proficiency="fluent")
    for model, entry in [(Area, walsall), (Area, dudley), (Language, polish), (Language, somali)]:
        retire(model, entry.name)
    retire(Faith, "Other")

    form = _profile_form(mentor)

    assert walsall in form.fields["areas"].queryset
    assert dudley not in form.fields["areas"].queryset
    assert other_faith in form.fields["faith"].queryset
    assert f"language_{polish.pk}" in form.fields
    assert f"language_{somali.pk}" not in form.fields


def test_a_retired_entry_still_shows_on_the_record_that_holds_it(client):
    case = make_case(area=Area.objects.get(name="Walsall"))
    retire(Area, "Walsall")
    sign_in(client, create_user("coordinator"))

    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))

    assert page.status_code == 200
    assert "Walsall" in page.content.decode()
