import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from .decorators import mfa_not_required
from .refusals import report_refusal

logger = logging.getLogger(__name__)


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


# Error pages say what happened and nothing about why: no paths, ids, names or
# exception text. They are rendered defensively, because an error page that
# fails turns one problem into two: if the normal render (with the context
# processors, which read the user and the database) fails, the page is rendered
# again with a bare context, and if even that fails, as fixed HTML.

_FALLBACK_500 = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Sorry, there is a problem with the service &ndash; Tandem</title>
</head>
<body>
<main>
<h1>Sorry, there is a problem with the service</h1>
<p>Try again later.</p>
<p>If you were saving something, it may not have been saved. Check before you enter it again.</p>
</main>
</body>
</html>
"""


def _bare_context(request) -> dict:
    """What base.html needs, taken from nothing that can fail: no user, no session,
    no database. The CSP nonce is the one the middleware will put in the header."""
    return {
        "csp_nonce": get_nonce(request) if request is not None else None,
        "scheme_name": settings.TANDEM_SCHEME_NAME,
        "service_name": "Tandem",
    }


def _render_bare(request, template_name: str) -> str:
    try:
        return loader.get_template(template_name).render(_bare_context(request))
    except Exception:
        logger.exception("The %s page could not be rendered; sent the fixed page", template_name)
        return _FALLBACK_500


def _error_page(request, template_name: str, status: int) -> HttpResponse:
    try:
        return render(request, template_name, status=status)
    except Exception:
        logger.exception("The %s page could not be rendered with the request context", status)
        return HttpResponse(_render_bare(request, template_name), status=status)


@login_not_required
@mfa_not_required
def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


@login_not_required
@mfa_not_required
def permission_denied(request, exception=None):
    report_refusal(request, status=403, exception=exception)
    return _error_page(request, "403.html", 403)


@login_not_required
@mfa_not_required
def page_not_found(request, exception=None):
    report_refusal(request, status=404, exception=exception)
    return _error_page(request, "404.html", 404)


def method_not_allowed_page(request) -> HttpResponse:
    """The 405 page (``MethodNotAllowedPageMiddleware`` puts it in place of Django's
    empty answer)."""
    return _error_page(request, "405.html", 405)


def erased_page(request) -> HttpResponse:
    """The 410 page for a page about a person whose data key was destroyed
    (``ErasedSubjectMiddleware`` puts it in place of the error)."""
    return _error_page(request, "410_erased.html", 410)


@login_not_required
@mfa_not_required
def server_error(request):
    """Django's handler500. Something has already gone wrong, possibly with the
    database or the session, so this never touches either: a bare context only."""
    return HttpResponseServerError(_render_bare(request, "500.html"))
