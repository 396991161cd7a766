"""Settings for the programme portal, configured from the environment (healthchecks style).

With no variables set the portal runs on a SQLite file in the repository, with Celery tasks
executed eagerly and a local-memory cache, so a fresh clone works with `make run`.
`DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis. `.env.example` lists every
variable read here.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except Exception:  # dj-database-url raises several types for malformed URLs
        raise ImproperlyConfigured(
            "DATABASE_URL cannot be parsed; expected e.g. postgres://user:password@host:5432/database"
        ) from None
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database (expected .../<database>)")
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {})
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Fail fast with a clear message instead of hanging when the server is down.
        config["OPTIONS"].setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
        # A select of a form (ModelChoiceField) reads its choices with `.iterator()`, which
        # on PostgreSQL is a server-side cursor: DECLARE, FETCH and CLOSE, three round trips
        # for a list of a few dozen rows, on every form page. The portal streams no large
        # query through `.iterator()` (exports page their rows), and a transaction-pooling
        # proxy such as PgBouncer needs this off anyway (Django's database notes).
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return config


# --- Core ------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = os.environ.get("SITE_NAME", "Sote-keskusohjelman portaali")
# Each silenced check is added, with its reason, next to the setting it is about.
SILENCED_SYSTEM_CHECKS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "projects",
    "objectives",
    "measures",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChosenLanguageMiddleware",
    # A database that cannot be reached answers 503 "temporarily unavailable", logged once.
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a flagged login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.site",
                "projects.context_processors.navigation",
            ],
        },
    }
]

# Form widgets are drawn by Django's own Jinja2 widget templates (django/forms/jinja2; ours
# in portal/jinja2): the same markup as its Django-template ones with far fewer Python
# calls, which a filter form of eight fields repeats on every page (docs/performance.md).
# The admin's widgets exist only as Django templates: portal.forms.WidgetRenderer.
FORM_RENDERER = "portal.forms.WidgetRenderer"

# --- Data stores -----------------------------------------------------------------------------
DATABASES = {"default": _database_from_env()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite cannot enforce "NULLS NOT DISTINCT" (budget lines without a year); PostgreSQL,
    # the production and test database, does. The services check it on SQLite too.
    SILENCED_SYSTEM_CHECKS.append("models.W047")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Seconds to wait for Redis to accept a connection and to answer a command, on every broker,
# result-backend and cache call (docs/operations.md). A Redis that accepts connections but
# does not answer (overloaded, paused) then costs a request seconds, never a hung worker.
REDIS_CONNECT_TIMEOUT = env_int("REDIS_CONNECT_TIMEOUT", 2)
REDIS_SOCKET_TIMEOUT = env_int("REDIS_SOCKET_TIMEOUT", 3)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (portal/celery.py reads the CELERY_* names) --------------------------------------
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Helsinki"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True  # tasks record their outcome in their own rows
CELERY_BEAT_SCHEDULE = {
    # The date alone changes lights (an action's planned end passes, a value goes stale).
    "status-recompute-nightly": {
        "task": "measures.tasks.status_recompute_all_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # The lights of rounds whose cut-off day is over, kept so no reader waits for them.
    "round-lights-daily": {
        "task": "reporting.tasks.round_lights_keep_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Edits saved while the broker was down are marked dirty; this picks them up.
    "status-recompute-dirty": {
        "task": "measures.tasks.status_recompute_dirty_task",
        "schedule": 300.0,
    },
    # Reminders of reporting rounds whose due date is near (reporting/notifications/); daily,
    # so a day missed is caught up the next; each reminder goes out once.
    "round-reminders-daily": {
        "task": "reporting.tasks.round_reminders_send_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Late actions and overdue risk reviews, to their owners, on Monday mornings.
    "weekly-digest": {
        "task": "reporting.tasks.weekly_digest_send_task",
        "schedule": crontab(hour=7, minute=15, day_of_week="mon"),
    },
    # Jobs queued while the broker was down, or left by a killed worker, run again
    # (every kind: portal.services.jobs_resume).
    "jobs-resume": {
        "task": "portal.tasks.jobs_resume_task",
        "schedule": 300.0,
    },
    # Jobs past their expiry go: export files after EXPORT_JOB_KEEP_DAYS, uploads nobody
    # confirmed after IMPORT_JOB_HOURS.
    "jobs-prune": {
        "task": "portal.tasks.jobs_prune_task",
        "schedule": 3600.0,
    },
}
# A hanke's regional report (XLSX or CSV) with more actions than this runs as an export job
# with a progress bar instead of a direct download; the national extract always does.
EXPORT_JOB_THRESHOLD_ACTIONS = env_int("EXPORT_JOB_THRESHOLD_ACTIONS", 1000)
# A PDF takes seconds of layout per hundred actions (docs/exports.md): a hanke with more
# actions than this gets its PDF report from an export job instead of within the request.
PDF_JOB_THRESHOLD_ACTIONS = env_int("PDF_JOB_THRESHOLD_ACTIONS", 100)
EXPORT_JOB_KEEP_DAYS = env_int("EXPORT_JOB_KEEP_DAYS", 7)
BROKER_VISIBILITY_TIMEOUT = env_int("BROKER_VISIBILITY_TIMEOUT", 1500)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # A save must not hang when the broker is down or does not answer: give up within
    # seconds (portal.queue logs it; the catch-up task does the work later).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        # A message a worker took but never acknowledged (the worker was killed) is handed
        # out again after this many seconds. It must exceed the longest a task may hold its
        # message: its retry countdown (retry_backoff_max, at most 600 s) plus its hard time
        # limit (at most 600 s); tests/test_faults.py checks every registered task.
        "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
    # The result backend is Redis too. Publishing a task whose result is kept subscribes to
    # it there first, retried 20 times a second apart by default: a save would wait 20 s for
    # a Redis that is gone. No task's result is read but ping_task's, so results are not
    # kept (CELERY_TASK_IGNORE_RESULT below), and the backend gives up as fast as the broker.
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
    CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

# --- Authentication ----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The axes backend comes first: it refuses a locked account before any password is checked.
# It logs nobody in itself (ModelBackend does) and needs the request, so tests log in with
# client.force_login, or client.login(request=HttpRequest(), ...).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: failed logins are counted per *username*, not per IP address. A municipality's
# staff often share one NAT address, so locking the IP would lock out the whole organisation
# because of one person's typos (or one attacker). Attempts are kept in the database.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=30)  # registration/locked_out.html says "30 minutes"
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the IP address in the lockout parameters, which is the shared-NAT problem
# above. Spraying one password over many usernames from one address is therefore not limited
# here: the production reverse proxy must rate-limit POSTs to /accounts/login/ per address.
SILENCED_SYSTEM_CHECKS.append("axes.W006")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"  # answered with status 429
# Password-reset links (also how invited people set their first password). Development
# prints the email to the console; production sets an SMTP backend and its host.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portaali@example.invalid")
# Links in e-mail (reminders, digest) need the portal's own address; requests are not there.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation: Finnish first, Swedish and English complete alternatives ---------
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

# --- Static files: our own from static/, Plotly's bundle from node_modules/ (npm ci) ----------
# Collected (SERVE_COLLECTED_STATIC, on in production and in `make run`): `collectstatic`
# writes hashed, gzip- and brotli-compressed copies to STATIC_ROOT, and WhiteNoise serves them
# with a ten-year immutable Cache-Control. Off (plain `runserver` while editing CSS), the
# files are read through the finders on every request, uncompressed and not cached.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
SERVE_COLLECTED_STATIC = env_bool("SERVE_COLLECTED_STATIC", not DEBUG)
WHITENOISE_AUTOREFRESH = not SERVE_COLLECTED_STATIC
WHITENOISE_USE_FINDERS = not SERVE_COLLECTED_STATIC
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Source maps are fetched only by developer tools: not worth compressing at build time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "portal.staticfinders.PlotlyFinder",
    "portal.staticfinders.LightsFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "portal.storage.CollectedStaticStorage"
        if SERVE_COLLECTED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production values whenever DEBUG is off) ---------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
# A working day, and never longer than the browser stays open (shared workstations in clinics).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Lax keeps the session on links followed from e-mail or other sites, never on cross-site POSTs.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Our own page (portal.css, the user's language) instead of Django's, whose inline styles
# the Content Security Policy blocks.
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# portal.security.SecurityHeadersMiddleware adds Permissions-Policy and
# Cross-Origin-Resource-Policy, which Django has no settings for.

# Request size limits. A non-file request body over 2.5 MB is refused (400) before a view
# reads it; uploaded files over 2.5 MB are spooled to a temporary file instead of memory.
# Django has no global file-size or file-type limit: every upload form checks both itself
# (measures.forms.SotkanetFileForm: .json/.csv, at most 1 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000  # a large formset (a plan's actions) stays well below
# Bulk import (reporting/imports/reader.py, docs/imports.md): the largest file accepted, the most
# rows, and from how many rows on the dry run and the import run as a Celery job.
# 10 MB holds a 20 000-row CSV of actions with long titles.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10_000_000)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
IMPORT_SYNC_ROWS = env_int("IMPORT_SYNC_ROWS", 300)
IMPORT_JOB_HOURS = env_int("IMPORT_JOB_HOURS", 24)  # an unconfirmed upload expires
# Every uploaded file (bulk import, finance import, Sotkanet file) is read by portal/uploads/
# within these limits, refused with the reason before the work starts (docs/uploads.md). With
# the defaults, reading any file peaks below 100 MB of Python memory in a web worker, and
# refusing a zip bomb, a 1 GB cell or 100 000 columns below 40 MB (tests/test_uploads.py).
UPLOAD_MAX_COLUMNS = env_int("UPLOAD_MAX_COLUMNS", 200)
UPLOAD_MAX_CELLS = env_int("UPLOAD_MAX_CELLS", 1_000_000)  # 20 000 rows of 50 columns
UPLOAD_MAX_CELL_CHARS = env_int("UPLOAD_MAX_CELL_CHARS", 10_000)
UPLOAD_MAX_UNPACKED_BYTES = env_int("UPLOAD_MAX_UNPACKED_BYTES", 50_000_000)  # an XLSX's zip
UPLOAD_MAX_COMPRESSION_RATIO = env_int("UPLOAD_MAX_COMPRESSION_RATIO", 100)
UPLOAD_MAX_JSON_DEPTH = env_int("UPLOAD_MAX_JSON_DEPTH", 20)  # a Sotkanet file has 2 levels
FINANCE_IMPORT_MAX_BYTES = env_int("FINANCE_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
FINANCE_IMPORT_MAX_ROWS = env_int("FINANCE_IMPORT_MAX_ROWS", 5000)
SOTKANET_FILE_MAX_BYTES = env_int("SOTKANET_FILE_MAX_BYTES", 1_000_000)
SOTKANET_FILE_MAX_ROWS = env_int("SOTKANET_FILE_MAX_ROWS", 50_000)
# Files over FILE_UPLOAD_MAX_MEMORY_SIZE go to FILE_UPLOAD_TEMP_DIR; when it is full the file
# is dropped and the form says so (portal.uploads.SpaceAwareUploadHandler), not a 500.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "portal.uploads.SpaceAwareUploadHandler",
]

# Content Security Policy (django-csp 4): only our own origin, and no inline script or style
# anywhere, so an injected <script> or style="" does nothing. Templates therefore carry no
# <script> code, <style> blocks or style attributes: CSS lives in static/css/portal.css.
# - htmx: base.html sets includeIndicatorStyles=false in <meta name="htmx-config">, because
#   htmx otherwise injects an inline <style>; the indicator rules are in portal.css. hx-on
#   attributes and event filters (hx-trigger="click[...]") need eval, so they are not used.
# - Plotly (charts come in a later issue): load {% static 'vendor/plotly.min.js' %} once;
#   pass each figure as JSON in a <script type="application/json" id="..."> data block
#   (json_script), which a small static JS file reads and draws with
#   Plotly.newPlot(el, fig.data, fig.layout, {"responsive": True}); no inline script and no
#   to_html() output with inline code. Plotly writes its modebar CSS through an injected
#   <style>, which style-src 'self' blocks: put <link id="plotly.js-style-global"
#   class="no-inline-styles" rel="stylesheet" href="..."> with those rules in the page
#   (Plotly then skips the injection), and likewise a placeholder with the id of its
#   bundled maplibre <style> ("ce8d4646...") or that one is reported as a violation at load.
#   Checked in Chromium under this policy: a bar chart renders, only the modebar is unstyled.
# - img-src allows data: for Plotly's "download as PNG" and SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks speak plain HTTP
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The "AXES: BEGIN version ..." banner on every manage.py command would break the
        # one-line configuration errors; failed logins and lockouts are still logged.
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every step of every PDF at INFO; its warnings still show.
        "weasyprint.progress": {"level": "WARNING"},
        # kaleido and its browser driver log every PDF chart (reporting/exports/chart_images.py).
        "kaleido": {"level": "WARNING"},
        "choreographer": {"level": "WARNING"},
        "logistro": {"level": "WARNING"},
    },
}

# --- Open data API (reporting/api, docs/api.md) ------------------------------------------------
# Read-only JSON for signed-in users and for THL's analytics with a token
# (`manage.py api_token <username>`). The token comes first so that an anonymous call is
# answered 401 with "WWW-Authenticate: Token"; a browser's session works too (the browsable
# API). Every queryset is scoped with Project.objects.visible_to(request.user).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "reporting.api.pagination.ApiPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Values (budgets, measurements) as JSON numbers, which analytics tools read directly.
    "COERCE_DECIMAL_TO_STRING": False,
}
# The docs page (Swagger UI) loads its JS and CSS from the drf-spectacular-sidecar wheel
# through our own static files, never from a CDN; see reporting/api/views.py for the CSP.
SPECTACULAR_SETTINGS = {
    "TITLE": "Programme portal open data API",
    "DESCRIPTION": "Read-only data of regions, hankkeet, process goals, actions, indicators and "
    "measurements, limited to what the caller may see. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Sotkanet REST API (THL's indicator bank), read by measures/sotkanet.py.
SOTKANET_BASE_URL = os.environ.get("SOTKANET_BASE_URL", "https://sotkanet.fi/rest/1.1/")
SOTKANET_TIMEOUT = env_int("SOTKANET_TIMEOUT", 10)

# Demo data files (one YAML per region) read by `manage.py load_demo`.
DEMO_DATA_DIR = BASE_DIR / "reporting" / "demo" / "data"
# Whether `load_demo` generates values for indicators the plans give none for (source
# "demo", marked "demo, generated" wherever shown). 0: only the plans' own figures.
DEMO_GENERATED_VALUES = env_bool("DEMO_GENERATED_VALUES", True)
