"""The page shell: base layout, error pages, public pages, Content-Security-Policy and
the GOV.UK form renderer.

These run without the front end built: the test settings use plain
StaticFilesStorage, so {% static %} needs no manifest.
"""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.shortcuts import render
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import path, reverse

from config import urls as project_urls
from conftest import sign_in
from tandem.core import views
from tandem.core.decorators import mfa_not_required
from tandem.core.forms import GovUKForm
from tandem.core.tests.pages import (
    DASH,
    Page,
    assert_page_obeys_csp,
    assert_page_shell,
    assert_strict_csp,
    csp_directives,
)

# --- A URLconf for these tests: the project's, plus views that fail on purpose. ---

SECRET = "boom-secret-detail-4242"


@login_not_required
@mfa_not_required
def _raise_server_error(request):
    raise RuntimeError(f"{SECRET} in {request.path}")


@login_not_required
@mfa_not_required
def _raise_bad_request(request):
    raise SuspiciousOperation(SECRET)


@login_not_required
@mfa_not_required
def _raise_permission_denied(request):
    raise PermissionDenied(SECRET)


@login_not_required
@mfa_not_required
def _with_messages(request):
    messages.success(request, "The referral was saved")
    messages.info(request, "Supervision is due this week")
    return render(request, "core/accessibility.html")


urlpatterns = [
    *project_urls.urlpatterns,
    path(f"fail/{SECRET}/500/", _raise_server_error),
    path(f"fail/{SECRET}/400/", _raise_bad_request),
    path(f"fail/{SECRET}/403/", _raise_permission_denied),
    path("messages/", _with_messages),
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

THIS_URLCONF = __name__


# --- Public pages and the Content-Security-Policy ---


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "title"),
    [("core:accessibility", "Accessibility statement"), ("core:privacy", "Privacy notice")],
)
def test_public_page_has_the_shell_and_a_strict_csp_with_a_matching_nonce(client, url_name, title):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    page = assert_page_obeys_csp(response)
    assert_page_shell(page, title)


@pytest.mark.django_db
def test_public_page_names_the_scheme_and_shows_no_crown(client, settings):
    settings.TANDEM_SCHEME_NAME = "Northshire Mentoring"

    html = client.get(reverse("core:privacy")).content.decode()

    assert "Northshire Mentoring" in html
    assert "is the data controller" in html
    for crown in ("govuk-header__logotype", "govuk-logo", "crown", "crest", "GDS Transport"):
        assert crown not in html
    assert "govuk-template--rebranded" not in html


@pytest.mark.django_db
def test_signed_out_pages_show_no_navigation_or_sign_out(client):
    page = Page(client.get(reverse("core:accessibility")).content.decode())

    assert not page.find("nav")
    assert not page.find("form", action=reverse("accounts:logout"))


@pytest.mark.django_db
def test_health_is_json_under_the_same_strict_policy(client):
    response = client.get(reverse("core:health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    policy = assert_strict_csp(response)
    # Nothing inline on this response, so no nonce is issued: scripts from 'self' only.
    assert policy["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_each_response_gets_a_fresh_nonce(client):
    first = csp_directives(client.get(reverse("core:privacy")))["script-src"]
    second = csp_directives(client.get(reverse("core:privacy")))["script-src"]

    assert first != second


# --- Error pages ---


@pytest.mark.django_db
def test_404_page_says_nothing_about_the_request(client, make_user, signed_in):
    # Signed in, so the answer is the 404 page whatever is decided for anonymous
    # requests to unknown paths.
    signed_in(make_user("coordinator"))

    response = client.get("/records-xyzzy/T-2026-0042/no-such-page/?q=jane-doe")

    assert response.status_code == 404
    html = response.content.decode()
    for leaked in ("T-2026-0042", "xyzzy", "jane-doe", "no-such-page", "Traceback", "Resolver404"):
        assert leaked not in html
    page = assert_page_obeys_csp(response)
    assert_page_shell(page, "Page not found")


@pytest.mark.django_db
@pytest.mark.urls(THIS_URLCONF)
@pytest.mark.parametrize(
    ("status", "title"),
    [
        (400, "There is a problem with your request"),
        (403, "You cannot do this"),
        (500, "Sorry, there is a problem with the service"),
    ],
)
def test_error_pages_say_what_happened_and_nothing_about_why(client, settings, status, title):
    settings.DEBUG = False
    client.raise_request_exception = False

    response = client.get(f"/fail/{SECRET}/{status}/")

    assert response.status_code == status
    html = response.content.decode()
    assert SECRET not in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html
    assert "/fail/" not in html
    page = assert_page_obeys_csp(response)
    assert_page_shell(page, title)


@pytest.mark.django_db
def test_csrf_failure_page_is_tandems_and_names_no_check(make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in(client, make_user("mentor"))

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "CSRF" not in html
    assert "Referer" not in html
    page = assert_page_obeys_csp(response)
    assert_page_shell(page, "Your form could not be sent")


@pytest.mark.django_db
@pytest.mark.urls(THIS_URLCONF)
def test_500_page_for_a_signed_in_user_shows_no_navigation(client, settings, make_user, signed_in):
    settings.DEBUG = False
    client.raise_request_exception = False
    signed_in(make_user("coordinator"))

    response = client.get(f"/fail/{SECRET}/500/")

    assert response.status_code == 500
    page = Page(response.content.decode())
    assert not page.find("nav")
    assert not page.find("form", action=reverse("accounts:logout"))


def _failing_context_processor(request):
    raise RuntimeError("a context processor needed the database")


def test_500_page_needs_no_database_user_session_or_context_processors(settings):
    # No django_db mark: pytest-django makes any database access here an error.
    templates = [{**settings.TEMPLATES[0]}]
    templates[0]["OPTIONS"] = {
        **templates[0]["OPTIONS"],
        "context_processors": [f"{__name__}._failing_context_processor"],
    }
    settings.TEMPLATES = templates
    # A request that never went through any middleware: no user, no session.
    request = RequestFactory().get("/anything/")

    response = views.server_error(request)

    assert response.status_code == 500
    page = Page(response.content.decode())
    assert page.title.strip() == f"Sorry, there is a problem with the service {DASH} Tandem"
    assert page.h1_text == ["Sorry, there is a problem with the service"]


def test_500_page_falls_back_to_fixed_html_when_the_template_cannot_render(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template engine is broken")

    monkeypatch.setattr(views.loader, "get_template", broken)

    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Sorry, there is a problem with the service</h1>" in html
    assert "template engine is broken" not in html
    assert "<script" not in html
    assert "style=" not in html


def test_404_page_still_renders_if_the_context_processors_fail(settings):
    templates = [{**settings.TEMPLATES[0]}]
    templates[0]["OPTIONS"] = {
        **templates[0]["OPTIONS"],
        "context_processors": [f"{__name__}._failing_context_processor"],
    }
    settings.TEMPLATES = templates

    response = views.page_not_found(RequestFactory().get("/secret-path/"))

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "secret-path" not in html


# --- Messages ---


@pytest.mark.django_db
@pytest.mark.urls(THIS_URLCONF)
def test_messages_show_as_notification_banners(client):
    response = client.get("/messages/")

    page = assert_page_obeys_csp(response)
    banners = [
        attrs
        for tag, attrs in page.tags
        if "govuk-notification-banner" in (attrs.get("class") or "").split()
    ]
    assert [banner["role"] for banner in banners] == ["alert", "region"]
    assert "govuk-notification-banner--success" in banners[0]["class"]
    html = response.content.decode()
    assert "The referral was saved" in html
    assert "Supervision is due this week" in html


# --- The GOV.UK form renderer ---


class _ReferralForm(GovUKForm):
    reason = forms.CharField(label="Reason for referral", help_text="What has happened")
    agency = forms.CharField(label="Referring agency", required=False)
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=[("routine", "Routine"), ("urgent", "Urgent")],
        widget=forms.RadioSelect,
    )
    token = forms.CharField(widget=forms.HiddenInput)


def _render(form) -> str:
    return Template(
        '{% include "core/includes/error_summary.html" %}<form>{{ form }}</form>'
    ).render(Context({"form": form}))


def test_form_renders_gov_uk_fields_without_errors():
    html = _render(_ReferralForm())

    assert "govuk-error-summary" not in html
    assert '<label class="govuk-label" for="id_reason">Reason for referral</label>' in html
    assert '<div id="id_reason_helptext" class="govuk-hint">What has happened</div>' in html
    assert "Referring agency (optional)" in html
    assert 'class="govuk-input"' in html
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Urgency</legend>' in html
    )
    assert 'class="govuk-radios__input"' in html
    assert 'type="hidden" name="token"' in html


def test_form_errors_render_the_error_summary_and_field_errors():
    form = _ReferralForm(data={"urgency": "never"})
    assert not form.is_valid()

    html = _render(form)
    page = Page(html)

    assert "There is a problem" in html
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    assert links == ["#id_reason", "#id_urgency_0"]
    # The hidden field's error has no field to link to but is still listed.
    assert html.count("This field is required.") == 3
    assert page.find("p", id="id_reason-error", **{"class": "govuk-error-message"})
    reason = page.find("input", name="reason")[0]
    assert "govuk-input--error" in reason["class"]
    assert reason["aria-describedby"] == "id_reason_helptext id_reason-error"
    fieldset = page.find("fieldset")[0]
    assert fieldset["aria-describedby"] == "id_urgency-error"
    assert page.find("div", **{"class": "govuk-form-group govuk-form-group--error"})


@pytest.mark.django_db
def test_page_title_starts_with_error_when_the_form_has_errors(rf):
    request = rf.get("/")
    form = _ReferralForm(data={})
    form.is_valid()

    html = Template(
        '{% extends "base.html" %}{% block title %}Make a referral{% endblock %}'
        '{% block content %}<h1 class="govuk-heading-l">Make a referral</h1>{% endblock %}'
    ).render(Context({"form": form, "request": request}))

    assert f"<title>Error: Make a referral {DASH} Tandem</title>" in html


@override_settings(TANDEM_SCHEME_NAME="")
def test_base_template_renders_with_an_empty_context():
    html = Template('{% extends "base.html" %}{% block title %}Plain{% endblock %}').render(
        Context({})
    )

    assert f"<title>Plain {DASH} Tandem</title>" in html
    assert "<nav" not in html
