"""The configurable lists that several apps share: areas, languages, faiths,
specialisms, concern types and referral sources.

Every list is data a scheme maintains (defaults come from a data migration). An entry
that records point at is never deleted: it is retired, so old records still read it
and new forms no longer offer it.
"""

from __future__ import annotations

from django.db import models


class CatalogueQuerySet(models.QuerySet):
    def offered(self):
        """Entries a form may offer today (retired ones stay readable on old records)."""
        return self.filter(is_active=True)


class CatalogueEntry(models.Model):
    name = models.CharField(max_length=150, unique=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lists show entries by position, then by name."
    )
    is_active = models.BooleanField(
        default=True, help_text="A retired entry is no longer offered on forms."
    )
    # Optimistic concurrency: every change of the entry's details bumps it, and the edit
    # form carries the version it showed, so two people editing at once cannot silently
    # overwrite each other.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Area(CatalogueEntry):
    # A representative point (WGS84), for distances between areas in matching.
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    class Meta(CatalogueEntry.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="catalogues_area_point_valid",
            )
        ]


class Language(CatalogueEntry):
    class Meta(CatalogueEntry.Meta):
        pass


class Faith(CatalogueEntry):
    """Faiths a mentor may choose to share so that a person who asks for a mentor of
    their own faith can be matched; stored as a catalogue entry so matching compares
    without reading anyone's encrypted description."""

    class Meta(CatalogueEntry.Meta):
        pass


class Specialism(CatalogueEntry):
    code = models.SlugField(max_length=50, unique=True)
    requires_qualification = models.BooleanField(
        default=False, help_text="A mentor claiming it must record their qualification."
    )
    is_theology = models.BooleanField(default=False)

    class Meta(CatalogueEntry.Meta):
        pass


class ConcernType(CatalogueEntry):
    code = models.SlugField(max_length=50, unique=True)
    specialisms = models.ManyToManyField(
        Specialism,
        blank=True,
        related_name="+",
        help_text="Mentor specialisms that fit this concern; matching prefers them.",
    )

    class Meta(CatalogueEntry.Meta):
        pass


class ReferralSource(CatalogueEntry):
    """Where referrals come from (police, a school, probation…)."""

    code = models.SlugField(max_length=50, unique=True)

    class Meta(CatalogueEntry.Meta):
        pass
