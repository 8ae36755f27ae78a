"""The mentor's calendar subscription: a page to create, replace or revoke the secret
feed URL, and the feed itself (public: a calendar app cannot sign in; the secret in the
URL is the key)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.throttle import client_ip
from tandem.core.decorators import mfa_not_required
from tandem.core.permissions import permission_required

from ..models import CalendarFeed
from ..selectors.monitoring import feed_sessions
from ..services import calendar as services

# Wrong secrets from one address before it is refused for a while (429).
FEED_MISSES_ALLOWED = 20
FEED_MISSES_WINDOW = 15 * 60


def _page(request, *, token: str = ""):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = (
        request.build_absolute_uri(reverse("meetings:calendar_feed", kwargs={"token": token}))
        if token
        else ""
    )
    return render(request, "meetings/calendar/manage.html", {"feed": feed, "feed_url": url})


@require_GET
@permission_required("calendar_feed", "view")
def calendar_manage(request):
    return _page(request)


@require_http_methods(["GET", "POST"])
@permission_required("calendar_feed", "change")
def calendar_create(request):
    if request.method == "GET":
        return redirect("meetings:calendar")
    _, token = services.calendar_feed_create(actor=request.user, request=request)
    # Shown on this response only: the secret is not kept anywhere it could be read back.
    return _page(request, token=token)


@require_http_methods(["GET", "POST"])
@permission_required("calendar_feed", "change")
def calendar_revoke(request):
    if request.method == "POST" and services.calendar_feed_revoke(
        actor=request.user, request=request
    ):
        messages.success(request, "Your calendar link is switched off. It no longer works.")
    return redirect("meetings:calendar")


def _misses_key(request) -> str:
    return f"tandem:calendar-feed-misses:{client_ip(request)}"


@login_not_required
@mfa_not_required
@require_GET
def calendar_feed(request, token: str):
    key = _misses_key(request)
    if cache.get(key, 0) >= FEED_MISSES_ALLOWED:
        response = HttpResponse("Too many requests.", status=429, content_type="text/plain")
        response["Retry-After"] = str(FEED_MISSES_WINDOW)
        return response
    feed = services.calendar_feed_for_token(token)
    if feed is None:
        cache.add(key, 0, timeout=FEED_MISSES_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=FEED_MISSES_WINDOW)
        raise Http404
    services.calendar_feed_read(feed=feed, request=request)
    body = services.render_calendar(feed_sessions(feed.user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = 'inline; filename="tandem-sessions.ics"'
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("calendar/", calendar_manage, name="calendar"),
    path("calendar/new/", calendar_create, name="calendar_create"),
    path("calendar/revoke/", calendar_revoke, name="calendar_revoke"),
    path("calendar/feed/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
