"""The API's cached JSON, in this process's memory, under keys that carry the data's
version, so an entry is never stale and needs no invalidation: the least recently used
entries go once the whole passes REPOTRAFFIC_API_CACHE_MB.

Values are kept as they are (text, or tuples holding text), neither pickled nor copied:
Django's local-memory cache pickles on every get and set: about 30 us a read for a
detail's 100 KB, 3% of a cached read. A shared cache (Redis) was slower
still than rendering again, and versioned keys make a copy per process as correct as a
shared one. REPOTRAFFIC_API_CACHE_MB=0 caches nothing (the benchmark's "first read"
server)."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings

MB = 1_000_000


class ProcessCache:
    """A least-recently-used map bounded by the sum of its entries' sizes (a JSON
    text's size is its length), safe to share between a process's threads."""

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def capacity() -> int:
        return settings.REPOTRAFFIC_API_CACHE_MB * MB

    def get(self, key: Hashable) -> Any:
        """The value under `key`, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def set(self, key: Hashable, value: Any, *, size: int) -> None:
        """Keep `value` under `key`; one larger than the whole cache is not kept."""
        capacity = self.capacity()
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            if size > capacity:
                return
            self._entries[key] = (value, size)
            self._size += size
            while self._size > capacity:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._entries)


_cache = ProcessCache()


def json_cached(*, key: Hashable, render: Callable[[], str]) -> str:
    """The JSON text render() gives, cached under `key`, which must carry the data's
    version."""
    body = _cache.get(key)
    if body is None:
        body = render()
        _cache.set(key, body, size=len(body))
    return body


def json_cache_get(key: Hashable) -> Any:
    return _cache.get(key)


def json_cache_set(key: Hashable, value: Any, *, size: int) -> None:
    _cache.set(key, value, size=size)


def json_cache_clear() -> None:
    """Forget every entry, as a process that has read nothing yet (tests)."""
    _cache.clear()
