"""The catalogue pages: every catalogue, each one's entries in order with what uses
them, and adding, changing, reordering, retiring, reinstating and deleting entries.
Everything works without JavaScript: reordering is a pair of buttons per entry."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.core.permissions import has_permission, permission_required

from . import services
from .forms import MoveForm, entry_form
from .permissions import catalogue_policy
from .registry import CATALOGUES, Catalogue
from .selectors import catalogue_entries, catalogue_summaries, entry_uses
from .services import CatalogueConflict, CatalogueRefused

TEMPLATES = "catalogues"


def _catalogue(slug: str) -> Catalogue:
    try:
        return CATALOGUES[slug]
    except KeyError:
        raise Http404 from None


def _entry(request, catalogue: Catalogue, pk: int, action: str):
    return catalogue_policy(catalogue).get_object_or_404(request.user, action, pk=pk)


@require_GET
@permission_required("catalogue", "view")
def index(request):
    return render(
        request,
        f"{TEMPLATES}/index.html",
        {"summaries": catalogue_summaries(actor=request.user)},
    )


@require_GET
@permission_required("catalogue", "view")
def entry_list(request, kind: str):
    catalogue = _catalogue(kind)
    return render(
        request,
        f"{TEMPLATES}/entry_list.html",
        {
            "catalogue": catalogue,
            "entries": catalogue_entries(actor=request.user, catalogue=catalogue),
            "can_change": has_permission(request.user, "catalogue", "change"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("catalogue", "change")
def entry_add(request, kind: str):
    catalogue = _catalogue(kind)
    form = entry_form(catalogue, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(
                actor=request.user, catalogue=catalogue, request=request, **form.entry_data()
            )
        except CatalogueRefused as refusal:
            form.add_error(refusal.field, str(refusal))
        else:
            messages.success(request, f"{entry.name} has been added.")
            return redirect("catalogues:entry_list", kind=catalogue.slug)
    return render(request, f"{TEMPLATES}/entry_form.html", {"catalogue": catalogue, "form": form})


@require_http_methods(["GET", "POST"])
@permission_required("catalogue", "change")
def entry_edit(request, kind: str, pk: int):
    catalogue = _catalogue(kind)
    entry = _entry(request, catalogue, pk, "change")
    form = entry_form(catalogue, request.POST if request.method == "POST" else None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(
                actor=request.user,
                catalogue=catalogue,
                entry=entry,
                expected_version=form.cleaned_data["version"],
                request=request,
                **form.entry_data(),
            )
        except CatalogueConflict as conflict:
            # Keep what was typed, now against the entry as it stands: saving again
            # is a deliberate choice made knowing what changed.
            entry.refresh_from_db()
            data = request.POST.copy()
            data["version"] = entry.version
            form = entry_form(catalogue, data, entry=entry)
            form.is_valid()
            form.add_error(None, str(conflict))
        except CatalogueRefused as refusal:
            form.add_error(refusal.field, str(refusal))
        else:
            messages.success(request, f"{form.cleaned_data['name']} has been saved.")
            return redirect("catalogues:entry_list", kind=catalogue.slug)
    return render(
        request,
        f"{TEMPLATES}/entry_form.html",
        {"catalogue": catalogue, "form": form, "entry": entry, "uses": entry_uses(entry)},
    )


def _act(request, catalogue: Catalogue, service, done: str, **kwargs):
    """Run a one-button change and say how it went on the page it leads back to."""
    try:
        entry = service(actor=request.user, catalogue=catalogue, request=request, **kwargs)
    except CatalogueRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done.format(name=entry.name))


@permission_required("catalogue", "change")
@require_POST
def entry_move(request, kind: str, pk: int):
    catalogue = _catalogue(kind)
    entry = _entry(request, catalogue, pk, "change")
    form = MoveForm(request.POST)
    if form.is_valid():
        direction = form.cleaned_data["direction"]
        _act(
            request,
            catalogue,
            services.entry_move,
            f"{{name}} has moved {direction}.",
            entry=entry,
            direction=direction,
        )
    # Back to the entry's row, so that moving it several places is a run of clicks.
    list_url = reverse("catalogues:entry_list", kwargs={"kind": catalogue.slug})
    return redirect(f"{list_url}#entry-{entry.pk}")


@permission_required("catalogue", "change")
@require_POST
def entry_retire(request, kind: str, pk: int):
    catalogue = _catalogue(kind)
    entry = _entry(request, catalogue, pk, "change")
    _act(
        request,
        catalogue,
        services.entry_retire,
        "{name} has been retired: forms no longer offer it, and records that hold it keep it.",
        entry=entry,
    )
    return redirect("catalogues:entry_edit", kind=catalogue.slug, pk=entry.pk)


@permission_required("catalogue", "change")
@require_POST
def entry_reinstate(request, kind: str, pk: int):
    catalogue = _catalogue(kind)
    entry = _entry(request, catalogue, pk, "change")
    _act(
        request,
        catalogue,
        services.entry_reinstate,
        "{name} is offered on forms again.",
        entry=entry,
    )
    return redirect("catalogues:entry_edit", kind=catalogue.slug, pk=entry.pk)


@require_http_methods(["GET", "POST"])
@permission_required("catalogue", "change")
def entry_delete(request, kind: str, pk: int):
    catalogue = _catalogue(kind)
    entry = _entry(request, catalogue, pk, "change")
    if request.method == "POST":
        try:
            services.entry_delete(
                actor=request.user, catalogue=catalogue, entry=entry, request=request
            )
        except CatalogueRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("catalogues:entry_edit", kind=catalogue.slug, pk=entry.pk)
        messages.success(request, f"{entry.name} has been deleted.")
        return redirect("catalogues:entry_list", kind=catalogue.slug)
    return render(
        request,
        f"{TEMPLATES}/entry_delete.html",
        {"catalogue": catalogue, "entry": entry, "uses": entry_uses(entry)},
    )
