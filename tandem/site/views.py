from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.core.notifications import unread_count

from .home import home_panels


@require_GET
def home(request):
    context = {"panels": home_panels(request.user, request), "unread": unread_count(request.user)}
    return render(request, "site/home.html", context)
