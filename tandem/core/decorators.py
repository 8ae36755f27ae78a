"""View markers that the request pipeline reads."""

from __future__ import annotations


def mfa_not_required(view):
    """Let a user who has given a password but no second factor yet reach this view.

    Only a marker: the middleware that enforces the second factor reads it, so that views
    in any layer (the public pages here included) can be marked without importing it."""
    view.mfa_not_required = True
    return view
