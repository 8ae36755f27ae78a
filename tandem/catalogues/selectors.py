"""Reading the catalogues: their entries in order, and what uses each entry.

An entry is "in use" when any record points at it, through any relation: a foreign
key (a case's concern type), a row that belongs to a record (a mentor's language), or
a many-to-many (a mentor's areas, a concern type's specialisms). The relations are read
from the models, so one added later is counted without a change here; many-to-many
ones matter most, because deleting the entry would silently take their rows with it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from .models import CatalogueEntry
from .permissions import catalogue_policy
from .registry import CATALOGUES, Catalogue


def _relations(model: type[CatalogueEntry]) -> dict[type[Model], list[str]]:
    """Each model whose records can point at an entry of ``model``, with the fields
    through which they do."""
    relations: dict[type[Model], list[str]] = defaultdict(list)
    for relation in model._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue  # not a relation pointing in
        if relation.related_model._meta.auto_created:
            continue  # a many-to-many's own table: counted through the many-to-many
        relations[relation.related_model].append(relation.field.name)
    return dict(relations)


def _pointing_at(fields: list[str], entry) -> Q:
    return reduce(or_, (Q(**{name: entry}) for name in fields))


class _CountDistinct(Func):
    # Counts the rows once each even when several of the relations match one record
    # (a case whose preferred language is also among its languages).
    function = "COUNT"
    template = "%(function)s(DISTINCT %(expressions)s)"
    output_field = IntegerField()


def with_uses(queryset: QuerySet) -> QuerySet:
    """Annotate each entry with ``uses``: how many records point at it."""
    counts = [
        Subquery(
            related._base_manager.filter(_pointing_at(fields, OuterRef("pk")))
            .order_by()
            .annotate(n=_CountDistinct(F("pk")))
            .values("n")
        )
        for related, fields in _relations(queryset.model).items()
    ]
    return queryset.annotate(uses=reduce(lambda a, b: a + b, counts, Value(0)))


@dataclass(frozen=True)
class Use:
    """How many records of one kind use an entry."""

    what: str  # the kind, singular or plural to suit the count: "case", "mentors"
    count: int


def entry_uses(entry: CatalogueEntry) -> list[Use]:
    """What uses ``entry``, by kind of record (kinds with none left out)."""
    uses = []
    for related, fields in _relations(type(entry)).items():
        count = related._base_manager.filter(_pointing_at(fields, entry.pk)).distinct().count()
        if count:
            meta = related._meta
            uses.append(
                Use(str(meta.verbose_name if count == 1 else meta.verbose_name_plural), count)
            )
    return uses


def catalogue_entries(*, actor, catalogue: Catalogue) -> QuerySet:
    """The catalogue's entries in order, retired ones included, each with ``uses``."""
    return with_uses(catalogue_policy(catalogue).queryset(actor, "view")).order_by(
        "position", "name"
    )


@dataclass(frozen=True)
class CatalogueSummary:
    catalogue: Catalogue
    offered: int
    retired: int


def catalogue_summaries(*, actor) -> list[CatalogueSummary]:
    """Every catalogue with how many entries it offers and how many are retired."""
    summaries = []
    for catalogue in CATALOGUES.values():
        counts = (
            catalogue_policy(catalogue)
            .queryset(actor, "view")
            .aggregate(
                offered=Count("pk", filter=Q(is_active=True)),
                retired=Count("pk", filter=Q(is_active=False)),
            )
        )
        summaries.append(CatalogueSummary(catalogue, **counts))
    return summaries
