"""Settings for qrsite, read from the environment (see .env.example for every variable).

Safe by default: DEBUG is off unless asked for, and without DEBUG a SECRET_KEY is required.
The defaults serve a laptop (SQLite, local files, no Redis); production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and SHORT_URL_BASE.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (see .env.example).")
    # Only ever used with DEBUG on a developer's machine.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Above whitenoise: its runserver (which it wraps) sets the short URL base from the address
    # it serves (codes/management/commands/runserver.py).
    "codes",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "qrsite.api",
    "accounts",
    "analytics",
    "jobs",
    "webhooks",
    "tickets",
]

MIDDLEWARE = [
    # First, so every response (scans included) carries the id its log lines have.
    "qrsite.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Scans of /r/<slug> are answered here, before sessions, auth and the rest.
    "codes.scan.ShortUrlMiddleware",
    # After the scans: a redirect needs no policy, and its pages set their own.
    "qrsite.content_policy.ContentSecurityPolicyMiddleware",
    "qrsite.content_policy.PermissionsPolicyMiddleware",
    # After the scans (they count themselves), before everything else it times.
    "qrsite.metrics.RequestMetricsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.CurrentWorkspaceMiddleware",
    # Last, so it sees the final response of a failed login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qrsite.urls"
WSGI_APPLICATION = "qrsite.wsgi.application"

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
                "accounts.context_processors.workspace",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DB_PREPARED_HOT_READS = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    # A reused connection is pinged once per request (a round trip on every redirect); turn it
    # off when the database never drops idle connections and the scan path needs the time.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_CONN_HEALTH_CHECKS", default=True)
    # Without it a database host that drops packets holds each request for psycopg's 130 s;
    # with it an uncached scan or an API call fails over to its 503 in seconds (2 is libpq's
    # minimum). ?connect_timeout= in DATABASE_URL wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=2)
    )
    # The API's few hot reads (an API key with its creator, a code with its group and logo:
    # qrsite/hot_reads.py) run as prepared statements: planning their joins took longer than
    # running them. Django turns prepared statements off (a threshold of None); one no query
    # reaches keeps the ORM's statements unprepared and lets the hot reads ask for it. Turn it
    # off behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
    # before 1.21, or without max_prepared_statements).
    DB_PREPARED_HOT_READS = env.bool("DB_PREPARED_HOT_READS", default=True)
    if DB_PREPARED_HOT_READS:
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 10**9)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several processes and threads (gunicorn, the scan writer
    # threads) on one file, and SQLite has one writer at a time. A deferred transaction that
    # read first and must then wait for the write lock fails at once ("database is locked")
    # instead of waiting; IMMEDIATE takes that lock at BEGIN, where the busy timeout applies.
    # WAL lets reads go on during a write; synchronous=NORMAL is crash-safe with WAL (only a
    # power loss may drop the last commits) and saves an fsync per commit. The WAL file is
    # truncated back to 64 MB after a large transaction (a bulk import) instead of keeping it.
    # Options given in DATABASE_URL (?timeout=...) win.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,  # seconds a write waits for the lock before it fails
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA journal_size_limit=67108864;"
        ),
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background work ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "qrsite.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without Redis (the laptop default) the broker is a folder: kombu's filesystem transport needs
# no server, and `make run` starts the same `celery -A qrsite worker` beside the web server, so
# background jobs (a 10,000-row import) never run inside a web request.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / "var" / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        # kombu looks for new messages once a second by default: every hop of a chunked job
        # (dispatch, each chunk a process picks up, the packing) waited up to that long. At
        # 0.1 s a process still sat idle ~60 ms between two chunks of an export (1.2 s of a
        # 10,000-code ZIP); listing the folder 50 times a second costs ~1 ms of CPU a second.
        "polling_interval": env.float("CELERY_BROKER_POLLING_INTERVAL", default=0.02),
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# Workers log through LOGGING (JSON lines with the request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Deployments sharing one Redis (and the tests) keep their tasks apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

# Proxies in front of the app that append to X-Forwarded-For; 0 trusts REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Sign-in throttling (accounts/throttling.py): an account is locked after AXES_FAILURE_LIMIT
# failures whatever address they come from, so one person behind a NAT cannot lock out the
# others; an address is locked after LOGIN_ADDRESS_FAILURE_LIMIT failures across accounts.
# Axes gets no client address and keeps no user agent or access log; beat purges its rows
# once the lockout window has passed.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# The login form posts the email as `username`, not as the user model's `email`.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.no_client_address"
AXES_HANDLER = "accounts.throttling.AccountLockoutHandler"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "user_agent"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# axes.W006 asks for the address in AXES_LOCKOUT_PARAMETERS, so that rotating user agents
# cannot dodge a lockout; ours is per account and the address limit is counted apart
# (LOGIN_ADDRESS_FAILURE_LIMIT), so neither can be dodged that way.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=100)
# Password reset requests per PASSWORD_RESET_WINDOW_SECONDS, per target email and per address;
# past either nothing is sent and the answer stays the same.
PASSWORD_RESET_WINDOW_SECONDS = 3600
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)

INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)

# --- Email ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="QR Studio <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# The pages people see when they scan are shown in their browser's language (Accept-Language)
# when it is one of these; the dashboard stays English. Catalogues: locale/<lang>/LC_MESSAGES.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("pt", "Português"),
    ("nl", "Nederlands"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    # Django's, except that a write that fails on a full disk leaves nothing behind.
    "default": {"BACKEND": "qrsite.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Product settings ---------------------------------------------------------------------------
SITE_NAME = env.str("SITE_NAME", default="QR Studio")
# Absolute links in emails (invitations, password resets). Unset, `manage.py runserver` sets
# both to the address it serves (codes/management/commands/runserver.py); nothing else guesses.
SITE_URL = env.str("SITE_URL", default="") or "http://127.0.0.1:8000"
# The base every dynamic code encodes; keep it short so codes stay low-density. Printed codes
# keep the base they were printed with: set it once, before the first one.
SHORT_URL_BASE = env.str("SHORT_URL_BASE", default="") or SITE_URL.rstrip("/") + "/r/"
if DEBUG and not env.str("ALLOWED_HOSTS", default=""):
    # A development server answers the hosts its own links name (its LAN address, when it
    # serves every interface), so a phone that scans a code is not refused.
    _hosts = [urlsplit(url).hostname for url in (SITE_URL, SHORT_URL_BASE)]
    ALLOWED_HOSTS += [f"[{host}]" if ":" in host else host for host in _hosts if host]

# --- Codes and scans -----------------------------------------------------------------------------
# How scans are recorded: "direct" inserts each scan in the request (durable, the default);
# "buffered" pushes it to Redis for a periodic batch insert, falling back to direct when Redis
# does not answer.
SCAN_RECORDING = env.str("SCAN_RECORDING", default="direct")
if SCAN_RECORDING not in ("direct", "buffered"):
    raise ImproperlyConfigured("SCAN_RECORDING must be 'direct' or 'buffered'.")
SCAN_BUFFER_URL = env.str("SCAN_BUFFER_URL", default=REDIS_URL)
if SCAN_RECORDING == "buffered" and not SCAN_BUFFER_URL:
    raise ImproperlyConfigured("SCAN_RECORDING=buffered needs REDIS_URL or SCAN_BUFFER_URL.")
# A scan's lookup waits at most this long for Redis before it reads the database instead.
SCAN_BUFFER_TIMEOUT = env.float("SCAN_BUFFER_TIMEOUT", default=0.1)
# Sending buffered scans (after the response, nobody waiting) may take this long.
SCAN_BUFFER_SEND_TIMEOUT = env.float("SCAN_BUFFER_SEND_TIMEOUT", default=2.0)
SCAN_BUFFER_RETRY_SECONDS = env.float("SCAN_BUFFER_RETRY_SECONDS", default=5.0)
# Scans wait this long in their web process to be written (or buffered) together; 0 writes
# each on its own, right after its response.
SCAN_LINGER_SECONDS = env.float("SCAN_LINGER_SECONDS", default=0.01)
# Buffered scans reach the database (and code.scanned webhooks their receivers) within about
# this long; a flush of an empty buffer is one Redis command, so a short interval is cheap.
SCAN_FLUSH_INTERVAL_SECONDS = env.float("SCAN_FLUSH_INTERVAL_SECONDS", default=1.0)
SCAN_FLUSH_BATCH_SIZE = env.int("SCAN_FLUSH_BATCH_SIZE", default=1000)
SCAN_FLUSH_MAX_SECONDS = env.float("SCAN_FLUSH_MAX_SECONDS", default=50.0)
# Country lookup: a MaxMind .mmdb when set, else the database bundled with geoip2fast.
GEOIP_PATH = env.str("GEOIP_PATH", default="")
# A MaxMind GeoLite2/GeoIP2 City .mmdb: scans then record the city too (its name, with its
# country), and analytics show top cities. Empty: countries only.
GEOIP_CITY_PATH = env.str("GEOIP_CITY_PATH", default="")
# A CDN's country header (e.g. CF-IPCountry); trusted only when named here.
TRUSTED_COUNTRY_HEADER = env.str("TRUSTED_COUNTRY_HEADER", default="")
# The redirect lookup cache (Redis; the default in-memory cache without one).
REDIRECT_CACHE_URL = env.str("REDIRECT_CACHE_URL", default=REDIS_URL)
# Invalidated on every change; the timeout only bounds what a write around the services leaves.
REDIRECT_CACHE_SECONDS = env.int("REDIRECT_CACHE_SECONDS", default=600)
REDIRECT_CACHE_MISSING_SECONDS = env.int("REDIRECT_CACHE_MISSING_SECONDS", default=60)
# Each web process keeps entries in memory while Redis pushes it every change (0 turns it off).
REDIRECT_LOCAL_CACHE_SECONDS = env.float("REDIRECT_LOCAL_CACHE_SECONDS", default=60.0)
REDIRECT_LOCAL_CACHE_ITEMS = env.int("REDIRECT_LOCAL_CACHE_ITEMS", default=50_000)
# Invalidations Redis did not take are queued in the database and retried this often: the
# bound on how long a change made during a Redis blip can stay invisible to scans.
REDIRECT_INVALIDATION_RETRY_SECONDS = env.float("REDIRECT_INVALIDATION_RETRY_SECONDS", default=5.0)
CODE_IMAGE_CACHE_SECONDS = env.int("CODE_IMAGE_CACHE_SECONDS", default=86_400)
# Each web process also keeps the images it served last, by digest (equal digests are equal
# bytes, so nothing is ever stale): a warm image then costs no round trip to the cache.
CODE_IMAGE_MEMORY_BYTES = env.int("CODE_IMAGE_MEMORY_BYTES", default=32 * 1024 * 1024)
CELERY_BEAT_SCHEDULE = {
    "scan-flush-buffer": {
        "task": "analytics.scan_flush_buffer_task",
        "schedule": SCAN_FLUSH_INTERVAL_SECONDS,
        # A flush that could not run in time is superseded by the next one.
        "options": {"expires": SCAN_FLUSH_INTERVAL_SECONDS * 2},
    },
    "scan-salt-cleanup": {"task": "analytics.scan_salt_cleanup_task", "schedule": 3600.0},
    "redirect-invalidations-retry": {
        "task": "codes.redirect_invalidations_retry_task",
        "schedule": REDIRECT_INVALIDATION_RETRY_SECONDS,
        "options": {"expires": REDIRECT_INVALIDATION_RETRY_SECONDS * 2},
    },
}

# --- Trash (issue 18) ----------------------------------------------------------------------------
# A deleted code can be restored this many days; then a daily task purges it (and its scans).
CODES_TRASH_DAYS = env.int("CODES_TRASH_DAYS", default=30)
CELERY_BEAT_SCHEDULE["codes-purge-deleted"] = {
    "task": "codes.codes_purge_deleted_task",
    "schedule": 6 * 3600.0,
    "options": {"expires": 6 * 3600.0},
}

# --- Analytics rollups (issue 6) ----------------------------------------------------------------
# Pre-aggregated counts keep analytics fast; the periodic run rolls up finished UTC days and
# redoes days that received late scans. Reads use raw scans for whatever is not rolled up yet.
ANALYTICS_ROLLUP_INTERVAL_SECONDS = env.float("ANALYTICS_ROLLUP_INTERVAL_SECONDS", default=300.0)
# A day is rolled up this long after it ends, once scans still in flight have landed.
ANALYTICS_ROLLUP_SETTLE_SECONDS = env.int("ANALYTICS_ROLLUP_SETTLE_SECONDS", default=300)
# How long one run's claim lasts without renewal (renewed after every day it rolls up).
ANALYTICS_ROLLUP_LEASE_SECONDS = env.int("ANALYTICS_ROLLUP_LEASE_SECONDS", default=600)
# A per-scan CSV with more rows than this is written by a worker (a job) instead of streamed.
ANALYTICS_SCAN_EXPORT_STREAM_ROWS = env.int("ANALYTICS_SCAN_EXPORT_STREAM_ROWS", default=20000)
# Weekly and monthly PDF reports by email (analytics/reports.py): due ones go out hourly.
CELERY_BEAT_SCHEDULE["analytics-report-subscriptions"] = {
    "task": "analytics.report_subscriptions_send_task",
    "schedule": 3600.0,
    "options": {"expires": 3600.0},
}
CELERY_BEAT_SCHEDULE["analytics-rollup"] = {
    "task": "analytics.rollup_run_task",
    "schedule": ANALYTICS_ROLLUP_INTERVAL_SECONDS,
    "options": {"expires": ANALYTICS_ROLLUP_INTERVAL_SECONDS},
}

# --- Webhooks (issue 15) -----------------------------------------------------------------------
# For development and tests only: lets endpoints on loopback and private networks (a receiver
# on 127.0.0.1) be used. Link-local and cloud metadata addresses stay refused even then.
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False)
# Plain-http endpoints: refused unless DEBUG or this setting allows them.
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=DEBUG)
WEBHOOKS_MAX_ENDPOINTS_PER_WORKSPACE = env.int("WEBHOOKS_MAX_ENDPOINTS_PER_WORKSPACE", default=20)
# After a secret rotation, deliveries are signed with the old and the new secret this long.
WEBHOOKS_SECRET_OVERLAP_HOURS = env.float("WEBHOOKS_SECRET_OVERLAP_HOURS", default=24.0)
# Whole-request limit of one attempt (connect, send, answer); never more than 15 s.
WEBHOOKS_TIMEOUT_SECONDS = min(env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0), 15.0)
# Bytes of each answer kept in the delivery log; the rest is never read.
WEBHOOKS_RESPONSE_SNIPPET_BYTES = env.int("WEBHOOKS_RESPONSE_SNIPPET_BYTES", default=500)
# Seconds before each retry after a failed attempt (±10 % jitter): about 3 days in all.
WEBHOOKS_RETRY_SCHEDULE = [
    int(s)
    for s in env.list(
        "WEBHOOKS_RETRY_SCHEDULE",
        default=["5", "300", "1800", "7200", "18000", "36000", "50400", "72000", "86400"],
    )
]
# The longest Retry-After (429/503) honoured.
WEBHOOKS_MAX_RETRY_AFTER_SECONDS = env.int("WEBHOOKS_MAX_RETRY_AFTER_SECONDS", default=86_400)
# An endpoint whose deliveries all failed for this long is disabled and its owners emailed.
WEBHOOKS_DISABLE_AFTER_DAYS = env.int("WEBHOOKS_DISABLE_AFTER_DAYS", default=5)
# Most scans one batched code.scanned delivery carries.
WEBHOOKS_MAX_SCAN_BATCH_SIZE = env.int("WEBHOOKS_MAX_SCAN_BATCH_SIZE", default=100)
# A sender's lease on an endpoint lasts the attempt's timeout plus this margin.
WEBHOOKS_LEASE_MARGIN_SECONDS = env.float("WEBHOOKS_LEASE_MARGIN_SECONDS", default=15.0)
# One sender task runs at most this long, then leaves the rest to the next one.
WEBHOOKS_DRAIN_MAX_SECONDS = env.float("WEBHOOKS_DRAIN_MAX_SECONDS", default=60.0)
WEBHOOKS_SWEEP_INTERVAL_SECONDS = env.float("WEBHOOKS_SWEEP_INTERVAL_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "webhooks.deliveries_sweep_task",
    "schedule": WEBHOOKS_SWEEP_INTERVAL_SECONDS,
    "options": {"expires": WEBHOOKS_SWEEP_INTERVAL_SECONDS * 2},
}
# --- Background jobs (issue 14) -----------------------------------------------------------------
# Limits: over them an import or export is refused (400/413) and nothing is created.
JOBS_IMPORT_MAX_ROWS = env.int("JOBS_IMPORT_MAX_ROWS", default=100_000)
JOBS_IMPORT_MAX_BYTES = env.int("JOBS_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
JOBS_EXPORT_MAX_CODES = env.int("JOBS_EXPORT_MAX_CODES", default=100_000)
# An .xlsx is zipped XML: one that expands beyond this is refused before it is read (zip bombs).
JOBS_XLSX_MAX_EXPANDED_BYTES = env.int("JOBS_XLSX_MAX_EXPANDED_BYTES", default=300 * 1024 * 1024)
# Rows per transaction of an import; codes per render task of an export.
JOBS_CHUNK_ROWS = env.int("JOBS_CHUNK_ROWS", default=500)
JOBS_EXPORT_CHUNK = env.int("JOBS_EXPORT_CHUNK", default=250)
# Label sheets up to this many labels are rendered in the request; more become a job.
LABELS_SYNC_MAX = env.int("LABELS_SYNC_MAX", default=100)
# A worker renews its lease on a job after every chunk; a job whose lease ran out (its worker
# was killed) is taken over by another worker, which redoes the interrupted chunk.
JOBS_LEASE_SECONDS = env.int("JOBS_LEASE_SECONDS", default=60)
# Result files (results CSV, errors CSV, ZIP) are deleted this long after the job finished.
JOBS_RESULT_TTL_HOURS = env.int("JOBS_RESULT_TTL_HOURS", default=168)
# POST /api/v1/codes/bulk answers synchronously up to API_BULK_MAX codes, with a job above.
CELERY_BEAT_SCHEDULE["jobs-resume-stale"] = {
    "task": "jobs.job_resume_stale_task",
    "schedule": float(JOBS_LEASE_SECONDS),
    "options": {"expires": float(JOBS_LEASE_SECONDS)},
}
CELERY_BEAT_SCHEDULE["jobs-purge-expired"] = {
    "task": "jobs.jobs_purge_expired_task",
    "schedule": 3600.0,
}

# --- Security (production) ---------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Django's default, stated: no window another site opens keeps a handle on ours.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every page (django-csp). No inline script anywhere: htmx, the dashboard's JS and the docs'
# start-up code are static files, and htmx is told not to eval or inject (base.html's
# htmx-config). Inline style *attributes* stay allowed (style-src-attr): templates set widths
# and colours per row (progress bars, group colours); <style> elements do not. Pages that need
# more say so where they are served (qrsite/content_policy.py).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": [],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # The health checks must answer plain HTTP from a load balancer.
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/ready)?$"]
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Metrics ------------------------------------------------------------------------------------
# /metrics answers only `Authorization: Bearer <this>`; empty (the default) turns it off.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Health -------------------------------------------------------------------------------------
# /healthz/ready shows error text, hosts and timings only to this bearer token (or a staff
# session); anyone else sees ok/unavailable per component. Empty: staff sessions only.
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
# Seconds /healthz/ready waits for all its probes together (they run at once).
HEALTH_PROBE_TIMEOUT = env.float("HEALTH_PROBE_TIMEOUT", default=0.5)
# Less free space than this on a local MEDIA_ROOT makes /healthz/ready answer 503 ("media").
HEALTH_MEDIA_MIN_FREE_BYTES = env.int("HEALTH_MEDIA_MIN_FREE_BYTES", default=64 * 1024 * 1024)

# --- Logging ------------------------------------------------------------------------------------
# One JSON object per line (LOG_FORMAT=json, the default without DEBUG) or plain text, each
# with the request id of the request or task that wrote it. Never a client IP address or an
# API key: every line goes through qrsite.logs.MaskSecrets, whatever logger wrote it.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "qrsite.logs.AddRequestId"},
        "mask_secrets": {"()": "qrsite.logs.MaskSecrets"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "qrsite.logs.MaskedJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "mask_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Error reports -------------------------------------------------------------------------------
# Sentry (sentry-sdk) when SENTRY_DSN is set, web and workers alike; client addresses, API
# keys, bearer tokens, cookies and request bodies are scrubbed before sending
# (qrsite/error_reports.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from qrsite.error_reports import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=""),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiKeyAuthentication",
        "accounts.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["qrsite.api.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["qrsite.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["qrsite.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "qrsite.api.negotiation.LenientNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "qrsite.api.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "qrsite.api.errors.exception_handler",
    # `?format=svg` is the image format on /image, not DRF's renderer override.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    # Read on the docs page of a running server: links that page can follow, not repository paths.
    "DESCRIPTION": "Create, style, organise and track QR codes. Send your API key as "
    "`Authorization: Bearer <key>` (create one under Settings → API keys). Every error has a "
    "stable code, explained at [/api/v1/docs/errors/](/api/v1/docs/errors/).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI and ReDoc from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator in any layout: its badge is an image from validator.swagger.io that
    # hands our schema's address to a third party. templates/drf_spectacular/ keeps both pages
    # on our own origin. No deep links: Swagger UI puts each one, a link, inside the button that
    # opens its operation, and a control inside a control is lost to keyboard and screen reader.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None},
    # ReDoc's theme names Roboto and Montserrat, which the stock template fetches from Google
    # Fonts; ours fetches no fonts, so the theme names system fonts, as static/css/app.css does.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, '
                '"Helvetica Neue", Arial, sans-serif',
                "headings": {"fontFamily": "inherit"},
                "code": {"fontFamily": 'ui-monospace, "SF Mono", Menlo, Consolas, monospace'},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Finder frames and balls share their shape names; one enum in the schema.
    "ENUM_NAME_OVERRIDES": {"FinderShapeEnum": "codes.rendering.FINDER_FRAME_SHAPES"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "qrsite.api.schema.add_error_responses",
    ],
}
# Requests per window (seconds) per API key and scope; a workspace can set its own in admin.
API_RATE_LIMIT_WINDOW = env.int("API_RATE_LIMIT_WINDOW", default=60)
# Authenticated keys kept per process (accounts/key_cache.py), trusted only while the shared
# generation in Redis is unchanged; the age is a bound for a change whose signal never came
# (a raw SQL update). 0 turns the cache off.
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=60)
API_KEY_CACHE_ENTRIES = env.int("API_KEY_CACHE_ENTRIES", default=2048)
# Codes kept per process for the image endpoint (codes/read_cache.py), on the same terms: a
# per-workspace generation that every code, group or logo change moves. 0 turns it off.
CODE_READ_CACHE_SECONDS = env.int("CODE_READ_CACHE_SECONDS", default=60)
CODE_READ_CACHE_ENTRIES = env.int("CODE_READ_CACHE_ENTRIES", default=4096)
API_RATE_LIMITS = {
    "read": env.int("API_RATE_LIMIT_READ", default=600),
    "write": env.int("API_RATE_LIMIT_WRITE", default=120),
    "admin": env.int("API_RATE_LIMIT_ADMIN", default=30),
    # Requests without valid credentials, per client address: bounds key guessing.
    "anonymous": env.int("API_RATE_LIMIT_ANONYMOUS", default=60),
}
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=200)
API_BULK_MAX = 1000
# Larger bodies get 413 before they are parsed; a 1,000-code bulk request is far below this.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=2 * 1024 * 1024)
API_IDEMPOTENCY_TTL_HOURS = env.int("API_IDEMPOTENCY_TTL_HOURS", default=24)
# A request that died without finishing releases its idempotency key after this long.
API_IDEMPOTENCY_LOCK_SECONDS = env.int("API_IDEMPOTENCY_LOCK_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["api-idempotency-purge"] = {
    "task": "api.idempotency_purge_task",
    "schedule": 3600.0,
}
# Sign-in records are deleted once the lockout window (AXES_COOLOFF_TIME) has passed.
CELERY_BEAT_SCHEDULE["login-records-purge"] = {
    "task": "accounts.login_records_purge_task",
    "schedule": 900.0,
}

# --- Event tickets (issue 17) -------------------------------------------------------------------
# Seals each event's Ed25519 private key at rest; blank: derived from SECRET_KEY (docs/tickets.md).
TICKET_KEY = env.str("TICKET_KEY", default="") or SECRET_KEY
TICKETS_BATCH_MAX_ITEMS = env.int("TICKETS_BATCH_MAX_ITEMS", default=10_000)
