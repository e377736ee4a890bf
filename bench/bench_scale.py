"""The collection at scale, as deployed: PostgreSQL, Redis, several Celery workers, many
GitHub tokens, against the fake GitHub in its own process (loopback only).

    .venv/bin/python bench/bench_scale.py
        [--repositories 10000] [--users-with-tokens 100] [--server-tokens 3]
        [--workers 3] [--concurrency 8] [--latency-ms 100] [--token-concurrency 4]
        [--runs first] [--backfill-per-hour 0] [--timeout 1500]

Half the repositories belong to users with their own GitHub token (spread evenly over
--users-with-tokens users: 50 each at the full size), the other half to users without
one, 50 each, who collect with the server's token (REPOTRAFFIC_SERVER_TOKEN_FOR=
everyone). The server has --server-tokens tokens in GITHUB_TOKEN, comma-separated
("srv-1,srv-2,srv-3"). The fake knows every token under its own login (server-1..,
user-1..) and lets a user's token push to that user's repositories only, so a
repository collected with another token fails. It also knows the whole GITHUB_TOKEN
string as one token, login "server-unsplit", so that an app that would not split
GITHUB_TOKEN still collects, and the check below names the cause.

The database is a new one on BENCH_DATABASE_URL's server (default
postgres://postgres@127.0.0.1:5432/repotraffic_bench), dropped at the end. The broker
and the token gates are in BENCH_REDIS_URL (default redis://127.0.0.1:6379/12): that
Redis database is flushed at the start and at the end, so give the benchmark one of
its own. --workers Celery workers start as docs/operations.md runs them
(REMAP_SIGTERM=SIGQUIT celery --app config worker, prefork), each with --concurrency
pool processes. Once they are up and idle (their catch-up on start found nothing), the
users and repositories are seeded (bulk_create, each with its collection state) and
`traffic_fetch_all` is sent to the broker, as beat sends it. It queues what each token's
hour can pay for (5,000 requests until GitHub, here the fake, says otherwise), and
`traffic_fetch_due`, which beat sends every 10 minutes, queues the rest as the gates
learn what is left: the benchmark sends it every --dispatch-every seconds (30), so that
the run measures the collection rather than beat's period. The fake allows 100 times
more requests an hour than GitHub's 5,000, or the first collection would take hours.

Runs: "first", the first collection with the fake's clock on START (a Thursday), and
with --runs first,daily then "daily", the daily collection a day later (the fake's clock
moved on a day). Each is timed from the send to the moment every repository has a
success recorded since (polled in the database). At the full size the first collection
alone takes about 9 minutes on 2 shared cores (extrapolated from 2,000), the daily one
about 8 more. Star history rebuilds are paid from an allowance per token and hour
(TRAFFIC_BACKFILL_REQUESTS_PER_HOUR, here 0 by default, so that the runs do the
collection's own work; with an allowance its stargazer pages are reported apart).

Checks, each a failure (exit 1) when missed:
- every repository collected in each run, within --timeout;
- the most requests the fake had in flight at once for any token (its login), never
  above GITHUB_TOKEN_CONCURRENCY; no request without a known token, nor with the whole
  GITHUB_TOKEN as one;
- the fake's request count, stargazer pages aside, exactly 8 per repository in the
  first collection and 6 in the daily one (docs/benchmarks.md, Collection).
Reported: wall time per run against its floor, requests per second, the CPU of the
workers and of the fake, and each worker's peak RSS (VmHWM, polled from /proc),
its parent and each pool process.
"""

import argparse
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_collection import DAILY_REQUESTS, FIRST_REQUESTS, START, Fake, fake_github, request_kinds
from common import (
    BIN,
    ROOT,
    manage,
    polling,
    production_env,
    python_in_django,
    throwaway_database,
    workdir,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/repotraffic_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
REPOSITORIES_PER_USER = 50  # of the users who collect with the server's token
UNSPLIT_LOGIN = "server-unsplit"
READY_SECONDS = 120.0
STOP_SECONDS = 30.0

# Prefixed with `path = "..."`: the plan's JSON file (users, their tokens, repositories).
SEED = """
import json
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Collection
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.models import User, email_key

with open(path) as plan_file:
    plan = json.load(plan_file)
emails = [f"{owner['label']}@example.com" for owner in plan]
users = User.objects.bulk_create([
    User(email=email, email_key=email_key(email), token_digest=f"{i:064x}",
         github_token_encrypted=secret_encrypt(owner["token"]) if owner["token"] else "")
    for i, (email, owner) in enumerate(zip(emails, plan))
])
repositories = Repository.objects.bulk_create(
    [Repository(user=user, owner=o, name=n)
     for user, owner in zip(users, plan) for o, n in owner["repositories"]],
    batch_size=2000,
)
# Each with its collection state, as repository_create makes it: the scheduled run
# requests the collection of every repository that has one.
Collection.objects.bulk_create([Collection(repository=r) for r in repositories], batch_size=2000)
print(Repository.objects.count())
"""


@dataclass(frozen=True)
class Owner:
    label: str  # the user's email is <label>@example.com; the fake's login for the token
    token: str  # their own GitHub token; "" to collect with the server's
    repositories: list[tuple[str, str]]


def plan_build(*, repositories: int, users_with_tokens: int) -> list[Owner]:
    """Half the repositories on users' own tokens (evenly), the rest on the server's."""
    own = repositories // 2 if users_with_tokens else 0
    owners = [
        Owner(
            label=f"user-{u + 1}",
            token=f"usr-{u + 1}",
            repositories=[(f"dev{u + 1}", f"repo-{i}") for i in range(u, own, users_with_tokens)],
        )
        for u in range(users_with_tokens)
    ]
    for k, start in enumerate(range(own, repositories, REPOSITORIES_PER_USER)):
        end = min(repositories, start + REPOSITORIES_PER_USER)
        owners.append(
            Owner(
                label=f"serverless-{k + 1}",
                token="",
                repositories=[(f"org{k + 1}", f"repo-{i}") for i in range(start, end)],
            )
        )
    return owners


def server_tokens(count: int) -> dict[str, str]:
    """The server's tokens by login."""
    return {f"server-{i}": f"srv-{i}" for i in range(1, count + 1)}


def fake_seed(fake: Fake, *, plan: list[Owner], servers: dict[str, str]) -> None:
    tokens = [{"token": token, "login": login} for login, token in servers.items()]
    tokens.append({"token": ",".join(servers.values()), "login": UNSPLIT_LOGIN})
    tokens += [{"token": owner.token, "login": owner.label} for owner in plan if owner.token]
    repos = [
        {"owner": o, "name": n, "push_tokens": [owner.token] if owner.token else None}
        for owner in plan
        for o, n in owner.repositories
    ]
    fake.control({"tokens": tokens, "repos": repos})


def redis_db(url: str):
    import redis

    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "redis" or parts.path.strip("/") in ("", "0"):
        sys.exit(f"BENCH_REDIS_URL must name a Redis database of its own (not 0): {url!r}")
    return redis.Redis.from_url(url)


def queued(client) -> int:
    """Messages waiting in the broker or delivered and not yet acknowledged."""
    waiting = sum(
        client.llen(key) for key in client.scan_iter(match="celery*") if client.type(key) == b"list"
    )
    return waiting + client.hlen("unacked")


# --- worker processes and their memory -------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    # pid (comm) state ppid ...: comm may hold spaces and parentheses.
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


@dataclass
class Memory:
    """Peak RSS (VmHWM) and CPU of each worker's processes, polled while they run."""

    parents: list[int]
    peaks: dict[int, int] = field(default_factory=dict)  # pid -> KiB
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> seconds
    parent_of: dict[int, int] = field(default_factory=dict)  # pool pid -> worker pid
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def poll(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        family = {pid: pid for pid in self.parents}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with suppress(OSError, IndexError, ValueError):
                    parent = int(_stat_fields(int(entry.name))[1])
                    if parent in self.parents:
                        family[int(entry.name)] = parent
        for pid, parent in family.items():
            with suppress(OSError, AttributeError, IndexError):
                status = Path(f"/proc/{pid}/status").read_text()
                peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
                fields = _stat_fields(pid)
                with self._lock:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), peak)
                    self.cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
                    self.parent_of[pid] = parent

    def cpu_seconds(self) -> float:
        self.poll()
        with self._lock:
            return sum(self.cpu.values())


@dataclass
class Context:
    """What a run talks to."""

    fake: Fake
    sender: Any  # a Celery app on the broker, sending as beat does
    redis: Any  # the broker's Redis database
    database_url: str
    memory: Memory = field(default_factory=lambda: Memory(parents=[]))


@contextmanager
def celery_workers(env: dict, *, count: int, concurrency: int, path: Path):
    """`count` workers as docs/operations.md runs them, each in its own process group;
    stopped with SIGTERM (a warm shutdown), killed if still there after STOP_SECONDS."""
    worker_env = dict(env, REMAP_SIGTERM="SIGQUIT")
    processes: list[subprocess.Popen] = []
    command = [str(BIN / "celery"), "--app", "config", "worker", "--pool", "prefork",
               "--concurrency", str(concurrency), "--loglevel", "WARNING"]  # fmt: skip
    try:
        for i in range(1, count + 1):
            with (path / f"worker-{i}.log").open("wb") as log:
                processes.append(
                    subprocess.Popen(
                        [*command, "-n", f"w{i}@%h"],
                        cwd=ROOT,
                        env=worker_env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        yield processes
    finally:
        for process in processes:
            with suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def workers_ready(ctx: Context, *, processes: list[subprocess.Popen]) -> None:
    """Until every worker answers a ping, and then the broker stays empty for 2 s: each
    worker's catch-up on start (traffic_fetch_stale) has run, on an empty database."""
    deadline = time.monotonic() + READY_SECONDS
    names = {f"w{i}" for i in range(1, len(processes) + 1)}
    while True:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("a worker exited at start; see its log")
        replies = ctx.sender.control.ping(timeout=1.0)
        answered = {name.split("@")[0] for reply in replies for name in reply}
        if names <= answered:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers not up after {READY_SECONDS:.0f} s: {sorted(answered)}")
    idle = 0
    while idle < 4:
        idle = idle + 1 if queued(ctx.redis) == 0 else 0
        if time.monotonic() > deadline:
            raise RuntimeError("the workers' catch-up on start did not finish")
        time.sleep(0.5)


# --- one run ---------------------------------------------------------------------------


def collected_since(database_url: str, since: dt.datetime) -> tuple[int, int]:
    """(repositories with a success since, with an error since)."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT count(*) FILTER (WHERE last_success_at >= %s), "
            "count(*) FILTER (WHERE last_error_at >= %s) FROM traffic_collection",
            (since, since),
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def collect(*, label: str, day: dt.datetime, per: int, ctx: Context, args) -> dict:
    """At the fake's clock `day`, sends traffic_fetch_all and waits until every
    repository has a success since."""
    fake, memory = ctx.fake, ctx.memory
    n = args.repositories
    fake.set_now(day)
    fake.control({"reset_requests": True, "concurrency_reset": True})
    fake_cpu, workers_cpu = fake.cpu_seconds(), memory.cpu_seconds()
    since = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    ctx.sender.send_task("traffic_fetch_all")
    done = errors = 0
    next_note = started + 30
    next_dispatch = started + args.dispatch_every
    while time.monotonic() - started < args.timeout:
        time.sleep(1.0)
        if time.monotonic() >= next_dispatch:
            # As beat sends it (every 10 minutes in production): what each token's hour
            # can now pay for, learned from the answers since the last dispatch.
            ctx.sender.send_task("traffic_fetch_due")
            next_dispatch += args.dispatch_every
        done, errors = collected_since(ctx.database_url, since)
        if done >= n:
            break
        if time.monotonic() >= next_note:
            next_note += 30
            elapsed = time.monotonic() - started
            print(
                f"  {label}: {done:,} of {n:,} in {elapsed:.0f} s, {errors} errors", file=sys.stderr
            )
    wall = time.monotonic() - started
    state = fake.control()
    kinds = request_kinds(state["requests"])
    return {
        "label": label,
        "day": day.date(),
        "collected": done,
        "errors": errors,
        "wall": wall,
        "per": per,
        "requests": state["total_requests"] - kinds["stargazers"],
        "star_pages": kinds["stargazers"],
        "other": kinds["other"],
        "peaks": state["concurrency_peaks"],
        "fake_cpu": fake.cpu_seconds() - fake_cpu,
        "workers_cpu": memory.cpu_seconds() - workers_cpu,
        "load": os.getloadavg()[0],
    }


def floor_seconds(run: dict, *, args, server_repositories: int) -> float:
    """Each task asks GitHub in turn, so the run needs at least the longer of: every
    request over every pool process, the server's requests over its tokens' slots."""
    latency = args.latency_ms / 1000
    tasks = run["per"] * args.repositories * latency / (args.workers * args.concurrency)
    tokens = 1 if run["peaks"].get(UNSPLIT_LOGIN) else args.server_tokens
    server_slots = tokens * args.token_concurrency
    server = run["per"] * server_repositories * latency / server_slots
    return max(tasks, server)


def run_checks(run: dict, *, args, logins: set[str]) -> list[tuple[str, str, bool]]:
    """(check, what was measured, met) for one run."""
    n, cap, label = args.repositories, args.token_concurrency, run["label"]
    errors = f", {run['errors']} with an error" if run["errors"] else ""
    collected = (
        f"every repository collected ({label})",
        f"{run['collected']:,} of {n:,} in {run['wall']:.0f} s{errors}",
        run["collected"] >= n,
    )
    peaks = run["peaks"]
    above = {login: peak for login, peak in peaks.items() if peak > cap}
    strangers = sorted(set(peaks) - logins - {UNSPLIT_LOGIN})
    measured = (
        f"most {max(peaks.values(), default=0)}; {sum(p == cap for p in peaks.values())} of "
        f"{len(peaks)} tokens used reached it, {len(above)} above"
        + (f" {above}" if above else "")
        + (f"; unknown or no token: {strangers}" if strangers else "")
        + ("; the whole GITHUB_TOKEN used as one token" if peaks.get(UNSPLIT_LOGIN) else "")
    )
    in_flight = (
        f"requests in flight per token <= {cap} ({label})",
        measured,
        not above and not strangers and not peaks.get(UNSPLIT_LOGIN),
    )
    expected = run["per"] * n
    requests = (
        f"GitHub requests = {run['per']} x repositories ({label})",
        f"{run['requests']:,} for {expected:,} expected"
        + (f", and {run['star_pages']:,} stargazer pages apart" if run["star_pages"] else ""),
        run["requests"] == expected,
    )
    return [collected, in_flight, requests]


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f}"


def report(runs: list[dict], *, args, memory: Memory, servers: dict, plan: list[Owner]) -> bool:
    cap, n = args.token_concurrency, args.repositories
    users = [owner.label for owner in plan if owner.token]
    server_repositories = sum(len(owner.repositories) for owner in plan if not owner.token)
    logins = {*servers, *users}
    print(
        f"\n{n:,} repositories: {n - server_repositories:,} on {len(users)} users' own tokens, "
        f"{server_repositories:,} on {len(servers)} server tokens; {args.workers} Celery "
        f"workers (prefork) x {args.concurrency} pool processes; PostgreSQL and Redis; "
        f"fake GitHub at {args.latency_ms:g} ms a request; GITHUB_TOKEN_CONCURRENCY={cap}; "
        f"TRAFFIC_BACKFILL_REQUESTS_PER_HOUR={args.backfill_per_hour}\n"
    )
    print(
        "| run | fake's day | collected | wall s | floor s | requests (expected) "
        "| requests/s | stargazer pages | workers' CPU s | fake's CPU s | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        floor = floor_seconds(run, args=args, server_repositories=server_repositories)
        total = run["requests"] + run["star_pages"]
        print(
            f"| {run['label']} | {run['day']:%a %m-%d} | {run['collected']:,} of {n:,} "
            f"| {run['wall']:.1f} | {floor:.1f} | {run['requests']:,} ({run['per'] * n:,}) "
            f"| {total / run['wall']:.0f} | {run['star_pages']:,} | {run['workers_cpu']:.0f} "
            f"| {run['fake_cpu']:.0f} | {run['load']:.1f} |"
        )

    print(
        f"\n| run | most requests in flight (cap {cap}): server tokens "
        "| users' tokens (least, most) |"
    )
    print("|---|---|---|")
    for run in runs:
        peaks = run["peaks"]
        user_peaks = [peaks.get(login, 0) for login in users] or [0]
        server_peaks = ", ".join(f"{login} {peaks.get(login, 0)}" for login in servers)
        if peaks.get(UNSPLIT_LOGIN):
            server_peaks += f", {UNSPLIT_LOGIN} {peaks[UNSPLIT_LOGIN]}"
        print(f"| {run['label']} | {server_peaks} | {min(user_peaks)}, {max(user_peaks)} |")

    print("\n| worker | parent's peak RSS MB | pool processes | each pool process's peak RSS MB |")
    print("|---|---|---|---|")
    for i, parent in enumerate(memory.parents, start=1):
        children = sorted(
            (peak for pid, peak in memory.peaks.items() if memory.parent_of.get(pid) == parent
             and pid != parent),
            reverse=True,
        )  # fmt: skip
        print(
            f"| w{i} | {_mb(memory.peaks.get(parent, 0))} | {len(children)} "
            f"| {', '.join(_mb(peak) for peak in children)} |"
        )

    print("\n| check | measured | met |")
    print("|---|---|---|")
    failed = False
    for run in runs:
        for check, measured, met in run_checks(run, args=args, logins=logins):
            failed |= not met
            print(f"| {check} | {measured} | {'yes' if met else 'FAIL'} |")
        floor = floor_seconds(run, args=args, server_repositories=server_repositories)
        print(f"| wall time ({run['label']}) | {run['wall']:.1f} s, floor {floor:.1f} s | - |")
    parents = [memory.peaks.get(pid, 0) for pid in memory.parents]
    pool = [peak for pid, peak in memory.peaks.items() if pid not in memory.parents]
    print(
        f"| peak RSS per worker | parent {_mb(min(parents, default=0))}-"
        f"{_mb(max(parents, default=0))} MB; each of {len(pool)} pool processes "
        f"{_mb(min(pool, default=0))}-{_mb(max(pool, default=0))} MB | - |"
    )
    return failed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repositories", type=int, default=10_000)
    parser.add_argument("--users-with-tokens", type=int, default=100)
    parser.add_argument("--server-tokens", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8, help="pool processes a worker")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--token-concurrency", type=int, default=4, help="GITHUB_TOKEN_CONCURRENCY")
    parser.add_argument("--runs", default="first", help="first (default), or first,daily")
    parser.add_argument("--backfill-per-hour", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1500.0, help="seconds per run")
    parser.add_argument(
        "--dispatch-every",
        type=float,
        default=30.0,
        help="seconds between traffic_fetch_due sends (beat: 600)",
    )
    args = parser.parse_args()
    args.runs = [run.strip() for run in args.runs.split(",")]
    if args.runs not in (["first"], ["first", "daily"]):
        parser.error("--runs must be first or first,daily")
    return args


def bench_env(env: dict, *, args, redis_url: str, servers: dict[str, str]) -> dict:
    env = dict(env)
    env.pop("REPOTRAFFIC_GATE_URL", None)  # the gates go where the broker is: Redis
    env.update(
        CELERY_BROKER_URL=redis_url,
        GITHUB_TOKEN=",".join(servers.values()),
        GITHUB_TIMEOUT="30",
        GITHUB_TOKEN_CONCURRENCY=str(args.token_concurrency),
        TRAFFIC_BACKFILL_REQUESTS_PER_HOUR=str(args.backfill_per_hour),
    )
    return env


def bench_run(args, *, path: Path, env: dict, ctx: Context, plan: list[Owner]) -> list[dict]:
    """Workers up, the data seeded, then each run; the workers stopped at the end."""
    with celery_workers(
        env, count=args.workers, concurrency=args.concurrency, path=path
    ) as processes:
        ctx.memory = Memory(parents=[process.pid for process in processes])
        with polling(ctx.memory.poll, every=1.0):
            workers_ready(ctx, processes=processes)
            (path / "plan.json").write_text(json.dumps([owner.__dict__ for owner in plan]))
            seeded = python_in_django(env, f"path = {str(path / 'plan.json')!r}\n" + SEED)
            assert int(seeded.split()[-1]) == args.repositories, seeded
            runs = [collect(label="first", day=START, per=FIRST_REQUESTS, ctx=ctx, args=args)]
            if "daily" in args.runs:
                day = START + dt.timedelta(days=1)
                runs.append(collect(label="daily", day=day, per=DAILY_REQUESTS, ctx=ctx, args=args))
            ctx.memory.poll()
    return runs


def main() -> None:
    args = parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("this benchmark runs on PostgreSQL: BENCH_DATABASE_URL=postgres://...")
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    redis_client = redis_db(redis_url)
    plan = plan_build(repositories=args.repositories, users_with_tokens=args.users_with_tokens)
    servers = server_tokens(args.server_tokens)
    from celery import Celery

    redis_client.flushdb()
    try:
        with (
            workdir() as path,
            throwaway_database(dict(production_env(path), DATABASE_URL=database_url)) as env,
        ):
            env = bench_env(env, args=args, redis_url=redis_url, servers=servers)
            manage(env, "migrate", "--noinput")
            rate_limit = max(5000, 100 * args.repositories)  # GitHub's 5,000 would take hours
            with fake_github(env, latency_ms=args.latency_ms, rate_limit=rate_limit) as fake:
                env["GITHUB_API_URL"] = fake.base
                fake_seed(fake, plan=plan, servers=servers)
                ctx = Context(
                    fake=fake,
                    sender=Celery("bench-scale", broker=redis_url),
                    redis=redis_client,
                    database_url=env["DATABASE_URL"],
                )
                runs = bench_run(args, path=path, env=env, ctx=ctx, plan=plan)
            failed = report(runs, args=args, memory=ctx.memory, servers=servers, plan=plan)
            if failed:
                for log in sorted(path.glob("worker-*.log")):
                    print(f"\n{log.name}, its end:\n{log.read_text(errors='replace')[-3000:]}")
    finally:
        redis_client.flushdb()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
