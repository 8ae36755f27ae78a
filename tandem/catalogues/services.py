"""Changing the catalogues: adding, editing, reordering, retiring, reinstating and
deleting entries.

Every write is a keyword-only function taking the ``actor``; each locks what it
changes, checks the rules again whatever the form said, and records its audit event
(field names only) in the same transaction. An entry that any record uses is retired,
never deleted; nobody may retire or delete the last entry a catalogue offers, because
the forms that choose from it would then have nothing to offer.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import F

from tandem.audit.services import record_event

from .models import CatalogueEntry
from .registry import Catalogue
from .selectors import entry_uses

CODE_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
MAX_CODE_LENGTH = 50
MAX_NAME_LENGTH = 150


class CatalogueRefused(Exception):
    """A change the catalogue rules refuse. The message is safe to show; ``field``
    names the answer it is about, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class CatalogueConflict(CatalogueRefused):
    """The entry changed after the page that posted the change was shown."""


def _record(*, actor, action: str, entry: CatalogueEntry, request, changed=()) -> None:
    record_event(
        actor=actor,
        action=f"catalogue_entry.{action}",
        obj=entry,
        changed_fields=changed,
        request=request,
    )


def _locked(entry: CatalogueEntry) -> CatalogueEntry:
    try:
        return type(entry).objects.select_for_update().get(pk=entry.pk)
    except type(entry).DoesNotExist:
        raise CatalogueRefused(
            f"Someone else has just deleted this {entry._meta.verbose_name}."
        ) from None


def _check_name(catalogue: Catalogue, name: str, *, entry: CatalogueEntry | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise CatalogueRefused(f"Enter the name of the {catalogue.noun}", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise CatalogueRefused(
            f"The name must be {MAX_NAME_LENGTH} characters or fewer", field="name"
        )
    same = catalogue.model.objects.filter(name__iexact=name)
    if entry is not None:
        same = same.exclude(pk=entry.pk)
    existing = same.first()
    if existing is not None:
        where = "" if existing.is_active else ", retired: reinstate it instead"
        raise CatalogueRefused(
            f"There is already {catalogue.a_noun} called {existing.name}{where}", field="name"
        )
    return name


def _check_code(catalogue: Catalogue, code: str) -> str:
    if not code:
        raise CatalogueRefused(f"Enter a code for the {catalogue.noun}", field="code")
    if len(code) > MAX_CODE_LENGTH or not CODE_RE.match(code):
        raise CatalogueRefused(
            f"The code must be {MAX_CODE_LENGTH} characters or fewer: lower-case letters, "
            "numbers and hyphens, like youth-work",
            field="code",
        )
    if catalogue.model.objects.filter(code=code).exists():
        raise CatalogueRefused(
            f"There is already {catalogue.a_noun} with the code {code}", field="code"
        )
    return code


def _check_point(details: dict) -> None:
    """An area's point: both coordinates or neither, each within its range."""
    if "latitude" not in details and "longitude" not in details:
        return
    latitude, longitude = details.get("latitude"), details.get("longitude")
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        raise CatalogueRefused(f"Enter the {missing} too, or leave both empty", field=missing)
    if latitude is not None and not Decimal(-90) <= latitude <= Decimal(90):
        raise CatalogueRefused("Enter a latitude from -90 to 90", field="latitude")
    if longitude is not None and not Decimal(-180) <= longitude <= Decimal(180):
        raise CatalogueRefused("Enter a longitude from -180 to 180", field="longitude")


def _save(entry: CatalogueEntry, catalogue: Catalogue, **kwargs) -> None:
    """Save, turning a clash with an entry someone added meanwhile into a refusal."""
    try:
        with transaction.atomic():
            entry.save(**kwargs)
    except IntegrityError:
        raise CatalogueRefused(
            f"Someone else has just added {catalogue.a_noun} with this name or code. "
            "Check the list and try again."
        ) from None


def _split(catalogue: Catalogue, details: dict) -> tuple[dict, dict]:
    """The catalogue's own fields in ``details``: plain ones, and many-to-many ones."""
    unknown = set(details) - set(catalogue.detail_fields)
    if unknown:
        raise ValueError(f"Not fields of {catalogue.a_noun}: {sorted(unknown)}")
    related = {name: details[name] for name in catalogue.many_to_many if name in details}
    plain = {name: value for name, value in details.items() if name not in related}
    return plain, related


@transaction.atomic
def entry_create(
    *, actor, catalogue: Catalogue, name: str, code: str = "", details: dict, request=None
) -> CatalogueEntry:
    """Add an entry. A list nobody has reordered reads alphabetically and the new entry
    takes its place in it; in a list put in order by hand, it goes at the end."""
    name = _check_name(catalogue, name)
    plain, related = _split(catalogue, details)
    _check_point(plain)
    if catalogue.has_code:
        plain["code"] = _check_code(catalogue, code)
    positions = set(catalogue.model.objects.values_list("position", flat=True))
    position = max(positions, default=0) + (1 if len(positions) > 1 else 0)
    entry = catalogue.model(name=name, position=position, **plain)
    _save(entry, catalogue, force_insert=True)
    for field, values in related.items():
        getattr(entry, field).set(values)
    _record(actor=actor, action="create", entry=entry, request=request)
    return entry


@transaction.atomic
def entry_update(
    *,
    actor,
    catalogue: Catalogue,
    entry: CatalogueEntry,
    name: str,
    details: dict,
    expected_version: int,
    request=None,
) -> CatalogueEntry:
    """Change an entry's name and details. The code, where there is one, never changes."""
    entry = _locked(entry)
    if entry.version != expected_version:
        raise CatalogueConflict(
            f"Someone else changed this {catalogue.noun} while you were working on it. It "
            f"is now called {entry.name}. Check your answers, then save again."
        )
    name = _check_name(catalogue, name, entry=entry)
    plain, related = _split(catalogue, details)
    _check_point(plain)

    wanted = {"name": name, **plain}
    changed = [field for field, value in wanted.items() if getattr(entry, field) != value]
    for field in changed:
        setattr(entry, field, wanted[field])
    for field, values in related.items():
        chosen = {value.pk for value in values}
        if chosen != set(getattr(entry, field).values_list("pk", flat=True)):
            getattr(entry, field).set(chosen)
            changed.append(field)
    if not changed:
        return entry
    entry.version = F("version") + 1
    _save(entry, catalogue, update_fields=[f for f in changed if f not in related] + ["version"])
    entry.refresh_from_db(fields=["version"])
    _record(actor=actor, action="change", entry=entry, request=request, changed=changed)
    return entry


@transaction.atomic
def entry_move(
    *,
    actor,
    catalogue: Catalogue,
    entry: CatalogueEntry,
    direction: Literal["up", "down"],
    request=None,
) -> CatalogueEntry:
    """Swap the entry with its neighbour in the list. Positions are numbered afresh from
    the order shown, so entries that shared a position (an alphabetical list) keep the
    order people saw."""
    entries = list(catalogue.model.objects.select_for_update().order_by("position", "name", "pk"))
    index = next((i for i, e in enumerate(entries) if e.pk == entry.pk), None)
    if index is None:
        raise CatalogueRefused(f"Someone else has just deleted this {catalogue.noun}.")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(entries):
        where = "first" if direction == "up" else "last"
        raise CatalogueRefused(f"{entries[index].name} is already {where} in the list.")
    entries[index], entries[other] = entries[other], entries[index]
    moved = []
    for position, each in enumerate(entries):
        if each.position != position:
            each.position = position
            moved.append(each)
    catalogue.model.objects.bulk_update(moved, ["position"])
    entry = entries[other]
    _record(actor=actor, action="move", entry=entry, request=request, changed=["position"])
    return entry


def _keep_one_offered(catalogue: Catalogue, entry: CatalogueEntry, doing: str) -> None:
    if entry.is_active and not catalogue.model.objects.offered().exclude(pk=entry.pk).exists():
        raise CatalogueRefused(
            f"{entry.name} is the only {catalogue.noun} offered, so it cannot be {doing}: "
            f"forms need at least one to choose from. Add another {catalogue.noun} first."
        )


@transaction.atomic
def entry_retire(
    *, actor, catalogue: Catalogue, entry: CatalogueEntry, request=None
) -> CatalogueEntry:
    """Stop offering the entry on forms; records that hold it keep it and still show it."""
    entry = _locked(entry)
    if not entry.is_active:
        raise CatalogueRefused(f"{entry.name} is already retired.")
    _keep_one_offered(catalogue, entry, "retired")
    entry.is_active = False
    entry.save(update_fields=["is_active"])
    _record(actor=actor, action="retire", entry=entry, request=request, changed=["is_active"])
    return entry


@transaction.atomic
def entry_reinstate(
    *, actor, catalogue: Catalogue, entry: CatalogueEntry, request=None
) -> CatalogueEntry:
    """Offer a retired entry on forms again."""
    entry = _locked(entry)
    if entry.is_active:
        raise CatalogueRefused(f"{entry.name} is already offered.")
    entry.is_active = True
    entry.save(update_fields=["is_active"])
    _record(actor=actor, action="reinstate", entry=entry, request=request, changed=["is_active"])
    return entry


@transaction.atomic
def entry_delete(*, actor, catalogue: Catalogue, entry: CatalogueEntry, request=None) -> None:
    """Delete an entry that no record has ever used (one added by mistake, say).

    The lock on the entry keeps anyone from pointing a record at it between the check
    and the delete (a new reference has to lock the row it points at)."""
    entry = _locked(entry)
    if entry_uses(entry):
        raise CatalogueRefused(
            f"{entry.name} is used by records, so it cannot be deleted. Retire it instead: "
            "it will no longer be offered, and the records that hold it keep it."
        )
    _keep_one_offered(catalogue, entry, "deleted")
    object_type, object_id = entry._meta.label_lower, entry.pk
    entry.delete()
    record_event(
        actor=actor,
        action="catalogue_entry.delete",
        object_type=object_type,
        object_id=object_id,
        request=request,
    )
