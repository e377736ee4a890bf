"""Settings for pytest: an isolated database, eager-free Celery, fast hashing."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR, env_str

DEBUG = False
# Tests that need a broker start their own; the rest must never queue by accident
# to a broker that is not there, so they use memory.
CELERY_BROKER_URL = env_str("TEST_CELERY_BROKER_URL") or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
GITHUB_RETRY_BACKOFF = 0.01
GITHUB_TIMEOUT = 2.0
# One process per test: the gates in its memory (budget/tests test the shared ones, and
# the worker tests run real processes with them).
REPOTRAFFIC_GATE_URL = "memory"
# The fake's small rate limits test GitHub's own refusals; the reserve has its tests.
GITHUB_RATE_LIMIT_RESERVE = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "test-celerybeat-schedule")

# A file, not memory, so a real worker process in the integration tests can share
# the test database; one per pytest process, so parallel runs do not collide.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
GITHUB_TOKEN = "server-token"  # noqa: S105 (the fake GitHub's token in tests)
GITHUB_API_URL = "http://127.0.0.1:9"  # nothing listens: tests that need GitHub start the fake

# Each test starts with fresh counters (conftest clears them); limits stay out of the way
# of tests that are not about them, which lower them themselves.
CACHES["throttle"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
REPOTRAFFIC_THROTTLE_USER_CREATE = "10000/hour"
REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE = "10000/hour"
REPOTRAFFIC_THROTTLE_GITHUB_TOKEN_CHECK = "10000/hour"  # noqa: S105 (a rate)
REPOTRAFFIC_THROTTLE_REPOSITORY_IMPORT = "10000/hour"
REPOTRAFFIC_THROTTLE_COLLECT_NOW = "10000/hour"
