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


class GitHubTokenCheckThrottle(_PerUserThrottle):
    """GitHub token checks per user: each asks GitHub whose token it is."""

    scope = "github_token_check"
    rate_setting = "REPOTRAFFIC_THROTTLE_GITHUB_TOKEN_CHECK"
