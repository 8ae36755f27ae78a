"""Signals matching sends, so that capabilities built on top of matching can follow a
match's life without matching importing them."""

from django.dispatch import Signal

# Sent by the start service inside its transaction once the match is active, with
# ``match`` (its first meeting's date and mode set), ``actor`` and ``request``.
match_started = Signal()
