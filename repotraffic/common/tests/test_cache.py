"""common.cache: the API's JSON stays in this process, even when the default cache is
shared."""

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from repotraffic.common.cache import json_cache, json_cached


def test_it_is_the_default_cache_when_that_is_this_processs_memory():
    assert json_cache() is caches["default"]


def test_it_is_this_processs_memory_when_the_default_is_shared(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }

    assert isinstance(json_cache(), LocMemCache)
    assert json_cache() is not caches["default"]


def test_a_rendering_is_kept_under_its_key():
    renders = []

    def render() -> str:
        renders.append(1)
        return '{"a":1}'

    assert json_cached(key="k:1", render=render) == '{"a":1}'
    assert json_cached(key="k:1", render=render) == '{"a":1}'
    assert len(renders) == 1
