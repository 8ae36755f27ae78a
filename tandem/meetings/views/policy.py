"""The scheme's meetings policy: when contact is overdue, when a missed lone-working
check-out alerts and escalates, and whether missed sessions can be claimed."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from tandem.core.permissions import permission_required

from ..forms.policy import MeetingsPolicyForm
from ..models import MeetingsPolicy
from ..services.policy import meetings_policy_update


@permission_required("meetings_policy", "change")
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    current = MeetingsPolicy.current()
    form = MeetingsPolicyForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        changed = meetings_policy_update(
            actor=request.user, data=form.cleaned_data, request=request
        )
        if changed:
            messages.success(request, "The meetings policy is saved.")
        else:
            messages.info(request, "Nothing was changed in the meetings policy.")
        return redirect("meetings:policy")
    return render(request, "meetings/policy.html", {"form": form, "policy": current})


urlpatterns = [path("policy/", policy_edit, name="policy")]
