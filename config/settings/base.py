"""Settings shared by every environment. Values that vary come from config.env."""

from __future__ import annotations

import dj_database_url
from django.utils.csp import CSP

from config import env

BASE_DIR = env.BASE_DIR

SECRET_KEY = env.SECRET_KEY
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS

TANDEM_APPS = [
    "tandem.core",
    "tandem.accounts",
    "tandem.audit",
    "tandem.catalogues",
    "tandem.mentors",
    "tandem.cases",
    "tandem.assessments",
    "tandem.matching",
    "tandem.meetings",
    "tandem.rehabilitation",
    "tandem.safeguarding",
    "tandem.supervision",
    "tandem.outcomes",
    "tandem.privacy",
    "tandem.reports",
    "tandem.site",
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    *TANDEM_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tandem.core.middleware.PermissionsPolicyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tandem.core.middleware.RequestIdMiddleware",
    "tandem.core.observability.RequestMetricsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tandem.accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "tandem.accounts.middleware.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tandem.core.middleware.MethodNotAllowedPageMiddleware",
    "tandem.core.middleware.ErasedSubjectMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tandem.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "tandem.core.forms.GovUKFormRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tandem" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.core.context_processors.shell",
                "tandem.site.context_processors.navigation",
            ],
        },
    },
]


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed during a write; IMMEDIATE takes the write
        # lock when the transaction starts, so concurrent writers queue
        # instead of failing half-way with "database is locked". secure_delete zeroes
        # deleted and overwritten content, so an erased person's destroyed key is not
        # left in free pages (tandem.core.encryption.datakeys.purge_freed_storage).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA secure_delete=ON;"
            ),
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: Tandem's pages run short queries with many subqueries
        # (matchability, contact monitoring), whose estimated cost at national scale
        # crosses PostgreSQL's JIT threshold; compiling them took 20 s for a query that
        # runs in 0.2 s (bench/scale.py). JIT pays only for long analytical scans.
        options = config.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options"), "-c jit=off"]))
    return config


DATABASES = {"default": _database(env.DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tandem.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

TANDEM_SESSION_IDLE_TIMEOUT = env.SESSION_IDLE_TIMEOUT_MINUTES * 60
# How long before the idle sign-out the timeout-warning dialog opens.
TANDEM_SESSION_WARNING = env.SESSION_WARNING_MINUTES * 60
TANDEM_SESSION_ABSOLUTE_TIMEOUT = env.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
TANDEM_REAUTH_MAX_AGE = env.REAUTH_MAX_AGE_MINUTES * 60
TANDEM_LOGIN_MAX_FAILURES = env.LOGIN_MAX_FAILURES
TANDEM_LOGIN_LOCKOUT = env.LOGIN_LOCKOUT_MINUTES * 60
TANDEM_SCHEME_NAME = env.SCHEME_NAME
# A proposal a mentor has not answered after this many days is chased: it shows on the
# coordinators' home page and the "unanswered" filter of the match list.
TANDEM_PROPOSAL_ANSWER_DAYS = 3
# Matching keeps the active mentor pool's arrays between requests and rebuilds them when a
# table they are made of changes (tandem/matching/poolcache.py); a kept pool older than
# this is rebuilt anyway, should the shared cache have missed a change.
TANDEM_POOL_CACHE_SECONDS = 600
# Who may consent to mentoring (tandem.cases.consent_rule): from this age a person with
# capacity consents for themself; from the second age a child judged competent by a named
# professional has their own agreement recorded alongside a parent's or guardian's consent.
TANDEM_CONSENT_SELF_AGE = 16
TANDEM_CONSENT_COMPETENCE_AGE = 13

OTP_TOTP_ISSUER = "Tandem"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Key management (see docs/security.md).
TANDEM_KEKS = env.KEK_KEYS
TANDEM_KEK_FILE = env.KEK_FILE
TANDEM_KEK_CURRENT = env.KEK_CURRENT
TANDEM_BLIND_INDEX_KEY = env.BLIND_INDEX_KEY

if env.CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.CACHE_URL,
        }
    }
else:
    # Shared between processes so login throttling holds across workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tandem_cache",
        }
    }

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "tandem.core.storage.StaticStorage"},
}

# Background work (tandem.core.background): queued in the database, run by a worker
# process, `manage.py db_worker` (`make worker`); see docs/operations.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tandem.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "tandem.core.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per request (tandem.core.observability); production logs them all.
        "tandem.requests": {"level": "WARNING"},
    },
}

# Only local and test settings turn this on; production never creates demo accounts.
TANDEM_ALLOW_DEMO_DATA = False
