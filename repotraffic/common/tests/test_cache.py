"""common.cache: the API's JSON in this process's memory, bounded by its size, the least
recently used going first."""

from repotraffic.common.cache import MB, ProcessCache, json_cached


def test_a_rendering_is_kept_under_its_key():
    renders = []

    def render() -> str:
        renders.append(1)
        return '{"a":1}'

    assert json_cached(key=("k", 1), render=render) == '{"a":1}'
    assert json_cached(key=("k", 1), render=render) == '{"a":1}'
    assert len(renders) == 1


def test_the_least_recently_used_go_once_the_size_passes_the_setting(settings):
    settings.REPOTRAFFIC_API_CACHE_MB = 1
    cache = ProcessCache()
    for key in "abc":
        cache.set(key, key * 400_000, size=400_000)

    # a, b, c would be 1.2 MB: a, the oldest, went.
    assert cache.get("a") is None
    assert cache.get("b") == "b" * 400_000
    cache.set("d", "d", size=400_000)  # b was just read: c goes

    assert cache.get("c") is None
    assert cache.get("b") is not None
    assert cache.get("d") == "d"


def test_a_value_larger_than_the_cache_is_not_kept_and_replaces_nothing(settings):
    settings.REPOTRAFFIC_API_CACHE_MB = 1
    cache = ProcessCache()
    cache.set("small", "s", size=10)

    cache.set("huge", "h", size=MB + 1)

    assert cache.get("huge") is None
    assert cache.get("small") == "s"


def test_a_key_set_again_counts_once(settings):
    settings.REPOTRAFFIC_API_CACHE_MB = 1
    cache = ProcessCache()
    for _ in range(5):
        cache.set("a", "a", size=300_000)
    cache.set("b", "b", size=600_000)

    assert cache.get("a") == "a"
    assert cache.get("b") == "b"


def test_zero_keeps_nothing(settings):
    settings.REPOTRAFFIC_API_CACHE_MB = 0
    renders = []

    def render() -> str:
        renders.append(1)
        return "{}"

    json_cached(key="k", render=render)
    json_cached(key="k", render=render)

    assert len(renders) == 2
