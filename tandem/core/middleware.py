from __future__ import annotations

import logging
import re
import uuid

from django.utils.cache import add_never_cache_headers, patch_cache_control

from .request_context import request_id_var

logger = logging.getLogger(__name__)

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give each request an id (or keep a well-formed one from the proxy) for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-Id", "")
        request.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-Id"] = request.request_id
        return response


class NoStoreMiddleware:
    """Pages for a signed-in user must never be kept by a browser or proxy cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/accounts/"):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


# Browser features Tandem never uses, turned off for every page and every frame, so that
# an injected script or a framed page cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "battery",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "speaker-selection",
        "usb",
        "web-share",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    """Send the ``Permissions-Policy`` header that turns off the features above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class MethodNotAllowedPageMiddleware:
    """A styled page for a method a URL does not take (a GET on a POST-only URL, say).

    Django's ``require_http_methods`` answers 405 with an empty body; this gives that
    answer the service's page, keeping the status and the ``Allow`` header. Placed after
    the authentication middleware so the page shows the user's header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not response.streaming:
            from .views import method_not_allowed_page

            page = method_not_allowed_page(request)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response


class ErasedSubjectMiddleware:
    """A page that reads a person whose data key was destroyed (erased under the
    retention schedule or at their request) answers a plain "erased" page, 410 Gone,
    instead of a server error: one place for every page of every app, so that no page
    needs its own check to stay up once its person is erased."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .encryption import SubjectKeyDestroyed

        if not isinstance(exception, SubjectKeyDestroyed):
            return None
        from .views import erased_page

        logger.info("A page read an erased subject: answered 410")
        return erased_page(request)
