"""The web server that `make run` starts keeps answering while slow clients dribble."""

import os
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from repotraffic.common.tests.polling import poll_until

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def gunicorn_serve(tmp_path, **env_extra: str):
    """gunicorn with the project's config, as the Procfile runs it: its port."""
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "REPOTRAFFIC_VAR_DIR": str(tmp_path),
        **env_extra,
    }
    command = [GUNICORN, "config.wsgi", "--config", "config/gunicorn.py", "--bind", "127.0.0.1:0"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        poll_until(lambda: "Listening at" in log.read_text(), what="gunicorn to listen")
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
        assert found is not None
        yield int(found.group(1))
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def server(tmp_path):
    """One process only."""
    yield from gunicorn_serve(tmp_path, WEB_CONCURRENCY="1")


def test_slow_clients_do_not_stall_the_others(server):
    stop = threading.Event()
    slow = [socket.create_connection(("127.0.0.1", server), timeout=30) for _ in range(3)]

    def dribble(conn: socket.socket) -> None:
        conn.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while not stop.wait(0.5):  # one byte every half second, never the blank line
            conn.sendall(b"X")

    dribblers = [threading.Thread(target=dribble, args=(conn,), daemon=True) for conn in slow]
    for thread in dribblers:
        thread.start()
    try:
        # With a process per request (gunicorn's sync worker) these waited behind the
        # slow clients until gunicorn's 30 s timeout; the timeout here only bounds a failure.
        for _ in range(5):
            with urllib.request.urlopen(f"http://127.0.0.1:{server}/api/health", timeout=10) as r:
                assert r.status == 200
        # ...and the slow clients are still being waited for, not dropped to make room.
        for conn in slow:
            conn.setblocking(False)
            with pytest.raises(BlockingIOError):
                conn.recv(1)
    finally:
        stop.set()
        for thread in dribblers:
            thread.join(timeout=5)
        for conn in slow:
            conn.close()


METRICS_TOKEN = "metrics-token-0123456789abcdef-for-tests"


@pytest.fixture
def metrics_server(tmp_path):
    """Two worker processes with /metrics on, and figures an earlier run left behind."""
    (tmp_path / "prometheus").mkdir()
    (tmp_path / "prometheus" / "counter_1.db").write_bytes(b"an earlier run's")
    yield from gunicorn_serve(
        tmp_path, WEB_CONCURRENCY="2", WEB_THREADS="2", REPOTRAFFIC_METRICS_TOKEN=METRICS_TOKEN
    )


def test_metrics_count_the_requests_of_every_worker_process(metrics_server, tmp_path):
    base = f"http://127.0.0.1:{metrics_server}"
    for _ in range(20):  # a connection each: either worker may take it
        with urllib.request.urlopen(f"{base}/api/health", timeout=10) as response:
            assert response.status == 200
    scrape = urllib.request.Request(
        f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )

    with urllib.request.urlopen(scrape, timeout=10) as response:
        text = response.read().decode()

    assert 'repotraffic_http_requests_total{method="GET",status="200",view="health"} 20.0' in text
    figures = sorted(path.name for path in (tmp_path / "prometheus").iterdir())
    assert figures and "counter_1.db" not in figures  # wiped at start, then written again
