"""The test suite: fast hashing, in-memory cache, fixed keys."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, INSTALLED_APPS

SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Background work runs at once, in the test's process; one test runs a real worker.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

# Two fixed test key-encryption keys (32 zero-ish bytes, base64): never used outside tests.
TANDEM_KEK_FILE = None
TANDEM_KEKS = (
    "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,2:HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4="
)
TANDEM_KEK_CURRENT = "1"
TANDEM_BLIND_INDEX_KEY = "dGVzdC1ibGluZC1pbmRleC1rZXktbm90LXNlY3JldCE="
STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]

TANDEM_ALLOW_DEMO_DATA = True

# Models that exist only to test tandem.core.encryption.
INSTALLED_APPS = [*INSTALLED_APPS, "tandem.core.tests.encryption_app"]

# On SQLite the test database is a file, not memory, so the encryption canary test reads
# what really reaches the disk (database, -wal and -shm files). One file per test run.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"tandem-test-{os.getpid()}.sqlite3"),
    }

# On PostgreSQL, Django's backend with a flush that deletes rather than truncates
# (config/testdb/base.py says why): the browser tests end with a flush each.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.testdb"
