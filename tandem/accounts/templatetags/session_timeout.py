"""The session-timeout warning dialog, for pages of a signed-in user: ``{% load
session_timeout %}{% session_timeout_warning %}`` in the base layout. The dialog is
inert markup that only the front end's timeout-warning module opens."""

from django import template
from django.conf import settings

from tandem.accounts.session_policy import absolute_seconds_left

register = template.Library()


@register.inclusion_tag("accounts/includes/timeout_warning.html", takes_context=True)
def session_timeout_warning(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = bool(
        user is not None and user.is_authenticated and getattr(user, "is_verified", lambda: False)()
    )
    return {
        "shown": shown,
        "idle_seconds": settings.TANDEM_SESSION_IDLE_TIMEOUT,
        "warning_seconds": min(
            settings.TANDEM_SESSION_WARNING, settings.TANDEM_SESSION_IDLE_TIMEOUT
        ),
        "absolute_seconds_left": absolute_seconds_left(request.session) if shown else 0,
        "absolute_hours": settings.TANDEM_SESSION_ABSOLUTE_TIMEOUT // 3600,
        "csrf_token": context.get("csrf_token"),
    }
