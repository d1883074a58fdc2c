"""Settings for the staffing project, read from the environment.

Every value that differs between machines comes from an environment variable; see the table in
README.md. A bad or missing value fails at start with a message that says which one.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# --- Security (issue 16): no key from the source, ever --------------------------------------
# `make run` generates a random key once per install under .local/ (staffing/embedded.py).
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (`make run` generates one under .local/)."
    )
# --- end Security ---------------------------------------------------------------------------

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "staffing",
    "clients",
    "candidates",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Security (issue 16): NUL bytes and undecodable charsets answer 400 before anything reads
    # the request's parameters.
    "staffing.security.RequestSanityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "staffing.errors.DatabaseUnavailableMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language switch also stores the choice on the account, for the person's emails.
    "staffing.base.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Security (issue 16): session lifetimes, forced MFA enrolment for staff, no-store and
    # Permissions-Policy on logged-in pages.
    "staffing.security.SessionLifetimeMiddleware",
    "staffing.security.StaffMFARequiredMiddleware",
    "staffing.security.PersonalPageHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "staffing.urls"
WSGI_APPLICATION = "staffing.wsgi.application"
ASGI_APPLICATION = "staffing.asgi.application"

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
                "staffing.context_processors.navigation",
            ],
            # Dates in the named formats of staffing/formats/, with the weekday, in every template.
            "builtins": ["staffing.templatetags.when", "staffing.templatetags.phones"],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------------------
if "DATABASE_URL" not in env:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Use `make run` / `make test` (they start embedded servers), "
        "or set DATABASE_URL=postgres://user@host:5432/dbname."
    )
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# No JIT compilation: the pages' queries are short, and PostgreSQL's cost model (fooled by
# per-row subqueries) spent 150–200 ms compiling searches that ran in 100 (docs/performance.md).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker --------------------------------------------------------------
if "REDIS_URL" not in env:
    raise ImproperlyConfigured(
        "REDIS_URL is not set. Use `make run` / `make test` (they start an embedded Redis), "
        "or set REDIS_URL=redis://host:6379/0."
    )
REDIS_URL = env.str("REDIS_URL")
# The web never waits on Redis longer than this (connect, and each reply), and after a failure
# not at all for a few seconds (staffing/base/outages.py): the broker's work is in the database, and
# the cache degrades to misses (staffing/cache.py), so a stalled Redis costs no page.
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=1.0)
BROKER_BREAKER_SECONDS = env.float("BROKER_BREAKER_SECONDS", default=3.0)
CACHE_BREAKER_SECONDS = env.float("CACHE_BREAKER_SECONDS", default=5.0)
CACHES = {
    "default": {
        "BACKEND": "staffing.cache.DegradingRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="staffing"),
        "TIMEOUT": 300,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        },
    }
}

# Template fragments that are the same for every user of a language (the order form's empty
# rows): kept in each process, no round trip; a deploy's new processes start empty.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# --- Queues, routed by task name ---------------------------------------------------------------
# Urgent matching never waits behind offers and emails, and those never wait behind bench
# refreshes, reminders and sweeps: each queue has its own worker process (`make run`,
# docs/operations.md). CELERY_QUEUE prefixes the names so that benchmarks and tests can run
# workers of their own beside a running system.
CELERY_QUEUE_PREFIX = env.str("CELERY_QUEUE", default="staffing")
QUEUE_URGENT = f"{CELERY_QUEUE_PREFIX}.urgent"
QUEUE_OFFERS = f"{CELERY_QUEUE_PREFIX}.offers"
QUEUE_BACKGROUND = f"{CELERY_QUEUE_PREFIX}.background"
CELERY_TASK_QUEUES = [Queue(name) for name in (QUEUE_URGENT, QUEUE_OFFERS, QUEUE_BACKGROUND)]
# Everything not named here (bench refreshes, retention, reminders, digests) is background.
CELERY_TASK_DEFAULT_QUEUE = QUEUE_BACKGROUND
CELERY_TASK_ROUTES = {
    "staffing.tasks.match_request": {"queue": QUEUE_URGENT},
    "staffing.tasks.sweep_unmatched_requests": {"queue": QUEUE_URGENT},
    "staffing.tasks.send_first_offer_wave": {"queue": QUEUE_OFFERS},
    "staffing.tasks.advance_request_offers": {"queue": QUEUE_OFFERS},
    "staffing.tasks.backfill_request": {"queue": QUEUE_OFFERS},
    "staffing.tasks.advance_offer_waves": {"queue": QUEUE_OFFERS},
    "staffing.tasks.send_email": {"queue": QUEUE_OFFERS},
    "staffing.tasks.send_emails": {"queue": QUEUE_OFFERS},
    "staffing.tasks.alert_urgent_request": {"queue": QUEUE_OFFERS},
    "staffing.tasks.sweep_unsent_emails": {"queue": QUEUE_OFFERS},
    "api.tasks.send_webhook_delivery": {"queue": QUEUE_OFFERS},
    "api.tasks.sweep_webhook_deliveries": {"queue": QUEUE_OFFERS},
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Europe/Helsinki"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers that do not serve the urgent queue lower their CPU priority by this much (staffing/
# tasks.py, staffing/base/priority.py): on two cores a bench refresh must not slow a match or a
# page down. The offers worker (offer waves, recruiters' alerts, emails) gives way less: under a
# long burst it still gets ~3 % of a busy machine, the background worker ~0.5 %. 0 leaves a
# worker alone.
WORKER_BACKGROUND_NICENESS = env.int("WORKER_BACKGROUND_NICENESS", default=19)
WORKER_OFFERS_NICENESS = env.int("WORKER_OFFERS_NICENESS", default=10)
# Keep each worker process's database connection between tasks. Without this, Celery's Django
# fixup closes it around every task, so each match paid for a new PostgreSQL backend (~10-15 ms)
# and cold caches. A broken or CONN_MAX_AGE-expired connection is still replaced before each match
# (close_old_connections in staffing/tasks.py; CONN_HEALTH_CHECKS stays on). docs/performance.md.
CELERY_DB_REUSE_MAX = 1_000_000
# A default hard limit; each task sets its own (and a soft limit below it) where it differs.
CELERY_TASK_TIME_LIMIT = 120
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when Redis is down or stalled: the database row is the
# record and a beat sweep picks it up. Without socket timeouts kombu waits as long as Redis
# stalls. The worker's blocking read (BRPOP, 1 s) must fit inside its socket timeout.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_TIMEOUT_SECONDS + 1.5,
    "socket_keepalive": True,
    "health_check_interval": 10,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# --- Background hand-offs and the sweeps behind them ----------------------------------------
# Every hand-off to a worker is a task queued by name after commit AND a state in the database
# that one of the sweeps below picks up, so a lost message (Redis down, a worker killed) delays
# work but never loses it. The periods are settings so that tests can cross them.
SWEEP_SECONDS = env.float("SWEEP_SECONDS", default=30.0)
# A request still RECEIVED this long after it came in is queued again by the sweep...
MATCHING_REQUEUE_SECONDS = env.float("MATCHING_REQUEUE_SECONDS", default=20.0)
# ...and shown to recruiters as needing attention (the client is told a person is on it).
MATCHING_OVERDUE_SECONDS = env.float("MATCHING_OVERDUE_SECONDS", default=60.0)
# An email waiting this long is queued again; one left `sending` this long (its worker died
# mid-send) is put back to be sent again with the same Message-ID.
EMAIL_REQUEUE_SECONDS = env.float("EMAIL_REQUEUE_SECONDS", default=60.0)
EMAIL_SENDING_TIMEOUT_SECONDS = env.float("EMAIL_SENDING_TIMEOUT_SECONDS", default=120.0)
# The worker's pool recounts the fair-spread counts from the database this often.
POOL_RECOUNT_SECONDS = env.float("POOL_RECOUNT_SECONDS", default=600.0)
BENCH_SWEEP_SECONDS = env.float("BENCH_SWEEP_SECONDS", default=300.0)
# A candidate import still queued this long is queued again; one running this long is taken as
# dead (its one transaction was rolled back) and queued again.
IMPORT_REQUEUE_SECONDS = env.float("IMPORT_REQUEUE_SECONDS", default=60.0)
IMPORT_STALLED_SECONDS = env.float("IMPORT_STALLED_SECONDS", default=900.0)
CANDIDATE_IMPORT_MAX_BYTES = env.int("CANDIDATE_IMPORT_MAX_BYTES", default=10_000_000)
CANDIDATE_IMPORT_MAX_ROWS = env.int("CANDIDATE_IMPORT_MAX_ROWS", default=20_000)
# The pool snapshot (staffing/services/pool.py): a worker starting loads the snapshot another
# process wrote into this directory and catches up from the database since, instead of loading
# everyone (17-27 s at 1,000,000). Empty: no snapshots. Written every POOL_SNAPSHOT_SECONDS by
# the background worker; one older than POOL_SNAPSHOT_MAX_AGE_SECONDS is not used.
POOL_SNAPSHOT_DIR = env.str("POOL_SNAPSHOT_DIR", default="")
POOL_SNAPSHOT_SECONDS = env.float("POOL_SNAPSHOT_SECONDS", default=900.0)
POOL_SNAPSHOT_MAX_AGE_SECONDS = env.float("POOL_SNAPSHOT_MAX_AGE_SECONDS", default=6 * 3600.0)
# The order form's "people ready" count is kept this long per question (0: counted every time).
# How often recruiters' saved searches are checked for people who newly match them.
SAVED_SEARCH_CHECK_SECONDS = env.float("SAVED_SEARCH_CHECK_SECONDS", default=3600.0)
FILL_ESTIMATE_CACHE_SECONDS = env.float("FILL_ESTIMATE_CACHE_SECONDS", default=60.0)
# Bench coverage: the people ready in each coming cell with expected demand, kept this long.
COVERAGE_GAPS_CACHE_SECONDS = env.float("COVERAGE_GAPS_CACHE_SECONDS", default=300.0)
for _name in (
    "SWEEP_SECONDS",
    "EMAIL_SENDING_TIMEOUT_SECONDS",
    "POOL_RECOUNT_SECONDS",
    "SAVED_SEARCH_CHECK_SECONDS",
):
    if vars()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be a positive number of seconds.")

CELERY_BEAT_SCHEDULE = {
    # Requests whose matching never ran (Redis or the worker was down when they arrived) are
    # picked up here, so an accepted request always gets its shortlist.
    "sweep-unmatched-requests": {
        "task": "staffing.tasks.sweep_unmatched_requests",
        "schedule": SWEEP_SECONDS,
    },
    # Offer waves: the first wave of an approved request whose task was lost, expired offers,
    # and the next wave where the headcount is still open (declines also trigger this at once).
    "advance-offer-waves": {
        "task": "staffing.tasks.advance_offer_waves",
        "schedule": SWEEP_SECONDS,
    },
    # Emails whose task was lost, and emails a dead worker left half-sent.
    "sweep-unsent-emails": {
        "task": "staffing.tasks.sweep_unsent_emails",
        "schedule": SWEEP_SECONDS,
    },
    # Webhook deliveries that are due: a retry after a failed attempt (exponential backoff),
    # a send task that was lost, a delivery a dead worker held.
    "sweep-webhook-deliveries": {
        "task": "api.tasks.sweep_webhook_deliveries",
        "schedule": SWEEP_SECONDS,
    },
    # Candidate imports whose task was lost, or whose worker died mid-import.
    "sweep-candidate-imports": {
        "task": "candidates.tasks.sweep_candidate_imports",
        "schedule": SWEEP_SECONDS,
    },
    # A fresh pool snapshot for workers that start (no-op without POOL_SNAPSHOT_DIR).
    "write-pool-snapshot": {
        "task": "staffing.tasks.write_pool_snapshot",
        "schedule": POOL_SNAPSHOT_SECONDS,
    },
    # Planner statistics of tables that changed, where autovacuum does not run (a stale
    # estimate turned the workers' catch-up into a scan of every shortlist entry).
    "analyze-stale-tables": {
        "task": "staffing.tasks.analyze_stale_tables",
        "schedule": 60.0,
    },
    # Benches whose change-driven refresh was lost: asked for, profile changed, people changed.
    "refresh-stale-benches": {
        "task": "staffing.tasks.refresh_stale_benches",
        "schedule": BENCH_SWEEP_SECONDS,
    },
    # After the shift: confirmed placements whose shift has ended become completed (they count
    # as experience for the engine); a no-show reported later still overrides it.
    "complete-ended-placements": {
        "task": "staffing.tasks.complete_ended_placements",
        "schedule": 600.0,
    },
    # Nightly rebuild of every service profile's bench, on top of the change-driven refreshes.
    "refresh-all-benches": {
        "task": "staffing.tasks.refresh_all_benches",
        "schedule": crontab(hour=3, minute=15),
    },
    # Candidates whose availability is older than AVAILABILITY_STALE_DAYS get an email with a
    # one-tap "still the same" link (at most once per staleness period).
    "remind-stale-availability": {
        "task": "candidates.tasks.remind_stale_availability",
        "schedule": crontab(hour=10, minute=0),
    },
    # Saved searches: the owner is emailed about people who newly match (each person once).
    "check-saved-searches": {
        "task": "candidates.tasks.check_saved_searches",
        "schedule": SAVED_SEARCH_CHECK_SECONDS,
    },
    # Recruiters' morning digest of their tasks due today or overdue (one email per person per
    # day, however often it runs; none when nothing is due).
    "send-task-digests": {
        "task": "candidates.tasks.send_task_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Retention (docs/privacy.md): ask long-inactive people to renew; erase those who do not answer.
    "candidate-retention": {
        "task": "candidates.tasks.candidate_retention",
        "schedule": crontab(hour=4, minute=30),
    },
}

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "staffing.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# --- Security (issue 16): accounts ----------------------------------------------------------
# Mandatory verification is what lets sign-up say the same thing whether or not the address
# already has an account (the owner gets an email instead); password reset never tells either.
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_PREVENT_ENUMERATION = True
# Confirming the address in the browser that signed up logs the person in (allauth does this only
# for the pending sign-up in that same session).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Per account (the email typed) tight, per address loose: an attacker gets about one guess a
# minute per account, and one person typing wrong never locks out an office behind one IP.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "30/m/ip,5/5m/key",
    "login": "60/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Service Staff Now")
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn on http://127.0.0.1 under `make run`; production is HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_RATE_LIMITS = {"webauthn_login": "10/m/ip"}
# Sessions (staffing/security.py): staff idle 30 minutes and at most 12 hours; others idle 14 days.
SESSION_COOKIE_AGE = 14 * 24 * 3600
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=12 * 3600)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=14 * 24 * 3600)
# --- end Security ---------------------------------------------------------------------------
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "staffing.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "candidates.forms.SignupExtraForm"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email --------------------------------------------------------------------------------------
if "EMAIL_URL" in env:
    # smtp://, smtp+tls://, consolemail://, filemail://... as django-environ reads them.
    vars().update(env.email_url("EMAIL_URL"))
else:
    # Development: every email is a readable file under .local/mail.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / ".local" / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Staffing <noreply@staffing.example>")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
# Finland's conventions for dates, times and numbers in every language (staffing/formats/).
FORMAT_MODULE_PATH = ["staffing.formats"]
# Ours first; then the Finnish and Swedish of third-party apps that ship none (django-celery-beat's
# admin), kept as .po files too and checked by tests/test_translations.py.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_third_party"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".local" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# --- Security (issue 16): headers and HTTPS -------------------------------------------------
# HTTPS=true in production: redirect http to https and send HSTS. Behind a proxy that ends TLS,
# SECURE_PROXY_SSL_HEADER names its header, e.g. "HTTP_X_FORWARDED_PROTO,https".
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
_proxy_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_header and len(_proxy_header) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be HEADER,value.")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header) or None
SECURE_REFERRER_POLICY = "same-origin"
# No inline script or style anywhere: behaviour lives in static/js, looks in static/css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # The TOTP QR code is an inline SVG data: URI.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "publickey-credentials-create=(self), publickey-credentials-get=(self)"
)
# --- end Security ---------------------------------------------------------------------------

# --- Health and operations: logs, request ids, heartbeats (README "Operations") ---------------
# LOG_FORMAT=json writes every log line as one JSON object (staffing/logs.py), in the web and in
# the worker; the default stays plain text. Every line knows its request id, which the
# middleware sets and Celery carries into the tasks queued meanwhile (staffing/signals.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
MIDDLEWARE.insert(0, "staffing.middleware.RequestIdMiddleware")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "staffing.logs.ContextFilter"}},
    "formatters": {"json": {"()": "staffing.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# In JSON mode the worker keeps the handler above instead of putting Celery's own on the root.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
# Each worker process records that it is alive this often (staffing/services/heartbeats.py);
# failed tasks are kept this many days for the System page.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10.0)
TASK_FAILURE_KEEP_DAYS = env.int("TASK_FAILURE_KEEP_DAYS", default=3)
# Beat writes each schedule's last run to the database after every task it sends (not every
# 3 minutes), so the System page can tell a late schedule from a slow sync.
CELERY_BEAT_SYNC_EVERY = 1
# --- end of health and operations ----------------------------------------------------------------

# --- Product settings ---------------------------------------------------------------------------
# Availability older than this many days is stale: candidates are asked to re-confirm it and it
# ranks lower.
AVAILABILITY_STALE_DAYS = env.int("AVAILABILITY_STALE_DAYS", default=14)
# Links in emails are built on this address.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
# CVs: at most this many bytes, stored under PRIVATE_STORAGE_ROOT, which no URL serves.
CV_MAX_BYTES = env.int("CV_MAX_BYTES", default=5 * 1024 * 1024)
# A DOCX is a zip: refused with more entries, more bytes inside or a higher packing ratio
# (unpacked bytes per uploaded byte) than these (issue 16; real CVs are far below them).
CV_DOCX_MAX_ENTRIES = env.int("CV_DOCX_MAX_ENTRIES", default=500)
CV_DOCX_MAX_UNCOMPRESSED_BYTES = env.int("CV_DOCX_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024)
CV_DOCX_MAX_RATIO = env.int("CV_DOCX_MAX_RATIO", default=100)
PRIVATE_STORAGE_ROOT = env.path("PRIVATE_STORAGE_ROOT", default=BASE_DIR / ".local" / "private")
# Retention (docs/privacy.md): inactive this long, people are asked to renew (default 24 months);
# unanswered after RETENTION_RENEWAL_DAYS they are erased. Without the "keep my profile" consent
# they leave the pool after RETENTION_POOL_DAYS of inactivity.
RETENTION_INACTIVE_DAYS = env.int("RETENTION_INACTIVE_DAYS", default=730)
RETENTION_RENEWAL_DAYS = env.int("RETENTION_RENEWAL_DAYS", default=30)
RETENTION_POOL_DAYS = env.int("RETENTION_POOL_DAYS", default=180)
# How many entries a shortlist keeps.
SHORTLIST_SIZE = env.int("SHORTLIST_SIZE", default=50)
# Automatic ranking can be switched off; recruiters then build shortlists by hand.
AUTOMATIC_MATCHING = env.bool("AUTOMATIC_MATCHING", default=True)
# A worker process matches up to this many waiting requests in one transaction (a burst).
MATCHING_BATCH_SIZE = env.int("MATCHING_BATCH_SIZE", default=8)
# Offers: each wave offers the work to this many people per open place, and each offer must be
# answered within the deadline (never later than the first open shift's start).
OFFER_WAVE_SIZE_FACTOR = env.int("OFFER_WAVE_SIZE_FACTOR", default=2)
OFFER_DEADLINE_URGENT_MINUTES = env.int("OFFER_DEADLINE_URGENT_MINUTES", default=30)
OFFER_DEADLINE_PLANNED_MINUTES = env.int("OFFER_DEADLINE_PLANNED_MINUTES", default=240)
if (
    OFFER_WAVE_SIZE_FACTOR < 1
    or min(OFFER_DEADLINE_URGENT_MINUTES, OFFER_DEADLINE_PLANNED_MINUTES) < 1
):
    raise ImproperlyConfigured("OFFER_WAVE_SIZE_FACTOR and OFFER_DEADLINE_* must be at least 1.")


# REST API (issue 15): client systems authenticate with a company API key.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.exceptions.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
# Requests per key, as DRF writes a rate ("120/min"); counted in the Redis cache.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Staffing API",
    "DESCRIPTION": "Order staff, follow requests and hear about fills by webhook (docs/api.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RequestStatusEnum": "staffing.models.StaffingRequest.Status",
        "PlacementStatusEnum": "staffing.models.Placement.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses_add",
    ],
}
# Webhooks: each delivery is retried with a doubling delay from the base up to the cap, for
# this long after the event; a worker holds a delivery it is sending for the lease. Private and
# loopback addresses are refused unless allowed (local development and tests).
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env.float("WEBHOOK_RETRY_MAX_DELAY_SECONDS", default=3600.0)
WEBHOOK_RETRY_FOR_SECONDS = env.float("WEBHOOK_RETRY_FOR_SECONDS", default=86400.0)
WEBHOOK_SENDING_LEASE_SECONDS = env.float("WEBHOOK_SENDING_LEASE_SECONDS", default=60.0)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)
# Delivered and failed webhook events (and their delivery log) are kept this many days.
WEBHOOK_KEEP_DAYS = env.int("WEBHOOK_KEEP_DAYS", default=30)
