from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.core.permissions import permission_required

from . import selectors, services
from .filters import AuditEventFilter

PAGE_SIZE = 50


@require_GET
@permission_required("audit_log", "view")
def event_list(request):
    filters = AuditEventFilter(request.GET, queryset=selectors.event_list(actor=request.user))
    page = None
    if filters.is_valid():
        page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        # Looking at the log is itself recorded, before anything is shown.
        services.record_audit_search(
            actor=request.user, filters=filters.form.cleaned_data, request=request
        )
    return render(request, "audit/event_list.html", {"form": filters.form, "page": page})
