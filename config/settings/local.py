"""A developer's machine: SQLite by default, console email, demo keys."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.DEBUG

# Static files straight from the build output, no collectstatic needed on a dev machine.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECRET_KEY = env.SECRET_KEY or "local-development-only-not-secret"

# Local keys live in var/ (git-ignored) and are created by `manage.py init_local_keys`.
TANDEM_KEK_FILE = env.KEK_FILE or str(BASE_DIR / "var" / "keys.json")

TANDEM_ALLOW_DEMO_DATA = True
