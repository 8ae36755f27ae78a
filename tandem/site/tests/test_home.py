"""The role home pages and the primary navigation in the signed-in page shell."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.core.models import Notification
from tandem.core.tests.pages import assert_page_obeys_csp, assert_page_shell
from tandem.mentors.models import MentorStatus
from tandem.mentors.tests.factories import make_mentor

LIST = reverse("core:notifications")


@pytest.mark.django_db
def test_signed_in_page_has_labelled_navigation_and_a_sign_out_form(client, make_user, signed_in):
    signed_in(make_user("administrator"))

    response = client.get(reverse("site:home"))

    assert response.status_code == 200
    page = assert_page_obeys_csp(response)
    assert_page_shell(page, "Home")
    navs = page.find("nav")
    assert len(navs) == 1
    assert navs[0]["aria-label"] == "Menu"
    assert page.find("a", href=reverse("site:home"), **{"aria-current": "page"})
    assert page.find("a", href=reverse("accounts:user_list"))
    forms_ = page.find("form", action=reverse("accounts:logout"))
    assert len(forms_) == 2  # the header's, and the idle-timeout warning's
    assert all(form["method"] == "post" for form in forms_)
    assert page.find("input", type="hidden", name="csrfmiddlewaretoken")
    assert page.find(
        "button", type="submit", **{"class": "govuk-service-navigation__link tandem-link-button"}
    )
    assert ">Sign out</button>" in response.content.decode()


@pytest.mark.django_db
def test_home_page_has_one_section_per_role_held(client, make_user, signed_in):
    signed_in(make_user("mentor", "supervisor"))

    html = client.get(reverse("site:home")).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]

    assert re.findall(r'<h2 class="govuk-heading-m"[^>]*>([^<]+)</h2>', main) == [
        "Mentor",
        "Supervisor",
    ]
    assert "No proposals are waiting for your answer." in html
    assert "No mentors have been assigned to you for supervision yet." in html
    assert "Coordinator" not in html


@pytest.mark.django_db
def test_supervisor_home_lists_their_supervisees_only(client, make_user, signed_in):
    supervisor = make_user("supervisor")
    make_mentor(full_name="Supervised Person", supervisor=supervisor, status=MentorStatus.ACTIVE)
    make_mentor(full_name="Someone Else", status=MentorStatus.ACTIVE)
    make_mentor(full_name="Former Mentor", supervisor=supervisor, status=MentorStatus.LEFT)
    signed_in(supervisor)

    html = client.get(reverse("site:home")).content.decode()

    assert "Supervised Person" in html
    assert "Someone Else" not in html and "Former Mentor" not in html


@pytest.mark.django_db
def test_coordinator_home_links_to_the_mentor_register(client, make_user, signed_in):
    signed_in(make_user("coordinator"))

    html = client.get(reverse("site:home")).content.decode()

    for href in ("/mentors/", "/mentors/pipeline/", "/mentors/expiries/", "/audit/"):
        assert f'href="{href}"' in html
    assert "/accounts/users/" not in html


@pytest.mark.django_db
def test_home_page_without_roles_says_so(client, make_user, signed_in):
    signed_in(make_user())

    html = client.get(reverse("site:home")).content.decode()

    assert "You do not have a role in Tandem yet" in html
    assert 'class="tandem-card"' not in html


@pytest.mark.django_db
def test_home_shows_the_unread_count_with_a_link(client, signed_in, make_user):
    me = make_user("mentor")
    signed_in(me)
    assert "unread notification" not in client.get(reverse("site:home")).content.decode()
    Notification.objects.create(user=me, message="One")
    Notification.objects.create(user=me, message="Two")
    body = client.get(reverse("site:home")).content.decode()
    assert f'<a class="govuk-link" href="{LIST}">You have 2 unread notifications</a>' in body
