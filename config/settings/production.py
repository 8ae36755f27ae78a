"""Production: every secret comes from the environment; HTTPS only."""

from .base import *  # noqa: F403
from .base import LOGGING, env

SECRET_KEY = env.env_str("DJANGO_SECRET_KEY", required=True)
DEBUG = False

# Each gunicorn worker keeps its database connection between requests instead of opening
# one per request: a new PostgreSQL connection forks a backend that warms its catalogue
# caches afresh, which under load cost the database as much CPU as the pages' own
# queries (docs/operations.md, "Load test"). The health check replaces a connection
# that died (a restarted database) before the request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.DB_CONN_MAX_AGE  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env.EMAIL_URL_HOST or "localhost",
            "port": env.EMAIL_PORT,
            "username": env.EMAIL_USER or "",
            "password": env.EMAIL_PASSWORD or "",
            "use_tls": True,
        },
    }
}
if env.EMAIL_FILE_PATH:
    # A staging or trial server keeps its emails as files instead of sending them.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": env.EMAIL_FILE_PATH},
        }
    }

SECURE_SSL_REDIRECT = True
# A load balancer probes the app servers over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The __Host- prefix pins cookies to this exact host, HTTPS and path "/".
SESSION_COOKIE_NAME = "__Host-tandem_session"
CSRF_COOKIE_NAME = "__Host-tandem_csrf"

# Missing encryption keys are errors (system checks tandem.keys.E001/E003), not warnings:
# `manage.py check`, `migrate` and `runserver` refuse to run without them.
TANDEM_KEYS_REQUIRED = True

# Logs as JSON lines with the request id, every request included (docs/operations.md).
LOGGING = {
    **LOGGING,
    "handlers": {"console": {**LOGGING["handlers"]["console"], "formatter": "json"}},
    "loggers": {**LOGGING["loggers"], "tandem.requests": {"level": "INFO"}},
}
