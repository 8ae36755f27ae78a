"""What safeguarding tells the apps above it (supervision asks for a debrief after a
serious concern) without knowing them."""

from django.dispatch import Signal

# Sent inside the raising transaction with ``concern``, ``actor`` and ``request``.
concern_raised = Signal()
