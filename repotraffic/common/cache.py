"""The API's cached JSON: in this process's memory, under keys that carry the data's
version, so an entry is never stale and needs no invalidation; old versions age out."""

from collections.abc import Callable
from typing import Any

from django.core.cache import BaseCache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

DAY = 24 * 3600
# Entries of up to about 100 KB each (a detail with 3 years of days).
_PROCESS_CACHE_ENTRIES = 1000
_process_cache = LocMemCache(
    "repotraffic-api-json", {"OPTIONS": {"MAX_ENTRIES": _PROCESS_CACHE_ENTRIES}}
)


def json_cache() -> BaseCache:
    """Where the API keeps its JSON: the default cache when it is this process's own
    (memory by default; nothing with CACHE_URL=dummy://, as the benchmarks measure
    first reads); when the default is shared (Redis), this process's memory all the
    same. Fetching a detail's 100 KB from Redis took longer than this process
    rendering it, and versioned keys make a copy per process as correct as a shared one
    (bench/bench_api.py)."""
    default = caches["default"]
    if isinstance(default, LocMemCache | DummyCache):
        return default
    return _process_cache


def json_cached(*, key: str, render: Callable[[], str], timeout: int = DAY) -> str:
    """The JSON text render() gives, cached under `key`, which must carry the data's
    version."""
    store = json_cache()
    body = store.get(key)
    if body is None:
        body = render()
        store.set(key, body, timeout=timeout)
    return body


def json_cache_get(key: str) -> Any:
    return json_cache().get(key)


def json_cache_set(key: str, value: Any, timeout: int = DAY) -> None:
    json_cache().set(key, value, timeout=timeout)
