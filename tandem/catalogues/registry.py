"""The catalogues coordinators and administrators maintain, as the pages name them.

Each is known in URLs by its slug; the fields an entry has beyond the ones every
catalogue shares (name, position, retired or not) are read from its model, so a
field added to a catalogue shows on its pages without a second list to keep in step.

The shared lists are registered here; an app above keeps its own lists (a meeting's
place types, a session's topics) on the same pages by calling ``register`` from its
``AppConfig.ready()``, with its entry form through ``tandem.catalogues.forms``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from .models import Area, CatalogueEntry, ConcernType, Faith, Language, ReferralSource, Specialism

# Fields every catalogue has, which the pages handle themselves.
SHARED_FIELDS = frozenset({"id", "name", "position", "is_active", "version", "code"})


@dataclass(frozen=True)
class Catalogue:
    slug: str
    model: type[CatalogueEntry]
    title: str  # "Concern types"
    noun: str  # "concern type"
    purpose: str

    @property
    def a_noun(self) -> str:
        """The noun with its article: "an area", "a language"."""
        return f"{'an' if self.noun[0] in 'aeiou' else 'a'} {self.noun}"

    @property
    def has_code(self) -> bool:
        """Whether entries have a code: set when the entry is added and never changed,
        because code elsewhere may look the entry up by it."""
        return any(field.name == "code" for field in self.model._meta.concrete_fields)

    @property
    def detail_fields(self) -> list[str]:
        """The catalogue's own fields, editable on an entry's page."""
        return [
            field.name
            for field in self.model._meta.get_fields()
            if (field.concrete or field.many_to_many)
            and not field.auto_created
            and field.name not in SHARED_FIELDS
        ]

    @property
    def many_to_many(self) -> list[str]:
        return [
            name
            for name in self.detail_fields
            if isinstance(self.model._meta.get_field(name), models.ManyToManyField)
        ]


CATALOGUES: dict[str, Catalogue] = {
    catalogue.slug: catalogue
    for catalogue in (
        Catalogue(
            "areas",
            Area,
            "Areas",
            "area",
            "Where people live and where mentors can work. Each area's point on the map "
            "lets matching work out travel distances.",
        ),
        Catalogue(
            "languages",
            Language,
            "Languages",
            "language",
            "Languages mentors speak and the people referred can be mentored in.",
        ),
        Catalogue(
            "faiths",
            Faith,
            "Faiths",
            "faith",
            "Faiths a mentor may choose to share, so that a person who asks for a mentor "
            "of their own faith can be matched.",
        ),
        Catalogue(
            "specialisms",
            Specialism,
            "Specialisms",
            "specialism",
            "What mentors bring beyond mentoring itself, such as theology, youth work or "
            "mental health. Some need a recorded qualification.",
        ),
        Catalogue(
            "concern-types",
            ConcernType,
            "Concern types",
            "concern type",
            "The kind of concern behind a referral. Each lists the specialisms that fit "
            "it, which matching prefers.",
        ),
        Catalogue(
            "referral-sources",
            ReferralSource,
            "Referral sources",
            "referral source",
            "The kinds of agency that refer people to the scheme.",
        ),
    )
}


def register(catalogue: Catalogue) -> None:
    """Maintain ``catalogue`` on the catalogue pages (an app's own list of entries)."""
    existing = CATALOGUES.get(catalogue.slug)
    if existing is not None and existing != catalogue:
        raise ValueError(f"Another catalogue is registered as {catalogue.slug!r}.")
    CATALOGUES[catalogue.slug] = catalogue
