"""Abuse limits for the endpoints that create things or spend GitHub requests.

Each rate is a setting (REPOTRAFFIC_THROTTLE_*, read on every request so tests and
operators can change it), counted in the "throttle" cache, which every web process
shares. A refusal is a 429 {"error"} with Retry-After (common/api_errors.py).
"""

from typing import Any, cast

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.utils.connection import ConnectionProxy
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class _SettingRateThrottle(SimpleRateThrottle):
    # A proxy, like django.core.cache.cache: each thread gets its own connection.
    cache = cast(BaseCache, ConnectionProxy(caches, "throttle"))
    rate_setting = ""

    def get_rate(self) -> str:
        rate: str = getattr(settings, self.rate_setting)
        return rate


class UserCreateThrottle(_SettingRateThrottle):
    """Sign-ups per client address (behind a proxy: REPOTRAFFIC_NUM_PROXIES)."""

    scope = "user_create"
    rate_setting = "REPOTRAFFIC_THROTTLE_USER_CREATE"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _PerUserThrottle(_SettingRateThrottle):
    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.user.id}


class RepositoryCreateThrottle(_PerUserThrottle):
    """Repository creates per user: each asks GitHub about the repository."""

    scope = "repository_create"
    rate_setting = "REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE"


class RepositoryCreateAllowance(RepositoryCreateThrottle):
    """The create allowance of RepositoryCreateThrottle, for an endpoint that adds many
    repositories at once (an import): as a throttle it refuses (429, Retry-After) only
    when no create is left, and records nothing; the endpoint adds at most `left()`
    repositories, then `spend()`s one create for each it added. Adding repositories by
    import is then never faster than adding them one by one."""

    def _history_read(self, request: Request, view: Any) -> tuple[int, int]:
        """Reads the user's recent creates into `history`, oldest dropped; the rate."""
        allowed, duration = self.parse_rate(self.rate)
        assert allowed is not None and duration is not None  # rate is never None here
        self.key = self.get_cache_key(request, view)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - duration:
            self.history.pop()
        return allowed, duration

    def allow_request(self, request: Request, view: Any) -> bool:
        allowed, _ = self._history_read(request, view)
        if len(self.history) >= allowed:
            return self.throttle_failure()
        return True

    def left(self, request: Request, view: Any) -> int:
        """Creates left now."""
        allowed, _ = self._history_read(request, view)
        return max(0, allowed - len(self.history))

    def spend(self, request: Request, view: Any, *, count: int) -> None:
        if count <= 0:
            return
        _, duration = self._history_read(request, view)
        self.history[:0] = [self.now] * count
        self.cache.set(self.key, self.history, duration)


class RepositoryImportThrottle(_PerUserThrottle):
    """Imports per user: each reads up to REPOTRAFFIC_IMPORT_PAGES pages of the user's
    repositories at GitHub."""

    scope = "repository_import"
    rate_setting = "REPOTRAFFIC_THROTTLE_REPOSITORY_IMPORT"


class GitHubTokenCheckThrottle(_PerUserThrottle):
    """GitHub token checks per user: each asks GitHub whose token it is."""

    scope = "github_token_check"
    rate_setting = "REPOTRAFFIC_THROTTLE_GITHUB_TOKEN_CHECK"


class CollectNowThrottle(_PerUserThrottle):
    """ "Collect now" requests per user (POST /api/repos/<id>/collect): each spends a
    collection's GitHub requests outside the daily schedule."""

    scope = "collect_now"
    rate_setting = "REPOTRAFFIC_THROTTLE_COLLECT_NOW"
