from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .session_keys import REAUTH_SESSION_KEY


def reauthentication_required(view):
    """Sensitive operations ask for the password and a fresh code again if the last
    confirmation is older than TANDEM_REAUTH_MAX_AGE."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        confirmed_at = request.session.get(REAUTH_SESSION_KEY, 0)
        if time.time() - confirmed_at > settings.TANDEM_REAUTH_MAX_AGE:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:reauthenticate')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped
