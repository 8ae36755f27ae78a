from django.conf import settings

from .navigation import navigation_for


def shell(request):
    user = getattr(request, "user", None)
    return {
        "service_name": "Tandem",
        "scheme_name": settings.TANDEM_SCHEME_NAME,
        "navigation": navigation_for(request) if user is not None else [],
    }
