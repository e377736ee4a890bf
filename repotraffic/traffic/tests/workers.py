"""Real Celery worker processes for the integration tests: the two brokers, the worker's
environment, starting and signalling workers (each in its own process group), and
reading what they logged."""

import fcntl
import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
CELERY = str(Path(sys.executable).parent / "celery")
REDIS_URL = os.environ.get("TEST_CELERY_BROKER_URL", "")


@dataclass(frozen=True)
class Broker:
    mode: str  # "embedded" (the filesystem broker under the var dir) or "redis"
    url: str
    var_dir: Path

    def sender(self) -> Celery:
        """A Celery app that sends to this broker, as beat or the web process would."""
        app = Celery("sender", broker=self.url)
        if self.mode == "embedded":
            queue = str(self.var_dir / "celery" / "queue")
            app.conf.broker_transport_options = {
                "data_folder_in": queue,
                "data_folder_out": queue,
                "processed_folder": str(self.var_dir / "celery" / "processed"),
                "control_folder": str(self.var_dir / "celery" / "control"),
            }
        return app


def _redis_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def redis_url_or_skip() -> str:
    if not REDIS_URL.startswith("redis://") or not _redis_reachable(REDIS_URL):
        reason = (
            "the scaled-mode worker tests need Redis: set TEST_CELERY_BROKER_URL=redis://... "
            "(.ci/run does, on SQLite and PostgreSQL)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"not skipped in CI: {reason}")
        pytest.skip(reason)
    return REDIS_URL


@contextmanager
def redis_to_ourselves(url: str) -> Iterator[None]:
    """The Redis database, empty, to this test alone: every test run on this machine (the
    other pytest-xdist processes, a colleague's run) queues to the same one, and a worker
    consumes whatever is queued there."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"repotraffic-test-broker-{digest}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            redis.Redis.from_url(url).flushdb()
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def broker_for(mode: str, var_dir: Path) -> Iterator[Broker]:
    if mode == "embedded":
        yield Broker(mode=mode, url="filesystem://", var_dir=var_dir)
        return
    url = redis_url_or_skip()
    with redis_to_ourselves(url):
        yield Broker(mode=mode, url=url, var_dir=var_dir)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(*, broker: Broker, github_url: str, **overrides: str) -> dict[str, str]:
    """The environment a deployed worker gets, against the test database and fake GitHub."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker.url,
        "REPOTRAFFIC_VAR_DIR": str(broker.var_dir),
        "GITHUB_API_URL": github_url,
        "GITHUB_TOKEN": "server-token",
        "GITHUB_RETRY_BACKOFF": "0.01",
        **overrides,
    }


def worker_command(*args: str) -> list[str]:
    return [CELERY, "--app", "config", "worker", "--loglevel", "INFO", *args]


@dataclass
class Process:
    """A process started in its own process group (as honcho and systemd do), so that a
    signal can go to it alone or to it and its pool processes together."""

    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def signal(self, signum: int) -> None:
        self.popen.send_signal(signum)

    def signal_group(self, signum: int) -> None:
        os.killpg(self.popen.pid, signum)

    def exit_code(self, *, seconds: float) -> int:
        """Wait for the process to exit by itself (failing the test after `seconds`)."""
        try:
            return self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"still running {seconds:g} s after being told to stop\n{self.log_tail()}"
            ) from None

    def children(self) -> list[int]:
        """The pids of its child processes (a worker's pool)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces and parentheses.
            if int(stat.rpartition(")")[2].split()[1]) == self.pid:
                found.append(int(entry.name))
        return found

    def log_tail(self, chars: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def kill(self) -> None:
        """SIGKILL to the whole group, pool included; no-op once it is gone."""
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)


@dataclass
class Processes:
    """Starts processes for one test; any still running at its end are killed."""

    directory: Path
    started: list[Process] = field(default_factory=list)

    def start(self, command: list[str], *, env: dict[str, str], name: str) -> Process:
        log = self.directory / f"{name}-{len(self.started)}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(popen=popen, log=log)
        self.started.append(process)
        return process

    def kill_all(self) -> None:
        for process in self.started:
            process.kill()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
