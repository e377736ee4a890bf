"""Production settings plus the benchmarks' baseline view (bench/bench_urls.py).

Only the benchmarks load this module (DJANGO_SETTINGS_MODULE=bench.bench_settings): the
baseline is not reachable on a real server."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
