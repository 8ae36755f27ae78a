"""Safeguarding's own lists on the catalogue pages: the categories of concern and the
agencies concerns are escalated to. Registered from ``SafeguardingConfig.ready()``."""

from __future__ import annotations

from tandem.catalogues import registry

from .models import Agency, ConcernCategory

CATEGORIES = registry.Catalogue(
    "concern-categories",
    ConcernCategory,
    "Categories of safeguarding concern",
    "category of concern",
    "What a safeguarding concern is about: risk of serious harm to others, risk to self, "
    "child protection, exploitation, risk to the mentor and others. A serious category "
    "calls for a debrief with the mentor.",
)
AGENCIES = registry.Catalogue(
    "escalation-agencies",
    Agency,
    "Agencies concerns are escalated to",
    "agency",
    "Where the safeguarding lead can escalate a concern: the police or the statutory "
    "prevention route, social care, health, probation, emergency services.",
)


def register() -> None:
    registry.register(CATEGORIES)
    registry.register(AGENCIES)
