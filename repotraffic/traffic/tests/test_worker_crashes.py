"""A collection survives the worker that runs it: killed with SIGKILL (the whole worker,
or only the pool process running it), or stopped with SIGTERM or Ctrl-C mid-collection,
on both brokers. Real worker processes, the fake GitHub holding the collection's request
open, and a short collection lease so that a dead worker's lease lapses quickly."""

import os
import re
import signal

import pytest

from repotraffic.common.tests.polling import poll_until
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import Collection, TrafficDay
from repotraffic.traffic.tests.workers import (
    ROOT,
    Broker,
    Processes,
    broker_for,
    free_port,
    worker_command,
    worker_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = "3"
# What the Procfile gives the worker: on SIGTERM the pool processes carry on and the
# worker makes a soft shutdown (CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT), then requeues.
AS_THE_PROCFILE_RUNS_IT = {"REMAP_SIGTERM": "SIGQUIT"}


@pytest.fixture(params=["embedded", "redis"])
def broker(request, tmp_path):
    with broker_for(request.param, tmp_path) as broker:
        yield broker


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.kill_all()


@pytest.fixture
def rocket(github):
    github.add_repo("acme", "rocket")
    return RepositoryFactory.create(owner="acme", name="rocket")


def start_worker(processes: Processes, broker: Broker, github, *args: str, **env: str):
    environment = worker_env(
        broker=broker,
        github_url=github.url,
        TRAFFIC_COLLECTION_LEASE_SECONDS=LEASE_SECONDS,
        CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT="2",
        # A request the fake holds open stays open: the collection is in flight.
        GITHUB_TIMEOUT="60",
        **env,
    )
    command = worker_command("--concurrency", "1", *args)
    return processes.start(command, env=environment, name="worker")


def hold_github_requests(github) -> None:
    github.inject_fault("timeout", seconds=60, count=100, repo="acme/rocket")


def wait_until_mid_collection(github, worker) -> None:
    poll_until(
        lambda: any("/repos/acme/rocket" in path for path in github.request_counts()),
        seconds=60,
        interval=0.1,
        what="the collection to reach GitHub",
        details=worker.log_tail,
    )


def wait_until_collected(rocket, *workers) -> None:
    def details() -> str:
        return "\n".join(worker.log_tail() for worker in workers)

    poll_until(
        lambda: Collection.objects.filter(pk=rocket.id, last_success_at__isnull=False).exists(),
        seconds=90,
        interval=0.2,
        what="the collection to succeed",
        details=details,
    )
    rows = TrafficDay.objects.filter(repository=rocket)
    assert rows.exists()
    assert rows.count() == rows.values("date").distinct().count()


def test_a_collection_survives_kill_9_of_the_whole_worker(broker, processes, github, rocket):
    hold_github_requests(github)
    first = start_worker(processes, broker, github)
    wait_until_mid_collection(github, first)

    first.kill()  # SIGKILL to the worker and its pool: its task and lease are left behind
    github.clear_faults()
    second = start_worker(processes, broker, github)

    # Its catch-up queues the collection that was requested and not done; the task waits
    # for the dead worker's lease to lapse, then collects.
    wait_until_collected(rocket, first, second)


def test_a_killed_pool_process_has_its_task_redelivered(broker, processes, github, rocket):
    hold_github_requests(github)
    worker = start_worker(processes, broker, github)
    wait_until_mid_collection(github, worker)
    (pool_process,) = worker.children()

    os.kill(pool_process, signal.SIGKILL)
    github.clear_faults()

    # The same worker, which queued its catch-up only when it started: the task comes
    # back to it because it was rejected, not acknowledged, when its process died.
    wait_until_collected(rocket, worker)
    assert worker.popen.poll() is None  # the worker lives on
    assert "WorkerLostError" in worker.log_tail(100_000)


def test_sigterm_mid_collection_stops_cleanly_and_the_collection_is_not_lost(
    broker, processes, github, rocket
):
    hold_github_requests(github)
    first = start_worker(processes, broker, github, **AS_THE_PROCFILE_RUNS_IT)
    wait_until_mid_collection(github, first)

    # As honcho (make run) and systemd stop it: SIGTERM to the whole process group.
    first.signal_group(signal.SIGTERM)

    assert first.exit_code(seconds=60) == 0
    github.clear_faults()
    second = start_worker(processes, broker, github, **AS_THE_PROCFILE_RUNS_IT)
    wait_until_collected(rocket, first, second)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_worker_told_to_stop_finishes_a_collection_in_flight(
    signum, broker, processes, github, rocket
):
    github.set_latency(1500)  # each request to GitHub takes 1.5 s
    worker = start_worker(processes, broker, github)
    wait_until_mid_collection(github, worker)

    # Ctrl-C in a terminal, or SIGTERM from a process manager that signals the worker
    # alone (Docker, Kubernetes): Celery's warm shutdown lets the collection finish.
    worker.signal(signum)

    assert worker.exit_code(seconds=60) == 0
    rocket.refresh_from_db()
    assert rocket.collection.last_success_at is not None


def test_ctrl_c_of_make_run_stops_the_worker_cleanly_mid_collection(
    processes, github, rocket, tmp_path
):
    broker = Broker(mode="embedded", url="filesystem://", var_dir=tmp_path)
    hold_github_requests(github)
    # The Procfile as `make run` starts it: honcho, web and a worker with beat.
    environment = worker_env(
        broker=broker,
        github_url=github.url,
        TRAFFIC_COLLECTION_LEASE_SECONDS=LEASE_SECONDS,
        GITHUB_TIMEOUT="60",
        WEB_CONCURRENCY="1",
    )
    port = str(free_port())
    command = [
        *[str(ROOT / ".venv" / "bin" / "python"), "-m", "config.honcho_run"],
        *["start", "--env", "/dev/null", "--procfile", "Procfile", "--port", port],
    ]
    honcho = processes.start(command, env=environment, name="honcho")
    try:
        wait_until_mid_collection(github, honcho)

        honcho.signal(signal.SIGINT)  # Ctrl-C

        assert honcho.exit_code(seconds=60) == 130
    finally:
        # honcho starts web and worker in sessions of their own: only honcho stops them.
        if honcho.popen.poll() is None:
            honcho.signal(signal.SIGINT)
            honcho.popen.wait(timeout=60)
    output = honcho.log_tail(100_000)
    assert "SIGKILL" not in output
    assert re.search(r"worker\.1 stopped \(rc=0\)", output), output
    github.clear_faults()
    worker = start_worker(processes, broker, github)
    wait_until_collected(rocket, honcho, worker)
