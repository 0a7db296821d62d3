"""Settings, read from environment variables (12-factor).

MATTRAN_DATABASE_URL   database URL; default: SQLite file in MATTRAN_DATA_DIR
MATTRAN_DATA_DIR       where the SQLite file and uploads live (default: ./var)
MATTRAN_SECRET_KEY     required in production; in development (MATTRAN_DEBUG=1) a random key
                       is made once per data directory (DATA_DIR/dev-secret-key)
MATTRAN_DEBUG          "1" for development; default off, so a forgotten variable fails
                       closed (production checks); `make demo` and the tests opt in
MATTRAN_ALLOWED_HOSTS  comma-separated
MATTRAN_REDIS_URL      Redis for cache and the production job worker (optional)

Production (MATTRAN_DEBUG=0) adds, all documented in docs/production.md:
MATTRAN_CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://mattran.example.vn
MATTRAN_PROXY_SSL_HEADER      "1" when a TLS-terminating proxy sets X-Forwarded-Proto
MATTRAN_SSL_REDIRECT          default on; MATTRAN_HSTS_SECONDS (default one year),
                              MATTRAN_HSTS_INCLUDE_SUBDOMAINS (on), MATTRAN_HSTS_PRELOAD (off)
MATTRAN_TASK_BACKEND          "db" (default), "rq" (needs MATTRAN_REDIS_URL) or a dotted path
MATTRAN_REPLICA_DATABASE_URL  a read replica; report reads go there (core/db_routers.py)
MATTRAN_SQLITE_TIMEOUT        seconds a SQLite writer waits for the lock (default 20)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("MATTRAN_DATA_DIR") or REPO_DIR / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file, uploads, job files live here


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def dev_secret_key(data_dir: Path) -> str:
    """A random key made once for this development data directory (never a shared
    constant: sessions signed on one developer's machine mean nothing elsewhere)."""
    path = data_dir / "dev-secret-key"
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if not key:
        import secrets

        key = secrets.token_urlsafe(50)
        path.write_text(key, encoding="ascii")
        path.chmod(0o600)
    return key


# Fails closed: production unless development is asked for explicitly.
DEBUG = env_bool("MATTRAN_DEBUG", False)
SECRET_KEY = os.environ.get("MATTRAN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "MATTRAN_SECRET_KEY must be set (or MATTRAN_DEBUG=1 for development)"
        )
    SECRET_KEY = dev_secret_key(DATA_DIR)

if not DEBUG and not env_list("MATTRAN_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("MATTRAN_ALLOWED_HOSTS must be set when MATTRAN_DEBUG is off")
ALLOWED_HOSTS = env_list("MATTRAN_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("MATTRAN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "mattran.core.admin_site.MattranAdminConfig",  # the admin, in Vietnamese throughout
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mattran.core",
    "mattran.units",
    "mattran.access",
    "mattran.activities",
    "mattran.funds",
    "mattran.ledgerlog",
    "mattran.figures",
    "mattran.reports",
    "mattran.reading",
    "mattran.emulation",
    "mattran.portal",
    "mattran.news",
    "mattran.demo",
    "mattran.api",
]

MIDDLEWARE = [
    # Off unless MATTRAN_PROFILE_FILE is set (load runs; core/profiling.py).
    "mattran.core.profiling.RequestProfileMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mattran.core.db_routers.ReadYourWritesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Vietnamese 404/403 pages when DEBUG is on too (the demo).
    "mattran.core.middleware.VietnameseErrorPagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mattran.access.middleware.TwoFactorMiddleware",
    "mattran.access.middleware.PasswordChangeRequiredMiddleware",
    # django-axes must come last.
    "axes.middleware.AxesMiddleware",
]

# One JSON line per request (time in SQL, CPU, locks) for load runs; empty = off.
MATTRAN_PROFILE_FILE = os.environ.get("MATTRAN_PROFILE_FILE", "")

ROOT_URLCONF = "mattran.urls"
WSGI_APPLICATION = "mattran.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mattran.access.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("MATTRAN_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'mattran.sqlite3'}",
        conn_max_age=int(os.environ.get("MATTRAN_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE avoids
    # "database is locked" upgrades in write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for the write lock before "database is locked".
        "timeout": int(os.environ.get("MATTRAN_SQLITE_TIMEOUT", "20")),
    }
    # Tests use a file like production, not a shared-cache memory database, whose
    # table locks fail at once instead of waiting (the concurrency tests need this).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_mattran.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# PBKDF2 on the NFC form of the password (access/hashers.py), then Django's own
# hashers so that hashes made by them still verify.
PASSWORD_HASHERS = [
    "mattran.access.hashers.NFCPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Django's rules with Vietnamese messages and Vietnamese common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "mattran.access.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "mattran.access.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("MATTRAN_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "mattran.access.passwords.CommonPasswordValidator"},
    {"NAME": "mattran.access.passwords.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
# dd/mm/yyyy and 24-hour times everywhere (core/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["mattran.core.formats"]
# Plain widgets rendered in Python, same HTML (core/form_renderer.py; issue 16).
FORM_RENDERER = "mattran.core.form_renderer.FastFormRenderer"
USE_I18N = True
# Vietnamese for third-party packages' marked strings (the admin's axes and task models).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG
# Front-end packages are installed from the npm registry into node_modules
# (see package.json); Django serves the files the pages use from there
# (core/staticfiles.py: VENDOR_FILES, under /static/vendor/).
STATICFILES_FINDERS = [
    "mattran.core.staticfiles.VendorFinder",
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"

# The Ed25519 key that signs the public ledger's tree heads (never in the database).
LEDGER_KEY_FILE = Path(
    os.environ.get("MATTRAN_LEDGER_KEY_FILE") or DATA_DIR / "ledger-signing-key.pem"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# One size limit per kind of upload (core/uploads.py KINDS), in bytes; each can be set
# with MATTRAN_UPLOAD_MAX_BYTES_<KIND> (e.g. MATTRAN_UPLOAD_MAX_BYTES_ATTACHMENT). The
# older names MATTRAN_MAX_UPLOAD_BYTES (statements), MATTRAN_MAX_DOCUMENT_BYTES and
# MATTRAN_MAX_IMAGE_BYTES are still read.
_UPLOAD_DEFAULTS = {
    "attachment": (10, ""),  # activity attachments
    "document": (10, "MATTRAN_MAX_DOCUMENT_BYTES"),  # signed documents, evidence
    "image": (5, "MATTRAN_MAX_IMAGE_BYTES"),  # news photos
    "statement": (50, "MATTRAN_MAX_UPLOAD_BYTES"),  # bank statements
    "spreadsheet": (5, ""),  # the bulk templates (activities, users, commendations)
    "unit_list": (20, ""),  # unit catalogue and lineage CSV
    "old_report": (20, ""),  # old reports to read
}
MATTRAN_UPLOAD_MAX_BYTES = {
    kind: int(
        os.environ.get(f"MATTRAN_UPLOAD_MAX_BYTES_{kind.upper()}")
        or (os.environ.get(legacy) if legacy else None)
        or mb * 1024 * 1024
    )
    for kind, (mb, legacy) in _UPLOAD_DEFAULTS.items()
}

# The one password of the demo accounts (`mattran load_demo`); demo data only.
MATTRAN_DEMO_PASSWORD = "MatTran@2023"  # noqa: S105

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:home"  # each role's work: due, returned, waiting
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("MATTRAN_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

REDIS_URL = os.environ.get("MATTRAN_REDIS_URL", "")
if REDIS_URL and env_bool("MATTRAN_USE_REDIS_CACHE", not DEBUG):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions read from the shared cache (one Redis round trip instead of a database
    # query on every request), written through to the database, which stays the
    # record: a flushed cache costs a query, never a session. Only with a cache
    # every process shares (a per-process cache would keep a signed-out session alive).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Live progress of background jobs must cross processes (web <-> db_worker):
# Redis when configured, else a file cache in the data directory.
CACHES["jobs"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "jobs"),
    }
)
# Computed figures, public lookups and exports are cached by the version of the data
# they read (core/versions.py): on when the default cache is shared between
# processes (Redis); MATTRAN_DATA_CACHE=0/1 forces it off/on.
MATTRAN_DATA_CACHE = (
    env_bool("MATTRAN_DATA_CACHE", False) if os.environ.get("MATTRAN_DATA_CACHE") else None
)
# Public pages are rate-limited per client IP with django-ratelimit on the default
# cache (Redis in production; the per-process memory cache in development).
RATELIMIT_USE_CACHE = "default"
# Per real client behind MATTRAN_TRUSTED_PROXIES (else every visitor is the proxy).
RATELIMIT_IP_META_KEY = "mattran.access.auth.rate_limit_ip"
MATTRAN_PUBLIC_RATE = os.environ.get("MATTRAN_PUBLIC_RATE", "60/m")
# the public ledger log's API (a verifier reads every leaf, 1,000 a request)
MATTRAN_LEDGER_LOG_RATE = os.environ.get("MATTRAN_LEDGER_LOG_RATE", "600/m")

# A running job refreshes a heartbeat in the "jobs" cache; one silent for this many
# seconds counts as interrupted (its worker died) and is re-queued (core/jobs.py).
MATTRAN_JOB_HEARTBEAT_SECONDS = float(os.environ.get("MATTRAN_JOB_HEARTBEAT_SECONDS", "30"))

# One queue API (django-tasks, the backport of Django 6's tasks) for imports,
# exports and report rendering; database-backed by default.
# MATTRAN_TASK_BACKEND=rq selects the Redis-backed worker for production
# (django-tasks-rq, by the author of django-tasks: the same task API on RQ).
TASK_BACKEND_ALIASES = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("MATTRAN_TASK_BACKEND") or "db"
TASKS = {
    "default": {
        "BACKEND": TASK_BACKEND_ALIASES.get(_task_backend, _task_backend),
    }
}
if TASKS["default"]["BACKEND"] == TASK_BACKEND_ALIASES["rq"]:
    if not REDIS_URL:
        raise ImproperlyConfigured("MATTRAN_TASK_BACKEND=rq needs MATTRAN_REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = env_list("MATTRAN_TASK_QUEUES", "default")
    RQ_QUEUES = {
        name: {
            "URL": REDIS_URL,
            "DEFAULT_TIMEOUT": int(os.environ.get("MATTRAN_TASK_TIMEOUT", "3600")),
        }
        for name in TASKS["default"]["QUEUES"]
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("MATTRAN_LOG_LEVEL", "WARNING").upper(),
    },
}

# --- Production hardening: only from the environment (docs/production.md). ---
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "mattran.core.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("MATTRAN_PROXY_SSL_HEADER", False):
    # Only behind a proxy that always sets (and never forwards a client's) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("MATTRAN_SSL_REDIRECT", True)
    # Load balancers probe the health endpoint over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^suc-khoe/$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("MATTRAN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MATTRAN_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("MATTRAN_HSTS_PRELOAD", False)
    # Hashed, pre-compressed static files served by WhiteNoise from STATIC_ROOT
    # (filled by `mattran collectstatic`); far-future cache headers are safe.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# A PostgreSQL read replica for report reads (see core/db_routers.py).
if os.environ.get("MATTRAN_REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["MATTRAN_REPLICA_DATABASE_URL"],
        conn_max_age=int(os.environ.get("MATTRAN_DB_CONN_MAX_AGE", "0")),
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# After a user's own write, their pages read the primary this long (read-your-writes).
MATTRAN_REPLICA_PIN_SECONDS = float(os.environ.get("MATTRAN_REPLICA_PIN_SECONDS", "10"))
DATABASE_ROUTERS = ["mattran.core.db_routers.ReplicaRouter"]

# --- Login throttling (django-axes), two-factor authentication, CSP. ---
AUTHENTICATION_BACKENDS = [
    "mattran.access.auth.WebLoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After MATTRAN_LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is locked out for MATTRAN_LOGIN_COOLOFF_MINUTES (a typing
# colleague behind the same office router is not locked out with it).
AXES_FAILURE_LIMIT = int(os.environ.get("MATTRAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MATTRAN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "mattran.access.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "mattran.access.auth.client_ip"
AXES_VERBOSE = False
# Number of reverse proxies in front of gunicorn that append to X-Forwarded-For.
MATTRAN_TRUSTED_PROXIES = int(os.environ.get("MATTRAN_TRUSTED_PROXIES", "0"))

# TOTP second factor for superusers, approvers and administrators.
MATTRAN_REQUIRE_2FA = env_bool("MATTRAN_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("MATTRAN_OTP_ISSUER", "MTTQ mattran")

# Content-Security-Policy (django-csp): scripts and styles only from this site;
# an inline <script> needs nonce="{{ request.csp_nonce }}". Inline style
# attributes (progress bar widths) stay allowed; <style> elements do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        # Bootstrap draws icons (select arrows, the menu button) as data: SVG.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("MATTRAN_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY
    CONTENT_SECURITY_POLICY = None

# --- The JSON API for other systems (mattran.api, docs/api.md). ---
# Hashed, expiring, revocable tokens (django-rest-knox), issued with
# `mattran api_token USERNAME`; no session or password login on the API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["knox.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mattran.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["mattran.api.throttling.TokenRateThrottle"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Calls per user through the API (all of the user's tokens together); "" = no limit.
MATTRAN_API_RATE = os.environ.get("MATTRAN_API_RATE", "600/minute")
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("MATTRAN_API_TOKEN_DAYS", "365"))),
    "AUTO_REFRESH": False,
    "TOKEN_PREFIX": "mt_",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "mattran API",
    "DESCRIPTION": "API JSON của hệ thống quản lý công tác Mặt trận (xem docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The project's path converters (core/converters.py): an id is an integer from 1
    # below 10**18, a year one of 1900..2199; without this the schema says "string".
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
        "year": {"type": "integer", "minimum": 1900, "maximum": 2199},
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
