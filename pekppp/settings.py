"""Settings for the PEKPPP portal, read from the environment.

With nothing set the portal runs on SQLite with a Celery transport that needs no server
(the `make run` default). `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis.
Every variable is listed in `.env.example`.
"""

import os
from base64 import b64encode
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from hashlib import sha256
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# Development mode (make run, make test): a fixed key and plain static files. Never production.
DEV = DEBUG or env_bool("PEKPPP_DEV")
# A production start without SECRET_KEY must fail; development and tests get a fixed key.
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEV:
        SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Django's form templates, for FORM_RENDERER below.
    "django.forms",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "pekppp",
    "pekppp.accounts",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "units",
    "notifications",
    "evaluations",
    "scoring",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Anonymous public pages from the "public" cache, before CSRF, authentication, the second
    # factor and django-axes are walked: it needs only the language (scoring/middleware.py).
    "scoring.middleware.public_page_cache",
    # Control characters in a path or query string: 400 before any view runs, in the person's
    # language (pekppp/request_checks.py).
    "pekppp.request_checks.ControlCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Accounts (pekppp/accounts/middleware.py): after authentication and messages, and before
    # the second factor is asked for, so an expired session signs out first.
    "pekppp.accounts.middleware.session_lifetime",
    # The verified device from the session, then the second factor where it is required
    # (units/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "units.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pekppp.accounts.middleware.signed_in_no_store",
    "pekppp.accounts.middleware.denied_requests_log",
    # Turns a lock-out flagged during log-in into the lock-out page; django-axes wants it last.
    "axes.middleware.AxesMiddleware",
]

# Forms render with the portal's templates, so templates/django/forms/field.html is the one
# markup of a field ({{ field.as_field_group }}).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "pekppp.urls"
WSGI_APPLICATION = "pekppp.wsgi.application"
ASGI_APPLICATION = "pekppp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "pekppp.context_processors.frame",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the `make run` worker write to the same file: wait for the lock
    # instead of failing, and take the write lock at the start of a transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ""  # in-memory test database
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "units.User"
# django-axes first: a locked-out attempt is refused before the password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sessions are read from the cache and written through to the database: a page or autosave
# request does not spend a query on the session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Auth -----------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Log-in throttling (django-axes) ---------------------------------------------------------
# Failed log-ins are counted per user name AND client address: a guesser is locked out from
# their own address, while the same account still signs in from the office next door.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
# Attempts made while locked out write nothing, so the cool-off runs from the lock-out and a
# flood of refused attempts costs no database writes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Successful log-ins are in the security log; django-axes' own table of them is not needed.
AXES_DISABLE_ACCESS_LOG = True
# A lock-out ends by itself after the cool-off; `manage.py axes_reset_username NAME` ends it
# sooner. No admin pages for django-axes' tables.
AXES_ENABLE_ADMIN = False
AXES_LOCKOUT_CALLABLE = "pekppp.accounts.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "pekppp.accounts.audit.request_ip"
# Reverse proxies in front of the portal that append the client address to X-Forwarded-For.
# 0: the peer address is the client (the header is ignored, since anyone can send it).
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

# --- Password reset -------------------------------------------------------------------------
# Reset requests per email address, and per client address, in a window; more are answered
# alike but send nothing.
PASSWORD_RESET_LIMIT = int(env("PASSWORD_RESET_LIMIT", "3"))
PASSWORD_RESET_LIMIT_PER_IP = int(env("PASSWORD_RESET_LIMIT_PER_IP", "10"))
PASSWORD_RESET_WINDOW_MINUTES = int(env("PASSWORD_RESET_WINDOW_MINUTES", "60"))
# A reset link is valid for this long (Django's setting, in seconds).
PASSWORD_RESET_TIMEOUT = int(env("PASSWORD_RESET_TIMEOUT_MINUTES", "60")) * 60

# --- Public F-03 survey (/s/<token>/) --------------------------------------------------------
# Answers sent per hour from one client address and through one survey link; more are refused
# with 429 and nothing is stored. People at a counter often share the unit's Wi-Fi, so one
# address stands for many respondents.
SURVEY_RATE_PER_ADDRESS = int(env("SURVEY_RATE_PER_ADDRESS", "60"))
SURVEY_RATE_PER_TOKEN = int(env("SURVEY_RATE_PER_TOKEN", "600"))

# --- Public result pages (/hasil/) ----------------------------------------------------------
# How long browsers may reuse the index of published cycles, and a cycle's overview, ranking
# and unit pages, without asking (seconds); a shared cache such as deploy/nginx.conf's asks
# the portal again after PUBLIC_SHARED_MAX_AGE (s-maxage). Every answer carries an ETag, so
# asking again costs a 304. A correction shows at once on the portal, within these times in
# caches (scoring/README.md, "Caching of the public pages").
PUBLIC_INDEX_MAX_AGE = int(env("PUBLIC_INDEX_MAX_AGE", "60"))
PUBLIC_PAGE_MAX_AGE = int(env("PUBLIC_PAGE_MAX_AGE", "300"))
PUBLIC_SHARED_MAX_AGE = int(env("PUBLIC_SHARED_MAX_AGE", "10"))
# The portal's own copy of the anonymous public pages (the "public" cache below), keyed by the
# current publications, the language and the query: kept this many seconds; 0 turns it off.
PUBLIC_CACHE_SECONDS = int(env("PUBLIC_CACHE_SECONDS", "600"))
# Part of every public page's cache key and ETag: set it to the release (an image tag) so a new
# release does not answer with pages its predecessor rendered.
PUBLIC_CACHE_VERSION = env("PUBLIC_CACHE_VERSION")

# --- Priority coaching (prioritas pembinaan) -------------------------------------------------
# After publication a unit is proposed for coaching when its grade is this one or lower, or
# when it ranks in this share of the bottom of its ranking group (0.10 = the bottom 10 %,
# rounded down, ties at the cut included). The proposal page offers both as its defaults.
PRIORITY_MAX_GRADE = env("PRIORITY_MAX_GRADE", "C-").strip()
try:
    PRIORITY_BOTTOM_SHARE = Decimal(env("PRIORITY_BOTTOM_SHARE", "0.10"))
except InvalidOperation:
    PRIORITY_BOTTOM_SHARE = None
if PRIORITY_BOTTOM_SHARE is None or not 0 <= PRIORITY_BOTTOM_SHARE <= Decimal("0.5"):
    raise ImproperlyConfigured("PRIORITY_BOTTOM_SHARE must be a number from 0 to 0.5, e.g. 0.10.")

# --- Session lifetimes ----------------------------------------------------------------------
# Signed out after this long without a request, and this long after signing in, whatever
# happens (pekppp/accounts/middleware.py). The cookie lives no longer than the session.
SESSION_IDLE_SECONDS = int(env("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_MAX_SECONDS = int(env("SESSION_MAX_HOURS", "12")) * 3600
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
CSRF_FAILURE_VIEW = "pekppp.accounts.views.csrf_failure"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
# The portal's catalogues first (makemessages writes there), then Bahasa Indonesia for the
# django-import-export admin pages, which the library does not ship, and for the Django REST
# framework and django-filter messages their own catalogues leave in English (API errors answer
# in the request's language). These take precedence over the libraries' catalogues.
LOCALE_PATHS = [
    BASE_DIR / "locale",
    BASE_DIR / "locale" / "import_export",
    BASE_DIR / "locale" / "rest_framework",
    BASE_DIR / "locale" / "django_filters",
]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Evidence files and visit photos: outside any URL, served by permission-checked views.
PRIVATE_MEDIA_ROOT = MEDIA_ROOT / "private"
# Upload limits for bukti dukung (megabytes): per file, and per assessment in total.
EVIDENCE_MAX_FILE_MB = int(env("EVIDENCE_MAX_FILE_MB", "10"))
EVIDENCE_MAX_ASSESSMENT_MB = int(env("EVIDENCE_MAX_ASSESSMENT_MB", "200"))
# Uploaded evidence is private: it is served only through permission-checked views.
MEDIA_URL = "/media-private/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEV
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Private file storage (evidence, visit photos, documents, certificates) ----------------
# STORAGES["private"]: a folder on this machine by default (make run, tests); an S3-compatible
# bucket when AWS_STORAGE_BUCKET_NAME is set, so several web and worker machines share files.
# The bucket stays private: the portal streams each file through its permission-checked view
# and never hands out the bucket's address. Credentials come from AWS_ACCESS_KEY_ID /
# AWS_SECRET_ACCESS_KEY or the machine's role (boto3's usual chain), never from this file.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, a local S3
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "location": env("AWS_LOCATION"),  # key prefix inside the bucket
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for MinIO
            "default_acl": None,  # objects inherit the bucket's (private) policy
            "querystring_auth": True,  # any URL the storage makes is signed and short-lived
            "querystring_expire": int(env("AWS_QUERYSTRING_EXPIRE", "60")),
            "file_overwrite": False,  # generated names never replace another file
            # A streamed download is buffered in memory up to this size, then on local disk.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
else:
    STORAGES["private"] = {
        "BACKEND": "evaluations.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }

# --- Virus scan of uploads (optional) -------------------------------------------------------
# With CLAMD_SOCKET (a Unix socket) or CLAMD_HOST/CLAMD_PORT set, every evidence file and visit
# photo is scanned by ClamAV's daemon before it is stored; infected files are refused, and so
# is every upload while clamd cannot be reached. Empty: uploads are not scanned.
CLAMD_SOCKET = env("CLAMD_SOCKET")
CLAMD_HOST = env("CLAMD_HOST")
CLAMD_PORT = int(env("CLAMD_PORT", "3310"))
CLAMD_TIMEOUT = float(env("CLAMD_TIMEOUT", "30"))
# In development whitenoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEV
WHITENOISE_AUTOREFRESH = DEV
if DEV:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Background jobs ------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A message not acknowledged within this time (seconds) is delivered again. Jobs finish in
    # minutes and a dead worker's jobs are recovered by their heartbeat (DOCUMENT_STALE_SECONDS),
    # so this only has to outlast the longest job and retry countdown.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600"))
    }
else:
    # No server needed: messages are files in var/celery (PEKPPP_QUEUE_DIR), shared by
    # `make run`'s web process and its worker.
    _queue_dir = Path(env("PEKPPP_QUEUE_DIR") or BASE_DIR / "var" / "celery")
    CELERY_BROKER_URL = "filesystem://"
    # kombu's own file transport can hand a worker a message file before it is written.
    CELERY_BROKER_TRANSPORT = "pekppp.lib.file_broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
    for _sub in ("queue", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
# Job state and progress live in our own tables, so no result backend is needed.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
# The queue this process sends to and a worker consumes (separate portals may share a Redis).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
# A document job whose heartbeat is older than this (seconds) has lost its worker: a worker
# start and the periodic check below send it again.
DOCUMENT_STALE_SECONDS = int(env("DOCUMENT_STALE_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    "documents-requeue-stale": {
        "task": "reports.documents_requeue_stale",
        "schedule": float(DOCUMENT_STALE_SECONDS),
    },
    # Reminders of work due in 3 and 1 days, daily at 06:00 in CELERY_TIMEZONE (Asia/Jakarta),
    # before office hours. Running it twice (two beats, a retry) sends nothing twice.
    "reminders-send": {
        "task": "evaluations.reminders_send",
        "schedule": crontab(hour=6, minute=0),
    },
}

# Redis in production; without it a file cache under var/ that the `make run` web process and
# its worker share (job progress and worker check-ins pass through it).
CACHES = {
    "default": (
        # The test run keeps its cache in its own process: a shared cache lets concurrent runs
        # evict each other's sessions and skew query counts.
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if env("PEKPPP_CACHE") == "locmem"
        else {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    )
}

# The public pages' copies (scoring/middleware.py). By default in the cache above under their
# own prefix; PUBLIC_CACHE_URL puts them in a Redis of their own, which can have a memory cap
# and evict (maxmemory, allkeys-lru) without touching the Celery queue and the sessions.
PUBLIC_CACHE_URL = env("PUBLIC_CACHE_URL")
CACHES["public"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": PUBLIC_CACHE_URL}
    if PUBLIC_CACHE_URL
    else {**CACHES["default"], "KEY_PREFIX": "public"}
)

# --- Mail -----------------------------------------------------------------------------------
# Django 6.1 mailers. The console backend by default; set EMAIL_BACKEND to the SMTP backend
# (django.core.mail.backends.smtp.EmailBackend) and EMAIL_HOST… in production.
_email_backend = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": (
            {
                "host": env("EMAIL_HOST", "localhost"),
                "port": int(env("EMAIL_PORT", "25")),
                "username": env("EMAIL_HOST_USER"),
                "password": env("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS"),
            }
            if _email_backend.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PEKPPP <noreply@pekppp.local>")

# --- Security (production) ------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEV)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# HSTS, CSP and the proxy header: see "Headers" at the end of this file.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# API v1 (pekppp/api.py): a system sends its token ("Authorization: Token …", issued in the
# admin, by `manage.py drf_create_token` or on the person's own token page); the browser its
# session. Anonymous callers reach only the published open data.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "pekppp.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "pekppp.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "pekppp.api.AnonThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_RATE_ANON", "120/min"),
        "user": env("API_RATE_USER", "1200/min"),
    },
    "EXCEPTION_HANDLER": "pekppp.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "pekppp.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "API Portal PEKPPP",
    "DESCRIPTION": (
        "API v1 of the PEKPPP portal: master data, evaluation cycles, assessments (F-01, F-02, "
        "final levels), stored results, follow-up, the simulator and the published open data. "
        "Send a token: `Authorization: Token <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`: name each choice set after its own enum.
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "evaluations.models.AssessmentStatus",
        "FollowUpStatusEnum": "evaluations.models.FollowUpStatus",
    },
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

# --- Two-factor log-in (django-otp) ---------------------------------------------------------
# Authenticator-app codes (TOTP) with one-use recovery codes. Whoever has a device is asked for
# a code after the password; ministry admins, coordinators, evaluators and Django admin users
# must enrol first when OTP_REQUIRED is on (the default outside development: `make run`
# offers the second factor without forcing it). units/middleware.py enforces it for every
# page but log-in, log-out, the two-factor pages and the public ones.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
OTP_REQUIRED = env_bool("OTP_REQUIRED", not DEV)
OTP_TOTP_ISSUER = "PEKPPP"
# Admins may remove a person's lost device, but never read its secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # The security log: one JSON object per line, times in UTC (pekppp/accounts/audit.py).
        "security": {"()": "pekppp.lib.jsonlog.UtcJsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "security": {"class": "logging.StreamHandler", "formatter": "security"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step and fontTools every subset at INFO: keep warnings only.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pekppp.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # django-axes narrates each step at INFO; its warnings repeat the security log.
        "axes": {"level": "ERROR"},
    },
}

# --- Headers: HSTS, Content Security Policy, the reverse proxy -----------------------------
# HSTS is on outside development (a year); browsers only heed it over HTTPS.
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEV else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
# The load balancer's probe may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
# The header the reverse proxy (deploy/nginx.conf) sets to "https" for a TLS request. Empty when
# Django is reached without a proxy that overwrites it: a client could otherwise claim HTTPS.
_proxy_ssl_header = env("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)


def _csp_hashes(*snippets: str) -> list[str]:
    return [f"'sha256-{b64encode(sha256(s.encode()).digest()).decode()}'" for s in snippets]


# Every page: scripts and styles only from our static files, inline scripts only with the
# request's nonce ({{ csp_nonce }}), nothing framing the portal. Private files set their own
# narrower policy (evaluations/views/files.py), which the middleware leaves in place.
# django-import-export's export page has one inline handler and two style attributes: these
# exact texts are allowed ('unsafe-hashes' admits attributes by hash), nothing else inline.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [
        CSP.SELF,
        CSP.NONCE,
        CSP.UNSAFE_HASHES,
        *_csp_hashes("onSelectToggleChange(event)"),
    ],
    "style-src": [CSP.SELF, CSP.UNSAFE_HASHES, *_csp_hashes("padding: 0;", "font-weight: bold;")],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
