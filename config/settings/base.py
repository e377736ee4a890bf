"""Settings shared by every environment; every value comes from the environment.

Development defaults work with no configuration at all. `production.py` removes
the insecure defaults and refuses to start without its secrets.
"""

from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    crontab_parse,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_rate,
    env_rsa_private_key,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("REPOTRAFFIC_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", default=True)
# A development key: production.py refuses to start with it.
DEV_SECRET_KEY = "dev-insecure-repotraffic-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or DEV_SECRET_KEY
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "drf_spectacular_sidecar",
    "repotraffic.common",
    "repotraffic.users",
    "repotraffic.installations",
    "repotraffic.repositories",
    "repotraffic.sharing",
    "repotraffic.traffic",
    "repotraffic.budget",
    "repotraffic.integrations.github",
    "repotraffic.dashboard",
    "repotraffic.metrics",
]

MIDDLEWARE = [
    # First, so that its request figures time every other layer; it removes itself
    # when /metrics is off (REPOTRAFFIC_METRICS_TOKEN unset).
    "repotraffic.metrics.middleware.HttpMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers leave gzipped: the overview's 500 rows are ~420 kB of HTML,
    # ~10x less compressed, which is most of a phone's first paint. Below WhiteNoise,
    # which answers static files itself, already compressed at collectstatic.
    # BREACH needs a secret and attacker-chosen text in one compressed body, and a way
    # to make the victim's browser fetch it. The only secret in a page is its own URL's
    # token or share key, so whoever can request the page knows it already; the API
    # wants X-API-Token, which a cross-site request cannot send; Django masks CSRF
    # tokens afresh in every response and this middleware pads each body with random
    # bytes (Heal The BREACH).
    "django.middleware.gzip.GZipMiddleware",
    "repotraffic.common.middleware.TrailingSlashOptionalMiddleware",
    "repotraffic.common.middleware.ApiNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its documentation asks: it answers a locked-out admin login.
    "axes.middleware.AxesMiddleware",
]

# The admin's login: repeated failures from one address lock it out (django-axes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("REPOTRAFFIC_ADMIN_LOGIN_FAILURES", default=5, minimum=1)
AXES_COOLOFF_TIME = env_int("REPOTRAFFIC_ADMIN_LOCKOUT_MINUTES", default=30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# TrailingSlashOptionalMiddleware accepts an optional trailing slash instead:
# redirecting a POST to add one would lose its body.
APPEND_SLASH = False

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


def database_from_url(url: str) -> dj_database_url.DBConfig:
    try:
        config = dj_database_url.parse(
            url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60)
        )
    except Exception as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web process read while a worker writes; IMMEDIATE takes the
        # write lock at BEGIN so concurrent writers wait (timeout) instead of failing
        # with "database is locked" half-way through a transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The API's JSON, cached in each process's memory under keys that carry the data's
# version (repotraffic.common.cache): the most a process keeps, in MB; 0 keeps none.
REPOTRAFFIC_API_CACHE_MB = env_int("REPOTRAFFIC_API_CACHE_MB", default=64)

# The pages' cache: each process's memory, or with CACHE_URL=redis://... one shared by
# every process; dummy:// caches nothing.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "dummy://")):
    raise ImproperlyConfigured(f"CACHE_URL must be redis://..., or dummy://, not {CACHE_URL!r}")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith(("redis://", "rediss://"))
        # dummy:// caches nothing (benchmarks measure the uncached path with it).
        else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        if CACHE_URL == "dummy://"
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", default=500, minimum=10)},
        }
    ),
    # The abuse limits' counters must be shared by every web process: Redis when there
    # is one, otherwise files under var/ (every process on this machine sees them).
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith(("redis://", "rediss://"))
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "throttle"),
        }
    ),
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [("vendor/uplot", BASE_DIR / "node_modules" / "uplot" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Development serves from the apps' folders (finders), so it works without
    # collectstatic, DEBUG on or off; production.py uses hashed, compressed files.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["repotraffic.users.auth.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["repotraffic.common.parsers.AnyContentJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "repotraffic.common.negotiation.JSONOnlyNegotiation",
    "EXCEPTION_HANDLER": "repotraffic.common.api_errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # Proxies in front of the web server whose X-Forwarded-For to trust for the client
    # address (0: none, use the connection's address).
    "NUM_PROXIES": env_int("REPOTRAFFIC_NUM_PROXIES", default=0) or None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "repotraffic API",
    "DESCRIPTION": "Keeps GitHub repository traffic for longer than GitHub's 14 days.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        "securitySchemes": {"ApiToken": {"type": "apiKey", "in": "header", "name": "X-API-Token"}}
    },
}

# --- GitHub -----------------------------------------------------------------
GITHUB_API_URL = (env_str("GITHUB_API_URL") or "https://api.github.com").rstrip("/")
if not GITHUB_API_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"GITHUB_API_URL must be an http(s) URL such as https://api.github.com, "
        f"not {GITHUB_API_URL!r}"
    )
GITHUB_TOKEN = env_str("GITHUB_TOKEN")
# A GitHub App of the operator's (optional): users connect its installations, whose
# tokens then collect the installations' repositories. The app's ID and its private key
# (PEM text, or the path of the .pem file), both or neither.
GITHUB_APP_ID = env_int("GITHUB_APP_ID", default=0, minimum=1)
GITHUB_APP_PRIVATE_KEY = env_rsa_private_key("GITHUB_APP_PRIVATE_KEY")
if bool(GITHUB_APP_ID) != bool(GITHUB_APP_PRIVATE_KEY):
    raise ImproperlyConfigured(
        "GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY go together: set both (the app's ID and "
        "its private key, from the app's settings page) or neither"
    )
GITHUB_TIMEOUT = env_float("GITHUB_TIMEOUT", default=10.0, minimum=0.1)
GITHUB_MAX_RETRIES = env_int("GITHUB_MAX_RETRIES", default=3)
GITHUB_RETRY_BACKOFF = env_float("GITHUB_RETRY_BACKOFF", default=1.0)
GITHUB_RATE_LIMIT_MAX_WAIT = env_float("GITHUB_RATE_LIMIT_MAX_WAIT", default=60.0)
# One gate per token shared by every process (repotraffic.budget.gates): requests in
# flight with one token at once, and the requests of its hour kept for calls someone
# waits for (checking a token or a new repository).
GITHUB_TOKEN_CONCURRENCY = env_int("GITHUB_TOKEN_CONCURRENCY", default=4, minimum=1)
GITHUB_RATE_LIMIT_RESERVE = env_int("GITHUB_RATE_LIMIT_RESERVE", default=100)
# Where the gates live: empty for Redis when the broker is Redis, else the database;
# or redis://..., "database", "memory" (one process alone).
REPOTRAFFIC_GATE_URL = env_str("REPOTRAFFIC_GATE_URL")
if REPOTRAFFIC_GATE_URL and not (
    REPOTRAFFIC_GATE_URL in ("database", "memory")
    or REPOTRAFFIC_GATE_URL.startswith(("redis://", "rediss://"))
):
    raise ImproperlyConfigured(
        "REPOTRAFFIC_GATE_URL must be redis://..., database or memory, "
        f"not {REPOTRAFFIC_GATE_URL!r}"
    )
# Fernet key for users' GitHub tokens at rest. Development derives one from
# SECRET_KEY; production.py requires it to be set.
REPOTRAFFIC_ENCRYPTION_KEY = env_str("REPOTRAFFIC_ENCRYPTION_KEY")
if REPOTRAFFIC_ENCRYPTION_KEY:
    try:
        Fernet(REPOTRAFFIC_ENCRYPTION_KEY.encode())
    except ValueError:
        raise ImproperlyConfigured(
            "REPOTRAFFIC_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded "
            "bytes); make one with python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from None

# --- Access and abuse limits --------------------------------------------------
# Who may collect with the server's GITHUB_TOKEN: everyone (development: a one-person
# instance just works), trusted users only (production's default), or nobody.
REPOTRAFFIC_SERVER_TOKEN_FOR = env_choice(
    "REPOTRAFFIC_SERVER_TOKEN_FOR", choices=("everyone", "trusted", "nobody"), default="everyone"
)
REPOTRAFFIC_REGISTRATION = env_choice(
    "REPOTRAFFIC_REGISTRATION", choices=("open", "closed"), default="open"
)
REPOTRAFFIC_MAX_REPOSITORIES_PER_USER = env_int(
    "REPOTRAFFIC_MAX_REPOSITORIES_PER_USER", default=1000, minimum=1
)
REPOTRAFFIC_THROTTLE_USER_CREATE = env_rate("REPOTRAFFIC_THROTTLE_USER_CREATE", default="10/hour")
REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE = env_rate(
    "REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE", default="600/hour"
)
REPOTRAFFIC_THROTTLE_GITHUB_TOKEN_CHECK = env_rate(
    "REPOTRAFFIC_THROTTLE_GITHUB_TOKEN_CHECK", default="20/hour"
)
# Imports (POST /api/repos/import) per user: each reads up to REPOTRAFFIC_IMPORT_PAGES
# pages of the user's repositories at GitHub. Each repository an import adds also takes
# one create from REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE.
REPOTRAFFIC_THROTTLE_REPOSITORY_IMPORT = env_rate(
    "REPOTRAFFIC_THROTTLE_REPOSITORY_IMPORT", default="20/hour"
)
# "Collect now" requests per user (POST /api/repos/<id>/collect), each a collection
# outside the daily schedule.
REPOTRAFFIC_THROTTLE_COLLECT_NOW = env_rate("REPOTRAFFIC_THROTTLE_COLLECT_NOW", default="6/hour")
# Pages of 100 repositories an import (and each auto-tracking run) reads at GitHub, one
# request a page: past them the import stops and says so.
REPOTRAFFIC_IMPORT_PAGES = env_int("REPOTRAFFIC_IMPORT_PAGES", default=10, minimum=1)

# --- Share links ------------------------------------------------------------
# Live (not revoked) read-only page links a user may hold at once.
REPOTRAFFIC_MAX_SHARE_LINKS_PER_USER = env_int(
    "REPOTRAFFIC_MAX_SHARE_LINKS_PER_USER", default=100, minimum=1
)

# --- Metrics ----------------------------------------------------------------
# /metrics (Prometheus) answers only to `Authorization: Bearer <this>`. Unset, it is
# off: it answers 404 and no request figures are kept.
REPOTRAFFIC_METRICS_TOKEN = env_str("REPOTRAFFIC_METRICS_TOKEN")
if REPOTRAFFIC_METRICS_TOKEN and len(REPOTRAFFIC_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured(
        "REPOTRAFFIC_METRICS_TOKEN must be at least 32 characters when set (python -c "
        "'import secrets; print(secrets.token_urlsafe(32))'), or unset to turn /metrics off"
    )

# --- Collection -------------------------------------------------------------
# 22:30 UTC: late in the UTC day, so today's in-progress bucket is nearly
# complete, and early enough that a retry or two still lands before midnight.
TRAFFIC_FETCH_SCHEDULE = env_str("TRAFFIC_FETCH_SCHEDULE") or "30 22 * * *"
# Repositories one `fetch_traffic` run collects at once (its threads). Each credential's
# requests in flight stay within GITHUB_TOKEN_CONCURRENCY whatever this is; its threads
# are at most twice that (traffic.collection), so 16 keeps two tokens' slots busy.
TRAFFIC_FETCH_CONCURRENCY = env_int("TRAFFIC_FETCH_CONCURRENCY", default=16, minimum=1)
TRAFFIC_STALE_AFTER_HOURS = env_int("TRAFFIC_STALE_AFTER_HOURS", default=24, minimum=1)
# A running collection holds its repository's lease for this long and renews it every
# third of it; a lease left by a killed worker blocks the repository for at most this.
TRAFFIC_COLLECTION_LEASE_SECONDS = env_int(
    "TRAFFIC_COLLECTION_LEASE_SECONDS", default=120, minimum=3
)
# Pages of 100 releases a collection reads for their download counts (one request each):
# a repository with more releases than this allows keeps its newest ones counted.
TRAFFIC_RELEASE_PAGES = env_int("TRAFFIC_RELEASE_PAGES", default=3, minimum=1)
# Pages of 100 stargazers a repository's first collection reads to rebuild its star
# history (one request each, once): past this, pages spread evenly over the list.
TRAFFIC_STARGAZER_PAGES = env_int("TRAFFIC_STARGAZER_PAGES", default=10, minimum=1)
# GitHub requests an hour that backfills (the star history rebuild) may spend on one
# token, across every worker: the rest of its hourly budget stays for daily collections.
TRAFFIC_BACKFILL_REQUESTS_PER_HOUR = env_int(
    "TRAFFIC_BACKFILL_REQUESTS_PER_HOUR", default=500, minimum=0
)

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_TASK_IGNORE_RESULT = True
# At least once: a task is acknowledged after it ran, and one whose pool process died
# (killed, out of memory) goes back to the queue instead of being acknowledged as
# failed. Both are safe because running a collection twice is (docs/operations.md).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker told to stop with SIGQUIT, or SIGTERM under REMAP_SIGTERM=SIGQUIT (the
# Procfile), gives running tasks this long to finish, then cancels them and puts them
# back in the queue (soft, then cold shutdown). Stopping then takes up to 5 s more (the
# filesystem broker's event loop): keep it 10 s below the process manager's stop timeout.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env_float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=5.0)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "traffic-fetch-all": {
        "task": "traffic_fetch_all",
        "schedule": crontab_parse("TRAFFIC_FETCH_SCHEDULE", TRAFFIC_FETCH_SCHEDULE),
    },
    # The dispatch: queues what each GitHub token's hour can pay for of the collections
    # still pending (a daily run larger than one hour). Every 10 minutes, off the default
    # daily minute; often enough to meet each token's new hour soon after it resets.
    "traffic-fetch-due": {
        "task": "traffic_fetch_due",
        "schedule": crontab_parse("traffic-fetch-due", "5-59/10 * * * *"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_tokens": {"()": "repotraffic.common.logging.MaskPageTokensFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Replaces Django's own DEBUG-only console handler, which would print page
        # URLs, tokens included, without our mask.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # httpx logs every request at INFO: thousands a collection. The GitHub client
        # logs its failures and retries in words; httpx's own warnings still show.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
