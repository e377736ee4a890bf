"""metrics.http: the request figures, summed over every process that keeps them."""

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from repotraffic.metrics.http import MULTIPROCESS_DIR_VARIABLE, http_figures_register
from repotraffic.metrics.tests.helpers import sample, samples

ROOT = Path(__file__).resolve().parents[3]

# What one web process does with its requests, in a process of its own.
_WORKER = """
from repotraffic.metrics.http import http_request_observe
for _ in range({count}):
    http_request_observe(method="GET", view="health", status=200, seconds=0.003)
http_request_observe(method="BREW", view="", status=404, seconds=0.02)
"""


def run_worker(folder: Path, count: int) -> None:
    env = {**os.environ, MULTIPROCESS_DIR_VARIABLE: str(folder)}
    subprocess.run(
        [sys.executable, "-c", _WORKER.format(count=count)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )


def test_the_figures_are_every_processs_summed(tmp_path, monkeypatch):
    run_worker(tmp_path, 7)
    run_worker(tmp_path, 5)
    monkeypatch.setenv(MULTIPROCESS_DIR_VARIABLE, str(tmp_path))
    registry = CollectorRegistry()

    http_figures_register(registry)
    found = samples(generate_latest(registry).decode())

    requests = "repotraffic_http_requests_total"
    assert sample(found, requests, method="GET", view="health", status="200") == 12
    # Labels stay few: an unknown method is "other", a path no pattern matched "unmatched".
    assert sample(found, requests, method="other", view="unmatched", status="404") == 2
    duration = "repotraffic_http_request_duration_seconds"
    assert sample(found, f"{duration}_count", view="health") == 12
    assert sample(found, f"{duration}_bucket", view="health", le="0.005") == 12
    assert sample(found, f"{duration}_bucket", view="unmatched", le="0.01") == 0
    assert sample(found, f"{duration}_bucket", view="unmatched", le="0.025") == 2
