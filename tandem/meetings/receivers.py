"""Meetings follows matching through matching's own signals (matching never imports
meetings)."""

from .services.contact import contact_summary_refresh
from .services.sessions import session_first_from_match

# What the contact summary is derived from: a save that changes none of these (notes,
# check-in times, claims' links) leaves it as it was.
_SUMMARY_INPUTS = frozenset({"status", "starts_at", "match"})


def first_session_from_match(sender, *, match, actor, request=None, **kwargs):
    """The match's first meeting becomes its first planned session, in the same
    transaction as the start."""
    session_first_from_match(actor=actor, match=match, request=request)


def session_saved(sender, *, instance, update_fields=None, raw=False, **kwargs):
    """Keep the match's contact summary in step with its sessions, in the same
    transaction as the change."""
    if raw or (update_fields is not None and not _SUMMARY_INPUTS & set(update_fields)):
        return
    contact_summary_refresh([instance.match_id])


def session_deleted(sender, *, instance, **kwargs):
    contact_summary_refresh([instance.match_id])
