"""A mentor's vetting, training and accreditation, and quality-assurance records.

Coordinators see and record everything; a mentor sees their own records read-only and
a supervisor their supervisees' training and quality records (never vetting), as the
access matrix says. Pages that show decrypted values (vetting reference numbers,
observation notes, feedback summaries) record each view in the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.dates import long_date
from tandem.core.permissions import permission_required
from tandem.core.text import counted

from ..forms.records import (
    AwardForm,
    CheckForm,
    CheckFormSet,
    CompletionForm,
    CompletionFormSet,
    FeedbackForm,
    ObservationForm,
    RevokeForm,
)
from ..models import (
    Accreditation,
    AccreditationLevel,
    Mentor,
    ObservedPractice,
    TrainingCompletion,
    TrainingModule,
    VettingCheckType,
)
from ..navigation import mentor_tabs
from ..permissions import mentor_training, mentor_vetting
from ..quality import (
    accreditation_state,
    accreditation_tag,
    level_check,
    quality_status,
    supervised_session_count,
    total_cpd_hours,
    vetting_rows,
)
from ..services import records as services


def _record_page(request, mentor, template: str, context: dict):
    return render(
        request,
        template,
        {"mentor": mentor, "tabs": mentor_tabs(request, mentor), **context},
    )


def _saved(request, mentor, message: str, to: str):
    messages.success(request, message)
    return redirect(to, pk=mentor.pk)


# Vetting -------------------------------------------------------------------------------


@require_GET
@permission_required("mentor_vetting", "view")
def vetting(request, pk: int):
    mentor = mentor_vetting.get_object_or_404(request.user, "view", pk=pk)
    today = timezone.localdate()
    check_types = list(VettingCheckType.objects.order_by("position", "name"))
    checks = list(mentor.checks.select_related("recorded_by").order_by("-checked_on", "-pk"))
    active_types = [t for t in check_types if t.is_active]
    rows = vetting_rows(active_types, checks, today)
    # Checks of types the scheme no longer uses stay visible rather than vanish.
    retired = vetting_rows([t for t in check_types if not t.is_active], checks, today)
    retired = [row for row in retired if row.latest is not None]
    record_view(actor=request.user, obj=mentor, request=request, reason="Vetting record")
    return _record_page(
        request,
        mentor,
        "mentors/records/vetting.html",
        {
            "rows": rows,
            "retired_rows": retired,
            "blocking": [row for row in rows if row.blocking],
            "required_done": sum(
                1 for row in rows if row.check_type.required and row.passed_and_current
            ),
            "required_total": sum(1 for row in rows if row.check_type.required),
            "can_change": mentor_vetting.has_object_permission(request.user, "change", mentor),
        },
    )


def _check_initial(request) -> dict:
    """Pre-select the check type named in ``?check_type=`` (ignored when not a number)."""
    value = request.GET.get("check_type", "")
    if value.isascii() and value.isdigit() and len(value) < 10:
        return {"check_type": int(value)}
    return {}


@require_http_methods(["GET", "POST"])
@permission_required("mentor_vetting", "change")
def check_add(request, pk: int):
    mentor = mentor_vetting.get_object_or_404(request.user, "change", pk=pk)
    form = CheckForm(request.POST or None, initial=_check_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check = services.check_record(
                actor=request.user,
                mentor=mentor,
                check_type=data["check_type"],
                outcome=data["outcome"],
                checked_on=data["checked_on"],
                verifier=data["verifier"],
                reference_number=data["reference_number"],
                failure_reason=data["failure_reason"],
                expires_on=data["expires_on"],
                request=request,
            )
        except services.RecordRefused as error:
            form.add_error(None, str(error))
        else:
            return _saved(
                request,
                mentor,
                f"{check.check_type.name} check recorded as {check.get_outcome_display().lower()}.",
                "mentors:vetting",
            )
    return render(request, "mentors/records/check_form.html", {"mentor": mentor, "form": form})


class _Refused(Exception):
    """A row the service refused: everything recorded so far is rolled back."""


def _record_rows(formset, record) -> int:
    """Record every filled row with ``record(form)`` in one transaction: all or nothing.
    A row the service refuses gets the reason as its error, the others are still tried
    (so every problem shows at once), and then nothing is kept."""
    refused = False
    try:
        with transaction.atomic():
            for form in formset.filled:
                try:
                    record(form)
                except services.RecordRefused as error:
                    form.add_error(None, str(error))
                    refused = True
            if refused:
                raise _Refused
    except _Refused:
        return 0
    return len(formset.filled)


@require_http_methods(["GET", "POST"])
@permission_required("mentor_vetting", "change")
def check_add_several(request, pk: int):
    """Several vetting checks of one mentor on one page: a row per check type in use."""
    mentor = mentor_vetting.get_object_or_404(request.user, "change", pk=pk)
    check_types = VettingCheckType.objects.filter(is_active=True).order_by("position", "name")
    formset = CheckFormSet(request.POST or None, items=check_types, prefix="checks")
    if request.method == "POST" and formset.is_valid():

        def record(form):
            data = form.cleaned_data
            services.check_record(
                actor=request.user,
                mentor=mentor,
                check_type=form.check_type,
                outcome=data["outcome"],
                checked_on=data["checked_on"],
                verifier=data["verifier"],
                reference_number=data["reference_number"],
                failure_reason=data["failure_reason"],
                expires_on=data["expires_on"],
                request=request,
            )

        if recorded := _record_rows(formset, record):
            return _saved(
                request,
                mentor,
                counted(
                    recorded,
                    "%(count)d vetting check recorded.",
                    "%(count)d vetting checks recorded.",
                ),
                "mentors:vetting",
            )
    return render(
        request, "mentors/records/checks_form.html", {"mentor": mentor, "formset": formset}
    )


# Training and accreditation ------------------------------------------------------------


def _training_queryset():
    return Mentor.objects.prefetch_related(
        Prefetch("completions", queryset=TrainingCompletion.objects.select_related("module")),
        Prefetch(
            "accreditations",
            queryset=Accreditation.objects.select_related("level", "awarded_by"),
        ),
        Prefetch("observations", queryset=ObservedPractice.objects.defer("notes")),
    )


def _level_checks(mentor: Mentor, on) -> list:
    completions = list(mentor.completions.all())
    observations = list(mentor.observations.all())
    sessions = supervised_session_count(mentor, on)
    return [
        level_check(
            level=level,
            on=on,
            completions=completions,
            observations=observations,
            supervised_sessions=sessions,
        )
        for level in AccreditationLevel.objects.prefetch_related("required_modules")
    ]


def _module_rows(completions: list[TrainingCompletion]) -> list[dict]:
    """Every active module, and any retired one the mentor completed, with the mentor's
    completions of it (newest first)."""
    by_module: dict[int, list[TrainingCompletion]] = {}
    for completion in completions:
        by_module.setdefault(completion.module_id, []).append(completion)
    modules = {m.pk: m for m in TrainingModule.objects.filter(is_active=True)}
    for completion in completions:
        modules.setdefault(completion.module_id, completion.module)
    rows = []
    for module in sorted(modules.values(), key=lambda m: m.name):
        done = sorted(by_module.get(module.pk, []), key=lambda c: (c.completed_on, c.pk))
        rows.append({"module": module, "completions": done[::-1]})
    return rows


@require_GET
@permission_required("mentor_training", "view")
def training(request, pk: int):
    mentor = mentor_training.get_object_or_404(
        request.user, "view", queryset=_training_queryset(), pk=pk
    )
    today = timezone.localdate()
    completions = list(mentor.completions.all())
    history = sorted(mentor.accreditations.all(), key=lambda a: (a.awarded_on, a.pk), reverse=True)
    can_change = mentor_training.has_object_permission(request.user, "change", mentor)
    return _record_page(
        request,
        mentor,
        "mentors/records/training.html",
        {
            "today": today,
            "module_rows": _module_rows(completions),
            "total_cpd_hours": total_cpd_hours(completions),
            "state": accreditation_state(mentor, today),
            "history": [(a, accreditation_tag(a, today)) for a in history],
            "level_checks": _level_checks(mentor, today),
            "can_change": can_change,
            "can_award": can_change and mentor.status in services.AWARDABLE,
            "can_revoke": can_change
            and any(a.revoked_on is None and a.expires_on > today for a in history),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor_training", "change")
def completion_add(request, pk: int):
    mentor = mentor_training.get_object_or_404(request.user, "change", pk=pk)
    form = CompletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            completion = services.completion_record(
                actor=request.user,
                mentor=mentor,
                module=data["module"],
                completed_on=data["completed_on"],
                cpd_hours=data["cpd_hours"],
                request=request,
            )
        except services.RecordRefused as error:
            form.add_error(None, str(error))
        else:
            return _saved(
                request,
                mentor,
                f"Completion of {completion.module.name} recorded.",
                "mentors:training",
            )
    return render(request, "mentors/records/completion_form.html", {"mentor": mentor, "form": form})


@require_http_methods(["GET", "POST"])
@permission_required("mentor_training", "change")
def completion_add_several(request, pk: int):
    """Several completed modules of one mentor on one page: a row per module in use."""
    mentor = mentor_training.get_object_or_404(request.user, "change", pk=pk)
    modules = TrainingModule.objects.filter(is_active=True).order_by("name")
    formset = CompletionFormSet(request.POST or None, items=modules, prefix="modules")
    if request.method == "POST" and formset.is_valid():

        def record(form):
            services.completion_record(
                actor=request.user,
                mentor=mentor,
                module=form.module,
                completed_on=form.cleaned_data["completed_on"],
                cpd_hours=form.cleaned_data["cpd_hours"],
                request=request,
            )

        if recorded := _record_rows(formset, record):
            return _saved(
                request,
                mentor,
                counted(
                    recorded,
                    "%(count)d completed module recorded.",
                    "%(count)d completed modules recorded.",
                ),
                "mentors:training",
            )
    return render(
        request, "mentors/records/completions_form.html", {"mentor": mentor, "formset": formset}
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor_training", "change")
def accreditation_award(request, pk: int):
    mentor = mentor_training.get_object_or_404(
        request.user, "change", queryset=_training_queryset(), pk=pk
    )
    today = timezone.localdate()
    form = AwardForm(request.POST or None, initial={"awarded_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accreditation = services.accreditation_award(
                actor=request.user,
                mentor=mentor,
                level=data["level"],
                awarded_on=data["awarded_on"],
                note=data["note"],
                request=request,
            )
        except services.AccreditationRefused as error:
            # One error per unmet requirement, so the error summary lists each of them.
            form.add_error(
                "level",
                [
                    f"{mentor.full_name} does not meet every requirement for "
                    f"{error.level.name}. Not met:",
                    *error.unmet,
                ],
            )
        except services.RecordRefused as error:
            form.add_error(None, str(error))
        else:
            return _saved(
                request,
                mentor,
                f"{mentor.full_name} accredited as {accreditation.level.name} until "
                f"{long_date(accreditation.expires_on)}.",
                "mentors:training",
            )
    # Show the requirements as they stood on the date typed, once it is a valid date.
    on = getattr(form, "cleaned_data", {}).get("awarded_on")
    return render(
        request,
        "mentors/records/award_form.html",
        {
            "mentor": mentor,
            "form": form,
            "checked_on": on or today,
            "level_checks": _level_checks(mentor, on or today),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor_training", "change")
def accreditation_revoke(request, pk: int):
    mentor = mentor_training.get_object_or_404(request.user, "change", pk=pk)
    today = timezone.localdate()
    revocable = (
        mentor.accreditations.filter(revoked_on__isnull=True, expires_on__gt=today)
        .select_related("level")
        .order_by("-awarded_on", "-pk")
    )
    form = RevokeForm(request.POST or None, accreditations=revocable)
    if request.method == "POST" and form.is_valid():
        try:
            accreditation = services.accreditation_revoke(
                actor=request.user,
                accreditation=form.cleaned_data["accreditation"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except services.RecordRefused as error:
            form.add_error(None, str(error))
        else:
            return _saved(
                request,
                mentor,
                f"{accreditation.level.name} accreditation revoked.",
                "mentors:training",
            )
    return render(
        request,
        "mentors/records/revoke_form.html",
        {"mentor": mentor, "form": form, "has_revocable": revocable.exists()},
    )


# Quality assurance ---------------------------------------------------------------------


@require_GET
@permission_required("mentor_training", "view")
def quality(request, pk: int):
    mentor = mentor_training.get_object_or_404(
        request.user,
        "view",
        queryset=Mentor.objects.prefetch_related("observations", "feedback"),
        pk=pk,
    )
    today = timezone.localdate()
    record_view(actor=request.user, obj=mentor, request=request, reason="Quality-assurance record")
    return _record_page(
        request,
        mentor,
        "mentors/records/quality.html",
        {
            "status": quality_status(mentor, today),
            "observations": list(mentor.observations.all()),
            "feedback": list(mentor.feedback.all()),
            "can_change": mentor_training.has_object_permission(request.user, "change", mentor),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor_training", "change")
def observation_add(request, pk: int):
    mentor = mentor_training.get_object_or_404(request.user, "change", pk=pk)
    form = ObservationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.observation_record(
                actor=request.user, mentor=mentor, request=request, **form.cleaned_data
            )
        except services.RecordRefused as error:
            form.add_error(None, str(error))
        else:
            return _saved(request, mentor, "Observation recorded.", "mentors:quality")
    return render(
        request, "mentors/records/observation_form.html", {"mentor": mentor, "form": form}
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor_training", "change")
def feedback_add(request, pk: int):
    mentor = mentor_training.get_object_or_404(request.user, "change", pk=pk)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_record(
                actor=request.user, mentor=mentor, request=request, **form.cleaned_data
            )
        except services.RecordRefused as error:
            form.add_error(None, str(error))
        else:
            return _saved(request, mentor, "Feedback recorded.", "mentors:quality")
    return render(request, "mentors/records/feedback_form.html", {"mentor": mentor, "form": form})


urlpatterns = [
    path("<int:pk>/vetting/", vetting, name="vetting"),
    path("<int:pk>/vetting/add/", check_add, name="check_add"),
    path("<int:pk>/vetting/add-several/", check_add_several, name="check_add_several"),
    path("<int:pk>/training/", training, name="training"),
    path("<int:pk>/training/add/", completion_add, name="completion_add"),
    path("<int:pk>/training/add-several/", completion_add_several, name="completion_add_several"),
    path("<int:pk>/accreditation/", accreditation_award, name="accreditation_award"),
    path("<int:pk>/accreditation/revoke/", accreditation_revoke, name="accreditation_revoke"),
    path("<int:pk>/quality/", quality, name="quality"),
    path("<int:pk>/quality/observations/add/", observation_add, name="observation_add"),
    path("<int:pk>/quality/feedback/add/", feedback_add, name="feedback_add"),
]
