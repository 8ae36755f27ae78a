"""What information sharing hears from the apps below it."""

from __future__ import annotations

from .services import escalation_logged


def escalation_saved(sender, instance, created, raw=False, **kwargs):
    """Every new safeguarding escalation about a person is a disclosure outside the
    scheme: it is logged in the same transaction as the escalation."""
    if created and not raw:
        escalation_logged(instance)
