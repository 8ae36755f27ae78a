from django.conf import settings


def shell(request):
    return {"service_name": "Tandem", "scheme_name": settings.TANDEM_SCHEME_NAME}
