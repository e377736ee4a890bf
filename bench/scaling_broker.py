"""The broker at a million repositories (docs/scaling.md): how fast Redis takes and
gives the daily run's tasks, what they cost in Redis memory, and what a worker holds
for the retries that wait for a token's next hour.

    .venv/bin/python bench/scaling_broker.py [--redis redis://127.0.0.1:6379/14]
        [--tasks 20000] [--eta-tasks 5000] [--concurrency 2]

Against the Redis of --redis (database 14 by default). The run writes only its own
queue (a random name) and deletes it, and what it left in kombu's shared `unacked`
hash, at the end.

1. redis-benchmark: LPUSH and RPOP, 50 clients, 100,000 each: the raw ceiling.
2. Publishing: `traffic_fetch_repository.delay(id)` --tasks times from one process, as
   traffic_fetch_all queues the daily run: tasks a second, and Redis bytes a message.
3. Consuming: a Celery worker with the app's settings (prefork pool, acks late,
   prefetch 1) drains them. Each is the app's task for an id no repository has: one
   query on a throwaway SQLite database, then it returns. Tasks a second: Celery's and
   the broker's share of a collection.
4. Retries: --eta-tasks tasks with a countdown of 30 minutes (a rate-limited token's
   retry at its reset). A worker reserves every such task at once and keeps it in
   memory, and Redis keeps it in `unacked`, until it is due: bytes each.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def environment(*, redis_url: str, var_dir: str) -> dict[str, str]:
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        CELERY_BROKER_URL=redis_url,
        DATABASE_URL=f"sqlite:///{var_dir}/db.sqlite3",
        REPOTRAFFIC_VAR_DIR=var_dir,
        REPOTRAFFIC_GATE_URL="memory",
        GITHUB_API_URL="http://127.0.0.1:9",
        GITHUB_TOKEN="",
        LOG_LEVEL="WARNING",
    )


def worker_run(queue: str, concurrency: int) -> None:
    """The worker (run as this script with --worker): the app's Celery settings, on one
    queue, without the catch-up it queues when it starts (which would ask for every
    stale repository's collection) and without remote control (no shared pidbox keys)."""
    import django

    django.setup()
    from celery.signals import worker_ready

    from config.celery import app
    from repotraffic.traffic import tasks

    worker_ready.disconnect(tasks._catch_up_on_start)
    app.conf.worker_enable_remote_control = False
    app.worker_main(
        [
            "worker",
            "--queues",
            queue,
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


def redis_benchmark(*, host: str, port: int, db: int, client) -> dict[str, float]:
    """redis-benchmark's LPUSH and RPOP requests a second (its key is `mylist`: skipped
    if that key exists already, and deleted afterwards)."""
    if not shutil.which("redis-benchmark") or client.exists("mylist"):
        return {}
    command = ["redis-benchmark", "-h", host, "-p", str(port), "--dbnum", str(db)]
    command += ["-c", "50", "-n", "100000", "-t", "lpush,rpop", "-q"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    client.delete("mylist")
    return {
        name: float(rate)
        for name, rate in re.findall(r"(LPUSH|RPOP): ([\d.]+) requests per second", out)
    }


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


def wait_until(condition, *, timeout: float, poll: float = 0.05) -> float:
    """Polls until `condition()`; the monotonic time it held. Raises on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(poll)
    raise RuntimeError("timed out")


def cleanup(client, queue: str) -> None:
    """Deletes this run's queue and bindings, and its messages left in `unacked`."""
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
    for tag, payload in client.hscan_iter("unacked"):
        if queue.encode() in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--eta-tasks", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_run(args.worker, args.concurrency)
        return
    var_dir = tempfile.mkdtemp(prefix="repotraffic-broker-")
    env = environment(redis_url=args.redis, var_dir=var_dir)
    os.environ.update(env)
    import django
    import redis

    django.setup()
    from django.core.management import call_command

    from repotraffic.traffic.tasks import traffic_fetch_repository

    call_command("migrate", verbosity=0)
    client = redis.Redis.from_url(args.redis)
    queue = f"scaling-bench-{uuid.uuid4().hex[:8]}"
    where = client.connection_pool.connection_kwargs
    results: dict[str, float] = {}
    results.update(
        redis_benchmark(host=where["host"], port=where["port"], db=where["db"], client=client)
    )
    worker = None
    try:
        started = time.perf_counter()
        for _ in range(args.tasks):
            traffic_fetch_repository.apply_async(args=(str(uuid.uuid4()),), queue=queue)
        results["publish_per_s"] = args.tasks / (time.perf_counter() - started)
        results["message_bytes"] = (client.memory_usage(queue) or 0) / client.llen(queue)
        results["message_body_bytes"] = len(client.lindex(queue, 0) or b"")
        worker = subprocess.Popen(
            [sys.executable, __file__, "--worker", queue, "--concurrency", str(args.concurrency)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # Celery's banner
        )
        first = wait_until(lambda: client.llen(queue) < args.tasks, timeout=120)
        left = client.llen(queue)
        drained = wait_until(lambda: client.llen(queue) == 0, timeout=3600)
        results["consume_per_s"] = left / (drained - first)
        time.sleep(2)  # the last tasks finish
        held_before, rss_before = client.hlen("unacked"), rss_kb(worker.pid)
        unacked_before = client.memory_usage("unacked") or 0
        for _ in range(args.eta_tasks):
            traffic_fetch_repository.apply_async(
                args=(str(uuid.uuid4()),), queue=queue, countdown=1800
            )
        wait_until(lambda: client.llen(queue) == 0, timeout=600)
        time.sleep(2)
        results["eta_held"] = client.hlen("unacked") - held_before
        results["eta_worker_rss_bytes"] = (
            (rss_kb(worker.pid) - rss_before) * 1024 / max(1, results["eta_held"])
        )
        results["eta_unacked_bytes"] = (
            (client.memory_usage("unacked") or 0) - unacked_before
        ) / max(1, results["eta_held"])
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)  # warm shutdown: gives the held tasks back
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        cleanup(client, queue)
        shutil.rmtree(var_dir, ignore_errors=True)
    for name, value in results.items():
        print(f"{name}: {value:,.1f}")


if __name__ == "__main__":
    main()
