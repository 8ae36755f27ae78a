"""The scheme's matching policy: what each preference weighs, the experience rules, the
threshold for a pool gap, and the hard constraints no weight can override."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from tandem.core.permissions import has_permission, permission_required

from ..criteria import CONSTRAINTS, PREFERENCES
from ..forms.policy import LEVEL_FIELDS, WEIGHT_FIELDS, PolicyForm
from ..models import MatchingPolicy
from ..scoring import SCALE
from ..services import matching_policy_update

TEMPLATES = "matching/policy"


def _policy() -> MatchingPolicy:
    related = ("priority_min_level", "urgent_min_level", "high_risk_min_level", "updated_by")
    try:
        return MatchingPolicy.objects.select_related(*related).get(pk=1)
    except MatchingPolicy.DoesNotExist:
        return MatchingPolicy.load()


def _weight_rows(policy: MatchingPolicy) -> list[dict]:
    weights = [getattr(policy, p.weight_field) for p in PREFERENCES]
    total = sum(weights)
    return [
        {
            "criterion": preference.code,
            "label": preference.label,
            "weight": weight,
            "points": round(weight * SCALE / total) if total else 0,
            "help": preference.rewards,
        }
        for preference, weight in zip(PREFERENCES, weights, strict=True)
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
            "constraints": [constraint.rule for constraint in CONSTRAINTS],
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
        changed = matching_policy_update(
            actor=request.user, policy=current, data=form.cleaned_data, request=request
        )
        if not changed:
            messages.info(request, "Nothing was changed in the matching policy.")
            return redirect("matching:policy")
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
