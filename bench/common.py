"""Shared helpers for benchmarks: a throwaway production-style server on loopback."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(workdir: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_DEBUG="false",
        DJANGO_SECURE_COOKIES="false",
        REPOTRAFFIC_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        REPOTRAFFIC_VAR_DIR=str(workdir),
        DATABASE_URL=env.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'db.sqlite3'}",
        CELERY_BROKER_URL="memory://",
        GITHUB_API_URL="http://127.0.0.1:9",
        LOG_LEVEL="WARNING",
        # One operator's instance: its users may collect with the server's token
        # (production's default lends it only to users an operator trusts).
        REPOTRAFFIC_SERVER_TOKEN_FOR="everyone",
    )
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def python_in_django(env: dict, code: str) -> str:
    """Run code with Django set up (for seeding data) and return what it prints."""
    return manage(env, "shell", "-c", code)


@contextmanager
def polling(poll: Callable[[], None], *, every: float):
    """Calls `poll` every `every` seconds in a background thread while the block runs."""
    done = threading.Event()

    def loop() -> None:
        while not done.wait(every):
            poll()

    poller = threading.Thread(target=loop, daemon=True)
    poller.start()
    try:
        yield
    finally:
        done.set()
        poller.join()


@contextmanager
def workdir():
    path = Path(tempfile.mkdtemp(prefix="repotraffic-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def throwaway_database(env: dict):
    """The benchmark's own database: SQLite in the work directory by default; with
    BENCH_DATABASE_URL=postgres://..., a new database on that server, named after the
    URL's with a random suffix and dropped at the end, so no existing data is touched
    and runs can follow one another. Yields env with DATABASE_URL set to it."""
    url = env["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        yield env
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'repotraffic_bench'}_{uuid.uuid4().hex[:8]}"
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield dict(env, DATABASE_URL=urllib.parse.urlunsplit(parts._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def gunicorn(env: dict, *, workers: int = 2):
    port = free_port()
    server_env = dict(env, WEB_CONCURRENCY=str(workers))
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--config", "config/gunicorn.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise RuntimeError(f"unexpected wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * _UNITS[unit]


def wrk(
    url: str, *, headers: dict[str, str] | None = None, seconds: int = 10, connections: int = 4
):
    """Requests/s and p50/p99 latency (ms) from wrk, with one thread on the shared cores."""
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url} answered errors:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        # Anchored: the thread stats' "+/- Stdev" column can end in "99%" too.
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)),
    }
