"""What /metrics' request figures add to each request: HttpMetricsMiddleware around a view
that answers at once, in one process and in gunicorn's multiprocess mode (each figure
written to a file every worker shares), against the same call without it.

    .venv/bin/python bench/bench_metrics.py [--requests 200000]

With REPOTRAFFIC_METRICS_TOKEN unset the middleware is not used at all (Django drops it
at start), so it adds nothing; that is how every other benchmark runs.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, ROOT

MEASURE = """
import os, statistics, time
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["REPOTRAFFIC_METRICS_TOKEN"] = "x" * 40
import django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve
from repotraffic.metrics.middleware import HttpMetricsMiddleware

request = RequestFactory().get("/api/health")
request.resolver_match = resolve("/api/health")
response = HttpResponse()
view = lambda request: response
middleware = HttpMetricsMiddleware(view)

def per_call(call, count):
    started = time.perf_counter()
    for _ in range(count):
        call(request)
    return (time.perf_counter() - started) / count

rounds = [per_call(middleware, {count}) - per_call(view, {count}) for _ in range(5)]
print(f"{{statistics.median(rounds) * 1e6:.1f}}")
"""


def measure(*, count: int, multiprocess: bool) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with tempfile.TemporaryDirectory() as folder:
        if multiprocess:
            env["PROMETHEUS_MULTIPROC_DIR"] = folder
        result = subprocess.run(
            [PYTHON, "-c", MEASURE.format(count=count)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    return result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    count = parser.parse_args().requests
    print("| mode | added per request (median of 5 rounds) |")
    print("|---|---|")
    print(f"| one process | {measure(count=count, multiprocess=False)} µs |")
    print(f"| gunicorn, multiprocess files | {measure(count=count, multiprocess=True)} µs |")


if __name__ == "__main__":
    main()
