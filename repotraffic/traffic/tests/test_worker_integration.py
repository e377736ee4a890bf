"""Real Celery worker processes collecting from the fake GitHub, in both modes:
embedded (filesystem broker, beat inside the worker, as `make run` starts it) and
scaled (Redis broker; .ci/run runs this on PostgreSQL too)."""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from celery import Celery
from django.db import connection

from repotraffic.common.tests.polling import poll_until
from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import TrafficDay

ROOT = Path(__file__).resolve().parents[3]
CELERY = str(Path(sys.executable).parent / "celery")
REDIS_URL = os.environ.get("TEST_CELERY_BROKER_URL", "")


def _redis_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _broker(mode: str, var_dir: Path) -> tuple[str, dict]:
    if mode == "embedded":
        queue = str(var_dir / "celery" / "queue")
        return "filesystem://", {
            "data_folder_in": queue,
            "data_folder_out": queue,
            "processed_folder": str(var_dir / "celery" / "processed"),
            "control_folder": str(var_dir / "celery" / "control"),
        }
    if not REDIS_URL.startswith("redis://") or not _redis_reachable(REDIS_URL):
        reason = (
            "the scaled-mode worker test needs Redis: set TEST_CELERY_BROKER_URL=redis://... "
            "(.ci/run does, on SQLite and PostgreSQL)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"not skipped in CI: {reason}")
        pytest.skip(reason)
    return REDIS_URL, {}


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["embedded", "redis"])
def test_a_real_worker_collects_on_start_and_through_the_beat_task(mode, github, tmp_path):
    broker_url, transport = _broker(mode, tmp_path)
    if mode == "redis":
        redis.Redis.from_url(broker_url).flushdb()
    github.add_repo("acme", "rocket")
    rocket = RepositoryFactory.create(owner="acme", name="rocket")
    missing = RepositoryFactory.create(owner="acme", name="gone", user=rocket.user)
    today = github.now().date()

    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "REPOTRAFFIC_VAR_DIR": str(tmp_path),
        "GITHUB_API_URL": github.url,
        "GITHUB_TOKEN": "server-token",
        "GITHUB_RETRY_BACKOFF": "0.01",
    }
    command = [CELERY, "--app", "config", "worker", "--concurrency", "2", "--loglevel", "INFO"]
    if mode == "embedded":
        command += ["--beat", "--schedule", str(tmp_path / "beat-schedule")]
    with log.open("w") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        # After downtime: repositories never collected are collected when the worker starts.
        poll_until(
            lambda: Repository.objects.filter(last_attempt_at__isnull=False).count() == 2,
            seconds=90,
            interval=0.3,
            what="the collection on worker start",
            details=lambda: log.read_text()[-4000:],
        )
        assert TrafficDay.objects.filter(repository=rocket, date=today).exists()
        missing.refresh_from_db()
        assert "acme/gone" in missing.last_error and missing.last_success_at is None

        # The scheduled run: what beat sends, sent to the same broker.
        github.advance(days=1)
        sender = Celery("sender", broker=broker_url)
        sender.conf.broker_transport_options = transport
        sender.send_task("traffic_fetch_all")
        tomorrow = today + dt.timedelta(days=1)
        poll_until(
            lambda: TrafficDay.objects.filter(repository=rocket, date=tomorrow).exists(),
            seconds=60,
            interval=0.3,
            what="the collection queued by traffic_fetch_all",
            details=lambda: log.read_text()[-4000:],
        )
        rows = TrafficDay.objects.filter(repository=rocket)
        assert rows.count() == rows.values("date").distinct().count()
        row = rows.get(date=today)
        assert (row.views, row.unique_views, row.clones, row.unique_clones) == github.truth(
            "acme", "rocket", today
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
