"""The one place that reads the process environment.

Every setting that differs between a developer's machine and production comes
from here; the settings modules import these values and never touch
``os.environ`` themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


class ImproperlyConfiguredEnv(RuntimeError):
    pass


def _get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = _get(name, default)
    if required and value is None:
        raise ImproperlyConfiguredEnv(f"The environment variable {name} must be set.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = _get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfiguredEnv(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = _get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (_get(name, default) or "").split(",") if item.strip()]


DEFAULT_SQLITE_URL = f"sqlite:///{BASE_DIR / 'var' / 'tandem.sqlite3'}"

DATABASE_URL = env_str("DATABASE_URL", DEFAULT_SQLITE_URL)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
DEBUG = env_bool("DJANGO_DEBUG", False)

# Key-encryption keys: "version:base64key" pairs, comma separated, newest
# current version named by TANDEM_KEK_CURRENT. A key file may be used instead.
KEK_KEYS = env_str("TANDEM_KEKS")
KEK_FILE = env_str("TANDEM_KEK_FILE")
KEK_CURRENT = env_str("TANDEM_KEK_CURRENT")
BLIND_INDEX_KEY = env_str("TANDEM_BLIND_INDEX_KEY")

SESSION_IDLE_TIMEOUT_MINUTES = env_int("TANDEM_SESSION_IDLE_MINUTES", 30)
SESSION_WARNING_MINUTES = env_int("TANDEM_SESSION_WARNING_MINUTES", 2)
SESSION_ABSOLUTE_TIMEOUT_HOURS = env_int("TANDEM_SESSION_ABSOLUTE_HOURS", 12)
REAUTH_MAX_AGE_MINUTES = env_int("TANDEM_REAUTH_MINUTES", 10)
LOGIN_MAX_FAILURES = env_int("TANDEM_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("TANDEM_LOGIN_LOCKOUT_MINUTES", 15)

EMAIL_URL_HOST = env_str("TANDEM_EMAIL_HOST")
EMAIL_PORT = env_int("TANDEM_EMAIL_PORT", 587)
EMAIL_USER = env_str("TANDEM_EMAIL_USER")
EMAIL_PASSWORD = env_str("TANDEM_EMAIL_PASSWORD")
EMAIL_FILE_PATH = env_str("TANDEM_EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env_str("TANDEM_FROM_EMAIL", "tandem@localhost")
CACHE_URL = env_str("TANDEM_REDIS_URL")
SCHEME_NAME = env_str("TANDEM_SCHEME_NAME", "West Midlands 1-2-1 Mentoring")

# The production server (config/gunicorn.conf.py) and operations endpoints.
WEB_BIND = env_str("TANDEM_BIND", "127.0.0.1:8000")
WEB_WORKERS = env_int("TANDEM_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1)
WEB_THREADS = env_int("TANDEM_WEB_THREADS", 1)
# Seconds a web worker keeps its database connection between requests (production only).
DB_CONN_MAX_AGE = env_int("TANDEM_DB_CONN_MAX_AGE", 300)
# host:port of the Prometheus metrics (a separate listener in the app server); off if unset.
METRICS_BIND = env_str("TANDEM_METRICS_BIND")
