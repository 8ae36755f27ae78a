"""Outcomes pages: the questionnaires (coordinators), a case's Success tab with the
links that ask for answers, answering signed in, and the public page a link opens.
Thin: load through the policies (404 for what the user may not see), validate, call a
service, redirect or render; a refusal comes back with everything typed kept."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.throttle import client_ip
from tandem.audit.services import record_view
from tandem.cases.models import Case
from tandem.cases.navigation import case_tabs
from tandem.core.decorators import mfa_not_required
from tandem.core.permissions import permission_required

from . import services
from .forms import AnswerForm, InstrumentForm, LinkForm, initial_from
from .languages import RIGHT_TO_LEFT, language_name
from .models import AnswerLink, Instrument, Respondent
from .permissions import case_outcomes, case_questionnaires, instruments
from .scoring import DEFAULT_LANGUAGE
from .selectors import success_frames

TEMPLATES = "outcomes"

# Wrong, used or expired links from one address before it is refused for a while (429).
MISSES_ALLOWED = 20
MISSES_WINDOW = 15 * 60
SCHEDULE = ("at_start", "at_review", "at_closure", "at_follow_up")


def _posted(request):
    return request.POST if request.method == "POST" else None


# Questionnaires --------------------------------------------------------------------------


@require_GET
@permission_required("questionnaire_instrument", "view")
def instrument_list(request):
    rows = list(instruments.queryset(request.user, "view").order_by("name"))
    return render(request, f"{TEMPLATES}/instrument_list.html", {"instruments": rows})


@require_GET
@permission_required("questionnaire_instrument", "view")
def instrument_detail(request, pk: int):
    instrument = instruments.get_object_or_404(request.user, "view", pk=pk)
    versions = list(instrument.versions.select_related("created_by").order_by("-number"))
    try:
        shown_number = int(request.GET.get("version", instrument.current_version))
    except ValueError:
        shown_number = instrument.current_version
    shown = next((v for v in versions if v.number == shown_number), versions[0])
    return render(
        request,
        f"{TEMPLATES}/instrument_detail.html",
        {
            "instrument": instrument,
            "version": shown,
            "definition": shown.parsed,
            "versions": versions,
            "can_change": instruments.has_permission(request.user, "change"),
        },
    )


def _key_for(name: str) -> str:
    base = (slugify(name).replace("-", "_") or "questionnaire")[:32].strip("_") or "questionnaire"
    if not base[0].isalpha():
        base = f"q_{base}"[:32]
    key, n = base, 1
    while Instrument.objects.filter(key=key).exists():
        n += 1
        key = f"{base}_{n}"
    return key


def _schedule(data) -> dict:
    return {name: bool(data.get(name)) for name in SCHEDULE}


@require_http_methods(["GET", "POST"])
@permission_required("questionnaire_instrument", "change")
def instrument_add(request):
    form = InstrumentForm(
        _posted(request),
        items=2,
        initial={"scale_min": 1, "scale_max": 5, "respondent": Respondent.PERSON, "in_use": True},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            instrument = services.instrument_create(
                actor=request.user,
                key=_key_for(data["name"]),
                name=data["name"].strip(),
                description=data["description"].strip(),
                respondent=data["respondent"],
                schedule=_schedule(data),
                definition=form.definition,
                change_note=data["change_note"].strip(),
                is_active=data["in_use"],
                request=request,
            )
        except services.OutcomesRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"{instrument.name} added.")
            return redirect("outcomes:instrument", pk=instrument.pk)
    return render(request, f"{TEMPLATES}/instrument_form.html", {"form": form, "instrument": None})


@require_http_methods(["GET", "POST"])
@permission_required("questionnaire_instrument", "change")
def instrument_revise(request, pk: int):
    instrument = instruments.get_object_or_404(request.user, "change", pk=pk)
    current = services.current_version(instrument)
    definition = current.parsed
    form = InstrumentForm(
        _posted(request),
        items=len(definition.items),
        subscales=len(definition.subscales),
        lock_respondent=True,
        initial=initial_from(instrument, definition),
    )
    form.fields["seen_version"] = _seen_field(instrument.current_version)
    form.fields["seen_version"].widget.attrs["class"] = "govuk-input"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.instrument_revise(
                actor=request.user,
                instrument=instrument,
                seen_version=data["seen_version"],
                name=data["name"].strip(),
                description=data["description"].strip(),
                schedule=_schedule(data),
                definition=form.definition,
                change_note=data["change_note"].strip(),
                is_active=data["in_use"],
                request=request,
            )
        except services.OutcomesRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            if version is not None:
                messages.success(
                    request,
                    f"Version {version.number} of {instrument.name} saved. "
                    "Answers already given keep the version they were given under.",
                )
            else:
                messages.success(request, f"{instrument.name} saved.")
            return redirect("outcomes:instrument", pk=instrument.pk)
    return render(
        request, f"{TEMPLATES}/instrument_form.html", {"form": form, "instrument": instrument}
    )


def _seen_field(value: int):
    return forms.IntegerField(widget=forms.HiddenInput, initial=value, min_value=0)


# A case's Success tab --------------------------------------------------------------------


def _case(request, policy, action: str, pk: int) -> Case:
    return policy.get_object_or_404(
        request.user, action, queryset=Case.objects.select_related("referred_by"), pk=pk
    )


@require_GET
@permission_required("case_outcomes", "view")
def case_success(request, pk: int):
    case = _case(request, case_outcomes, "view", pk)
    record_view(actor=request.user, obj=case, request=request, reason="outcomes")
    can_ask = case_questionnaires.has_object_permission(request.user, "ask", case)
    can_answer = case_questionnaires.has_object_permission(request.user, "answer", case)
    active = list(Instrument.objects.filter(is_active=True).order_by("name"))
    return render(
        request,
        f"{TEMPLATES}/case_success.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "frames": success_frames(case),
            "links": list(
                AnswerLink.objects.filter(case=case).select_related("version__instrument")[:20]
            )
            if can_ask
            else [],
            "can_ask": can_ask,
            "answerable": [i for i in active if i.respondent != Respondent.REFERRER]
            if can_answer
            else [],
        },
    )


def _askable():
    return list(
        Instrument.objects.filter(
            is_active=True, respondent__in=[Respondent.PERSON, Respondent.REFERRER]
        ).order_by("name")
    )


@require_http_methods(["GET", "POST"])
@permission_required("case_questionnaire", "ask")
def link_create(request, pk: int):
    case = _case(request, case_questionnaires, "ask", pk)
    askable = _askable()
    form = LinkForm(_posted(request), instruments=askable, initial={"channel": "qr"})
    context = {"case": case, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        instrument = next(i for i in askable if i.key == data["instrument"])
        try:
            link, token = services.link_create(
                actor=request.user,
                case=case,
                instrument=instrument,
                occasion=data["occasion"],
                channel=data["channel"],
                address=data["address"],
                answer_url=lambda t: request.build_absolute_uri(
                    reverse("outcomes:answer", kwargs={"token": t})
                ),
                request=request,
            )
        except services.OutcomesRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            url = request.build_absolute_uri(reverse("outcomes:answer", kwargs={"token": token}))
            # Shown on this response only: the token is kept nowhere it could be read back.
            return render(
                request,
                f"{TEMPLATES}/link_made.html",
                {
                    "case": case,
                    "link": link,
                    "instrument": instrument,
                    "url": url,
                    "qr": segno.make(url, error="m").svg_inline(
                        scale=5, title="QR code of the link to answer", svgclass="tandem-qr"
                    ),
                },
            )
    return render(request, f"{TEMPLATES}/link_form.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("case_questionnaire", "ask")
def link_withdraw(request, pk: int, link: int):
    case = _case(request, case_questionnaires, "ask", pk)
    answer_link = AnswerLink.objects.filter(case=case, pk=link).first()
    if answer_link is None:
        raise Http404
    if request.method == "POST" and services.link_withdraw(
        actor=request.user, link=answer_link, request=request
    ):
        messages.success(request, "The link is withdrawn. It no longer works.")
    return redirect("outcomes:case_success", pk=case.pk)


@require_http_methods(["GET", "POST"])
@permission_required("case_questionnaire", "answer")
def answer_with(request, pk: int, key: str):
    case = _case(request, case_questionnaires, "answer", pk)
    instrument = Instrument.objects.filter(key=key, is_active=True).first()
    if instrument is None or instrument.respondent == Respondent.REFERRER:
        raise Http404
    version = services.current_version(instrument)
    form = AnswerForm(_posted(request), definition=version.parsed, with_occasion=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_signed_in(
                actor=request.user,
                case=case,
                instrument=instrument,
                occasion=form.cleaned_data["occasion"],
                answers=form.answers(),
                request=request,
            )
        except services.OutcomesRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Answers to {instrument.name} saved.")
            return redirect("outcomes:case_success", pk=case.pk)
    return render(
        request,
        f"{TEMPLATES}/answer_with.html",
        {"case": case, "instrument": instrument, "form": form},
    )


# The public page a link opens ------------------------------------------------------------


def _misses_key(request) -> str:
    return f"tandem:answer-link-misses:{client_ip(request)}"


def _count_miss(request) -> None:
    key = _misses_key(request)
    cache.add(key, 0, timeout=MISSES_WINDOW)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=MISSES_WINDOW)


def _private(response):
    response["Cache-Control"] = "no-store, private"
    # Same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the
    # form's POST, which the CSRF check refuses. Nothing on the page leads off-site.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _public(request, template: str, context: dict, status: int = 200):
    return _private(render(request, f"{TEMPLATES}/{template}", context, status=status))


@login_not_required
@mfa_not_required
@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    if cache.get(_misses_key(request), 0) >= MISSES_ALLOWED:
        response = _public(request, "public_gone.html", {"too_many": True}, status=429)
        response["Retry-After"] = str(MISSES_WINDOW)
        return response
    link = services.link_for_token(token)
    if link is None:
        _count_miss(request)
        return _public(request, "public_gone.html", {}, status=404)
    definition = link.version.parsed
    languages = definition.languages
    language = request.GET.get("lang") or request.POST.get("lang") or DEFAULT_LANGUAGE
    if language not in languages:
        language = DEFAULT_LANGUAGE
    form = AnswerForm(_posted(request), definition=definition, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_by_link(
                token=token, answers=form.answers(), language=language, request=request
            )
        except services.OutcomesRefused:
            return _public(request, "public_gone.html", {}, status=404)
        return redirect(f"{reverse('outcomes:answered')}?lang={language}")
    return _public(
        request,
        "public_answer.html",
        {
            "form": form,
            "language": language,
            "rtl": language in RIGHT_TO_LEFT,
            "for_referrer": link.respondent == Respondent.REFERRER,
            "choices": [(code, language_name(code)) for code in languages if code != language],
        },
    )


@login_not_required
@mfa_not_required
@require_GET
def answered(request):
    return _public(request, "public_done.html", {})


urlpatterns = [
    path("questionnaires/", instrument_list, name="instruments"),
    path("questionnaires/new/", instrument_add, name="instrument_add"),
    path("questionnaires/<int:pk>/", instrument_detail, name="instrument"),
    path("questionnaires/<int:pk>/revise/", instrument_revise, name="instrument_revise"),
    path("cases/<int:pk>/", case_success, name="case_success"),
    path("cases/<int:pk>/links/new/", link_create, name="link_create"),
    path("cases/<int:pk>/links/<int:link>/withdraw/", link_withdraw, name="link_withdraw"),
    path("cases/<int:pk>/answer/<slug:key>/", answer_with, name="answer_with"),
    path("a/done/", answered, name="answered"),
    path("a/<str:token>/", answer, name="answer"),
]
