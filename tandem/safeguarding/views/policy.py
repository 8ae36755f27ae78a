"""The safeguarding policy: deadlines by urgency, alert timing and the deputy lead."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from tandem.core.permissions import permission_required

from .. import services
from ..forms import PolicyForm
from ..models import SafeguardingPolicy


@permission_required("safeguarding_policy", "change")
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    current = SafeguardingPolicy.current()
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.safeguarding_policy_update(
                actor=request.user, data=form.cleaned_data, request=request
            )
        except services.ConcernRefused as refusal:
            form.add_error("deputy", str(refusal))
        else:
            if changed:
                messages.success(request, "The safeguarding policy is saved.")
            else:
                messages.info(request, "Nothing was changed in the safeguarding policy.")
            return redirect("safeguarding:policy")
    return render(request, "safeguarding/policy.html", {"form": form})


urlpatterns = [path("policy/", policy_edit, name="policy")]
