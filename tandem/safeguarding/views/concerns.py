"""The lead's queue, one concern's page, and the lead's moves on it: acknowledge,
action, escalate (with the agency's reference), record the agency's decision, resolve,
close with an outcome and sign-off, reopen, change the urgency.

Each move is a POST carrying the version the page showed; a refusal (a stale page, a
move the lifecycle does not allow) comes back on the page with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.filters import By, sort_list
from tandem.core.permissions import permission_required
from tandem.meetings.permissions import private_notes

from .. import lifecycle, selectors, services
from ..forms import ActionForm, CloseForm, DecisionForm, EscalateForm, UrgencyForm
from ..permissions import concerns

TEMPLATES = "safeguarding"

# The queue's server-side orders (the first, the queue's own: waiting to be acknowledged
# first, each by its deadline) and its columns.
QUEUE_ORDERS = {
    "queue": By(),
    "reference": By(lambda row: row["concern"].reference),
    "urgency": By(lambda row: (row["urgency_rank"], row["concern"].due_at)),
    "status": By(lambda row: (row["status_rank"], row["concern"].due_at)),
}
QUEUE_COLUMNS = [
    ("Concern", "reference"),
    ("About", None),
    ("Urgency", "urgency"),
    ("Status", "status"),
    ("Acknowledge by", "queue"),
]
FORMS = {"escalate": EscalateForm, "close": CloseForm}
DONE = {
    "acknowledge": "You have acknowledged the concern.",
    "action": "The concern is recorded as actioned.",
    "escalate": "The escalation is recorded.",
    "resolve": "The concern is resolved. Close it with the outcome and your sign-off.",
    "close": "The concern is closed.",
    "reopen": "The concern is reopened.",
}


@require_GET
@permission_required("concern_queue", "view")
def queue_view(request):
    rows = sort_list(
        request, selectors.queue_rows(request.user), orderings=QUEUE_ORDERS, columns=QUEUE_COLUMNS
    )
    services.concern_queue_audit(actor=request.user, request=request)
    return render(
        request,
        f"{TEMPLATES}/queue.html",
        {
            "rows": rows.items,
            "headers": rows.headers,
            "overdue": sum(1 for row in rows.items if row["overdue"]),
        },
    )


def _detail_context(request, concern, **extra) -> dict:
    can_change = concerns.has_object_permission(request.user, "change", concern)
    context = {
        "concern": concern,
        "overdue": concern.is_overdue(),
        "steps": list(concern.steps.select_related("actor")),
        "escalations": selectors.escalations_of(concern),
        "can_change": can_change,
        "moves": lifecycle.available_actions(concern.status) if can_change else [],
        "action_form": ActionForm(initial={"version": concern.version}),
        "urgency_form": extra.pop("urgency_form", None)
        or UrgencyForm(initial={"version": concern.version, "urgency": concern.urgency}),
        "decision_form": extra.pop("decision_form", None) or DecisionForm(),
        "can_read_notes": concern.session_id is not None
        and private_notes.has_object_permission(request.user, "view", concern.session),
    }
    context.update(extra)
    return context


@require_GET
@permission_required("concern", "view")
def detail(request, pk: int):
    concern = selectors.concern_for_page(pk, policy=concerns, user=request.user, action="view")
    record_view(actor=request.user, obj=concern, request=request, reason="concern")
    return render(request, f"{TEMPLATES}/detail.html", _detail_context(request, concern))


@permission_required("concern", "change")
@require_http_methods(["GET", "POST"])
def act(request, pk: int, action: str):
    """One move. Escalating and closing have their own page; the others are a button on
    the concern's page (GET shows a confirmation page, for a link followed by hand)."""
    if action not in lifecycle.ACTIONS:
        raise Http404
    concern = selectors.concern_for_page(pk, policy=concerns, user=request.user, action="change")
    form_class = FORMS.get(action, ActionForm)
    form = form_class(request.POST or None, initial={"version": concern.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "escalate":
                services.concern_escalate(
                    actor=request.user,
                    concern=concern,
                    agency=data["agency"],
                    method=data["method"],
                    escalated_at=form.escalated_at(),
                    agency_reference=data["agency_reference"],
                    case_arrangement=data["case_arrangement"],
                    expected_version=data["version"],
                    request=request,
                )
            elif action == "close":
                services.concern_close(
                    actor=request.user,
                    concern=concern,
                    outcome=data["outcome"],
                    outcome_notes=data["outcome_notes"],
                    signed_off=data["signed_off"],
                    expected_version=data["version"],
                    request=request,
                )
            else:
                services.SIMPLE_ACTIONS[action](
                    actor=request.user,
                    concern=concern,
                    expected_version=data["version"],
                    request=request,
                )
        except services.ConcernRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, DONE[action])
            return redirect("safeguarding:detail", pk=concern.pk)
    return render(
        request,
        f"{TEMPLATES}/act.html",
        {"concern": concern, "form": form, "move": lifecycle.ACTIONS[action]},
        status=200,
    )


@permission_required("concern", "change")
@require_http_methods(["POST"])
def urgency(request, pk: int):
    concern = selectors.concern_for_page(pk, policy=concerns, user=request.user, action="change")
    form = UrgencyForm(request.POST)
    if form.is_valid():
        try:
            services.concern_urgency_change(
                actor=request.user,
                concern=concern,
                urgency=form.cleaned_data["urgency"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except services.ConcernRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "The urgency and the deadline are changed.")
            return redirect("safeguarding:detail", pk=concern.pk)
    record_view(actor=request.user, obj=concern, request=request, reason="concern")
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        _detail_context(request, concern, urgency_form=form, form=form),
    )


@permission_required("concern", "change")
@require_http_methods(["POST"])
def decision(request, pk: int):
    concern = selectors.concern_for_page(pk, policy=concerns, user=request.user, action="change")
    form = DecisionForm(request.POST)
    if form.is_valid():
        escalation = concern.escalations.filter(pk=form.cleaned_data["escalation"]).first()
        if escalation is None:
            raise Http404
        try:
            services.escalation_decision_record(
                actor=request.user,
                escalation=escalation,
                decision=form.cleaned_data["decision"],
                agency_reference=form.cleaned_data["agency_reference"],
                request=request,
            )
        except services.ConcernRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "The agency's decision is recorded.")
            return redirect("safeguarding:detail", pk=concern.pk)
    record_view(actor=request.user, obj=concern, request=request, reason="concern")
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        _detail_context(request, concern, decision_form=form, form=form),
    )


urlpatterns = [
    path("", queue_view, name="queue"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/urgency/", urgency, name="urgency"),
    path("<int:pk>/decision/", decision, name="decision"),
    path("<int:pk>/<slug:action>/", act, name="act"),
]
