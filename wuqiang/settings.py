"""Settings for the 五强组织 portal, read from the environment.

Production by default: DEBUG is off unless a developer sets DEBUG=true, and the hardening that
``manage.py check --deploy`` looks for is on. With no service variables set the portal runs
embedded (a SQLite file, Celery tasks eagerly in the web process, an in-memory cache); setting
DATABASE_URL, CELERY_BROKER_URL and CACHE_URL switches to PostgreSQL and Redis. The loopback
demo (``scripts/demo``) serves plain HTTP with PLAIN_HTTP=true. The test suite runs these
settings with the few overrides in ``wuqiang/settings_test.py``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# Only the loopback demo speaks plain HTTP; everywhere else the portal sits behind TLS and
# insists on it (SSL redirect, HSTS, cookies marked Secure).
PLAIN_HTTP = env.bool("PLAIN_HTTP", default=False)
_TLS = not DEBUG and not PLAIN_HTTP

# The key comes from SECRET_KEY, else from an ignored file that scripts/demo and scripts/test
# generate on first run; the fallback key only ever serves a developer's DEBUG run.
SECRET_KEY_FILE = Path(env.str("SECRET_KEY_FILE", default=str(BASE_DIR / ".secret_key")))
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-demo-only-" + "wuqiang" * 4
if not SECRET_KEY:
    raise ImproperlyConfigured(
        f"SECRET_KEY must be set when DEBUG is off. Set the SECRET_KEY variable or write a key into "
        f"{SECRET_KEY_FILE} (scripts/demo and scripts/test generate one)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with the portal's site: second factor where required, changes audited.
    "wuqiang.security.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # axes before wuqiang.audit: its signal receivers mark a locked-out request first.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "wuqiang.core",
    "wuqiang.regions",
    "wuqiang.accounts",
    "wuqiang.entries",
    "wuqiang.scoring",
    "wuqiang.audit",
    "wuqiang.security",
    "wuqiang.reports",
    "wuqiang.api",
    "wuqiang.imports",
    "wuqiang.tickets",
    "organizations",
    "talent",
    "economy",
    "governance",
    "support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wuqiang.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records refused access (403/404 to signed-in users) and lends the request to audit.record().
    "wuqiang.audit.middleware.AuditMiddleware",
    # Ends idle or too old sessions before anything else looks at the user.
    "wuqiang.security.middleware.SessionTimeoutMiddleware",
    # Deny by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A signed-in user still owing a second factor or a new password goes nowhere else.
    "wuqiang.security.middleware.SecurityGateMiddleware",
    "wuqiang.security.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a lockout into the portal's "try again at" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wuqiang.urls"
WSGI_APPLICATION = "wuqiang.wsgi.application"

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
                "wuqiang.core.context_processors.portal",
                "wuqiang.security.context_processors.security",
            ],
        },
    },
]
# Widgets written in Python with Django's markup: a sheet has hundreds of them.
FORM_RENDERER = "wuqiang.core.renderers.FastWidgetRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's page views read while a roll-up writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20,
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "wuqiang.accounts.backends.ScopedUserBackend",
]

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://wuqiang")}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Passwords, lockout, second factor, sessions (OWASP ASVS level 2) -----------------------
PASSWORD_HISTORY = env.int("PASSWORD_HISTORY", default=5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "wuqiang.security.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": PASSWORD_HISTORY}},
]
# Accounts made by seed_demo or given a password by an admin choose their own at first sign-in.
FORCE_PASSWORD_CHANGE = env.bool("FORCE_PASSWORD_CHANGE", default=True)

# django-axes: per account and, with a higher limit for offices behind one NAT, per address.
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
AXES_HANDLER = "wuqiang.security.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_ACCOUNT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "wuqiang.security.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "wuqiang.core.http.client_ip"
# A success must not wipe the failures counted against the address (or another account).
AXES_RESET_ON_SUCCESS = False
# Tries during a lockout do not push its end further out: the page's "try again at" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Sign-ins are in the audit log; axes keeps only the attempts that count towards a lockout.
AXES_DISABLE_ACCESS_LOG = True

# TOTP (django-otp) for superusers and municipal staff; anyone may turn it on for themselves.
REQUIRE_MFA = env.bool("REQUIRE_MFA", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="五强组织")

SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_WARNING_MINUTES = env.int("SESSION_WARNING_MINUTES", default=2)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=8)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

# --- Audit log ----------------------------------------------------------------------------
# The Cybersecurity Law asks for at least six months of network logs; keep a year by default.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

# --- Request size ----------------------------------------------------------------------------
# A sheet posts every record row: up to MAX_RECORDS_PER_LIST (1,000) rows of at most 9 fields in a
# list, a few lists per sheet. Django's default of 1,000 fields refused a sheet of ~140 meetings
# with a bare 400, so the field count is raised deliberately; the body size keeps Django's
# 2.5 MB default (1,000 meetings post about 150 KB), which is what actually bounds a request.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

# --- Language and time -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (all vendored; nothing loads from a CDN) ----------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Files the portal writes (Excel exports) ------------------------------------------------
# Private: nothing serves MEDIA_ROOT; an export is downloaded only through the view that checks
# it belongs to the user who asked for it.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Finished exports (and their rows) are deleted this long after they were requested.
REPORT_RETENTION_HOURS = env.int("REPORT_RETENTION_HOURS", default=24)
# A report covering more villages than this (and every city report) is built by a Celery
# worker with progress shown; smaller ones are built in the request and downloaded at once.
REPORT_DIRECT_MAX_VILLAGES = env.int("REPORT_DIRECT_MAX_VILLAGES", default=500)

# --- Security -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_TLS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_TLS)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_TLS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _TLS
SECURE_HSTS_PRELOAD = _TLS
# Behind exactly one reverse proxy (docs/operations.md): trust its X-Forwarded-Proto, and take
# the client's address from the last X-Forwarded-For entry, the one the proxy itself added.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The largest file an Excel import or a ticket attachment may be (wuqiang/core/files.py).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Excel import (wuqiang/imports): the most data rows one upload may hold, and the sizes above
# which checking (file bytes) and applying (rows) run in a Celery worker with progress shown.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_INLINE_MAX_BYTES = env.int("IMPORT_INLINE_MAX_BYTES", default=512 * 1024)
IMPORT_INLINE_MAX_ROWS = env.int("IMPORT_INLINE_MAX_ROWS", default=2_000)
# Uploaded files, and the values read from them, are deleted this long after the upload; the
# list of uploads and their outcome stay.
IMPORT_RETENTION_DAYS = env.int("IMPORT_RETENTION_DAYS", default=30)
# What-if scheme previews (their counts and changed villages) are kept this long, then deleted.
PREVIEW_RETENTION_DAYS = env.int("PREVIEW_RETENTION_DAYS", default=7)

# Scripts only from this origin; ECharts styles its own DOM, hence inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker configured means the embedded demo: tasks run in the calling process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
# With several worker processes, a municipality's roll-up runs as this many tasks side by side,
# each for a group of counties, then the counties and the municipality (a chord); 0 or 1: one
# task and one transaction (one worker). Needs a result backend.
ROLLUP_FAN_OUT = env.int("ROLLUP_FAN_OUT", default=0) if CELERY_RESULT_BACKEND else 0
# PostgreSQL's work_mem for the roll-up's transaction (each of its sorts and hashes may use this
# much): at 490,000 villages 256MB keeps its joins and its ranking in memory, its largest steps a
# fifth faster than with 64MB, which spilled 1 GB to temporary files. Lower it on a small server.
ROLLUP_WORK_MEM = env.str("ROLLUP_WORK_MEM", default="256MB")
# Longer than any task, so Redis does not hand a running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE: dict = {
    # Recompute every unpublished year at night, whatever the day's coalesced runs missed.
    "nightly-rollup": {"task": "wuqiang.scoring.tasks.rollup_open_years", "schedule": crontab(hour=2, minute=0)},
    # Drop audit events older than AUDIT_RETENTION_DAYS.
    "prune-audit-log": {"task": "wuqiang.audit.tasks.prune_audit_log", "schedule": crontab(hour=3, minute=30)},
    # Exports older than REPORT_RETENTION_HOURS are removed, file and row.
    "purge-report-exports": {"task": "wuqiang.reports.tasks.purge_expired_exports", "schedule": crontab(minute=15)},
    # Uploaded Excel files older than IMPORT_RETENTION_DAYS are removed (the upload's row stays).
    "purge-import-files": {"task": "wuqiang.imports.tasks.purge_import_files", "schedule": crontab(hour=3, minute=45)},
    # What-if previews older than PREVIEW_RETENTION_DAYS are deleted with their changed villages.
    "purge-scheme-previews": {"task": "wuqiang.scoring.tasks.purge_scheme_previews",
                              "schedule": crontab(hour=3, minute=50)},
    # Tickets whose deadline passed yesterday become overdue in the stored tallies just after midnight.
    "ticket-tallies": {"task": "wuqiang.tickets.tasks.refresh_ticket_tallies", "schedule": crontab(hour=0, minute=5)},
}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "wuqiang.api.authentication.TokenAuthentication",
        "wuqiang.api.authentication.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "wuqiang.api.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["wuqiang.api.throttling.AnonThrottle", "wuqiang.api.throttling.UserThrottle"],
    "EXCEPTION_HANDLER": "wuqiang.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
# Requests per client address (anonymous) and per user (session or token); over it: 429.
API_THROTTLE_RATES = {
    "anon": env.str("API_THROTTLE_ANON", default="30/minute"),
    "user": env.str("API_THROTTLE_USER", default="600/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "五强组织 API",
    "DESCRIPTION": "Villages' pillar data, its review workflow and the scorecards, by division code. "
                   "See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "wuqiang.api.authentication.TokenAuthentication",
        "wuqiang.api.authentication.PortalSessionAuthentication",
    ],
}

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The demo password printed by seed_demo and listed in the README.
# Twelve characters: the password policy's minimum.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="wuqiang-2021")
