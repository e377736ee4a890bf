import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

DAY = 24 * 3600


def json_cached(*, key: str, build: Callable[[], Any], timeout: int = DAY) -> str:
    """JSON text of build(), cached under a key that must carry the data's version,
    so an entry is never stale and needs no invalidation; old versions age out."""
    body = cache.get(key)
    if body is None:
        body = json.dumps(build(), separators=(",", ":"))
        cache.set(key, body, timeout=timeout)
    return body
