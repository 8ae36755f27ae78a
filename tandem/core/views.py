from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.accounts.decorators import mfa_not_required

from .home import home_panels


@require_GET
def home(request):
    return render(request, "core/home.html", {"panels": home_panels(request.user)})


@login_not_required
@mfa_not_required
@require_GET
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
@mfa_not_required
@require_GET
def accessibility(request):
    return render(request, "core/accessibility.html")


@login_not_required
@mfa_not_required
@require_GET
def privacy(request):
    return render(request, "core/privacy.html")


# Error pages say what happened and nothing about why: no paths, ids or names.


@login_not_required
@mfa_not_required
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


@login_not_required
@mfa_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
@mfa_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
@mfa_not_required
def server_error(request):
    return render(request, "500.html", status=500)
