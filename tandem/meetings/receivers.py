"""Meetings follows matching through matching's own signals (matching never imports
meetings)."""

from .services.sessions import session_first_from_match


def first_session_from_match(sender, *, match, actor, request=None, **kwargs):
    """The match's first meeting becomes its first planned session, in the same
    transaction as the start."""
    session_first_from_match(actor=actor, match=match, request=request)
