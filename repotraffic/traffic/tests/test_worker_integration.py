"""Real Celery worker processes collecting from the fake GitHub, in both modes:
embedded (filesystem broker, beat inside the worker, as `make run` starts it) and
scaled (Redis broker; .ci/run runs this on PostgreSQL too)."""

import datetime as dt

import pytest

from repotraffic.common.tests.polling import poll_until
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import Collection, TrafficDay
from repotraffic.traffic.tests.workers import Processes, broker_for, worker_command, worker_env


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["embedded", "redis"])
def test_a_real_worker_collects_on_start_and_through_the_beat_task(mode, github, tmp_path):
    github.add_repo("acme", "rocket")
    rocket = RepositoryFactory.create(owner="acme", name="rocket")
    missing = RepositoryFactory.create(owner="acme", name="gone", user=rocket.user)
    today = github.now().date()

    with broker_for(mode, tmp_path) as broker:
        processes = Processes(tmp_path)
        command = worker_command("--concurrency", "2")
        if mode == "embedded":
            command += ["--beat", "--schedule", str(tmp_path / "beat-schedule")]
        worker = processes.start(
            command, env=worker_env(broker=broker, github_url=github.url), name="worker"
        )
        try:
            # After downtime: repositories never collected are collected when the worker starts.
            poll_until(
                lambda: Collection.objects.filter(last_attempt_at__isnull=False).count() == 2,
                seconds=90,
                interval=0.3,
                what="the collection on worker start",
                details=worker.log_tail,
            )
            assert TrafficDay.objects.filter(repository=rocket, date=today).exists()
            missing.refresh_from_db()
            assert (
                "acme/gone" in missing.collection.last_error
                and missing.collection.last_success_at is None
            )

            # The scheduled run: what beat sends, sent to the same broker.
            github.advance(days=1)
            broker.sender().send_task("traffic_fetch_all")
            tomorrow = today + dt.timedelta(days=1)
            poll_until(
                lambda: TrafficDay.objects.filter(repository=rocket, date=tomorrow).exists(),
                seconds=60,
                interval=0.3,
                what="the collection queued by traffic_fetch_all",
                details=worker.log_tail,
            )
            rows = TrafficDay.objects.filter(repository=rocket)
            assert rows.count() == rows.values("date").distinct().count()
            row = rows.get(date=today)
            assert (row.views, row.unique_views, row.clones, row.unique_clones) == github.truth(
                "acme", "rocket", today
            )
        finally:
            processes.kill_all()
