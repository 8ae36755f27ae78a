from __future__ import annotations

import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .mfa import has_confirmed_device
from .services import session_expire
from .session_keys import SESSION_SEEN_KEY, SESSION_STARTED_KEY


class SessionPolicyMiddleware:
    """End a session after a period of inactivity, and in any case after an absolute limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault(SESSION_STARTED_KEY, now)
            seen = session.get(SESSION_SEEN_KEY, now)
            idle = now - seen > settings.TANDEM_SESSION_IDLE_TIMEOUT
            expired = now - started > settings.TANDEM_SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                session_expire(
                    actor=request.user, request=request, reason="idle" if idle else "absolute"
                )
                return redirect("accounts:timed_out")
            session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """A password alone reaches only the sign-in steps: everything else needs a verified
    second factor. Runs after LoginRequiredMiddleware, so anonymous users never get here
    for protected views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if getattr(view_func, "mfa_not_required", False):
            return None
        if getattr(view_func, "login_required", True) is False:
            return None
        target = "accounts:mfa_verify" if has_confirmed_device(user) else "accounts:mfa_enrol"
        return redirect(f"{reverse(target)}")
