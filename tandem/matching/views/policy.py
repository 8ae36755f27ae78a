"""The scheme's matching policy: what each preference weighs, the experience rules, the
threshold for a pool gap, and the hard constraints no weight can override."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_event
from tandem.core.permissions import has_permission, permission_required

from ..explain import CRITERION_LABELS
from ..forms.policy import CRITERION_HELP, LEVEL_FIELDS, WEIGHT_FIELDS, PolicyForm
from ..models import MatchingPolicy
from ..scoring import CRITERIA, EXCLUSIONS, SCALE

TEMPLATES = "matching/policy"

# The hard constraints, in words: a mentor who fails any is never suggested or proposed.
CONSTRAINT_WORDS = {
    "unavailable": "The mentor is available for matching: active in the register, with "
    "current vetting checks, a current accreditation and the code of conduct signed.",
    "capacity": "The mentor has a place spare under their caseload cap. Proposals waiting for "
    "an answer take a place too.",
    "conflict": "The mentor has declared no conflict of interest with the person.",
    "history": "The mentor has not declined this person before, and no earlier match between "
    "them ended badly (the relationship did not work, or a conduct concern).",
    "language": "The mentor speaks at least one of the languages the person can be mentored in, "
    "unless the person needs an interpreter.",
    "gender": "The mentor is of the gender the person needs, when they asked for one.",
    "specialism": "The mentor holds the specialism the case requires, when one is required.",
    "experience": "The mentor's accreditation level is at least the lowest level the case's "
    "urgency or concern requires (the experience rules above).",
    "travel": "The person's area is within the mentor's travel distance, or both the person "
    "and the mentor accept online sessions.",
}


def _policy() -> MatchingPolicy:
    related = ("priority_min_level", "urgent_min_level", "high_risk_min_level", "updated_by")
    try:
        return MatchingPolicy.objects.select_related(*related).get(pk=1)
    except MatchingPolicy.DoesNotExist:
        return MatchingPolicy.load()


def _weight_rows(policy: MatchingPolicy) -> list[dict]:
    weights = [getattr(policy, name) for name in WEIGHT_FIELDS]
    total = sum(weights)
    return [
        {
            "criterion": criterion,
            "label": CRITERION_LABELS[criterion],
            "weight": weight,
            "points": round(weight * SCALE / total) if total else 0,
            "help": CRITERION_HELP[criterion],
        }
        for criterion, weight in zip(CRITERIA, weights, strict=True)
    ]


@permission_required("matching_policy", "view")
@require_GET
def policy(request):
    current = _policy()
    return render(
        request,
        f"{TEMPLATES}/view.html",
        {
            "policy": current,
            "weights": _weight_rows(current),
            "levels": [
                {"label": label, "help": help_text, "level": getattr(current, name)}
                for name, label, help_text in LEVEL_FIELDS
            ],
            "constraints": [CONSTRAINT_WORDS[name] for name in EXCLUSIONS],
            "scale": SCALE,
            "can_change": has_permission(request.user, "matching_policy", "change"),
        },
    )


@permission_required("matching_policy", "change")
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    current = _policy()
    form = PolicyForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        changed = list(form.changed_data)
        if not changed:
            messages.info(request, "Nothing was changed in the matching policy.")
            return redirect("matching:policy")
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.updated_by = request.user
            saved.save()
            record_event(
                actor=request.user,
                action="matching.policy_change",
                obj=saved,
                request=request,
                changed_fields=changed,
            )
        messages.success(
            request,
            "The matching policy is saved. Suggestions and batch proposals use it from now on.",
        )
        return redirect("matching:policy")
    return render(
        request,
        f"{TEMPLATES}/edit.html",
        {
            "form": form,
            "weight_fields": [form[name] for name in WEIGHT_FIELDS],
            "level_fields": [form[name] for name, _, _ in LEVEL_FIELDS],
        },
    )


urlpatterns = [
    path("matching/policy/", policy, name="policy"),
    path("matching/policy/edit/", policy_edit, name="policy_edit"),
]
