"""Signals other capabilities listen to, so that the case lifecycle does not import them."""

from django.dispatch import Signal

# Sent by ``case_transition`` inside its transaction after a case changed status, with
# ``case``, ``action``, ``from_status``, ``to_status`` and ``actor``.
case_status_changed = Signal()
