"""`manage.py fetch_traffic` against the fake GitHub (a separate process, loopback only):
wall time over 1,000 repositories at 100 ms per request, GitHub requests per repository,
and peak RSS of the fetch_traffic process at 1,000 and at 10,000 repositories.

    .venv/bin/python bench/bench_collection.py
        [--repositories 1000] [--latency-ms 100] [--concurrency N]
        [--memory-repositories 1000,10000] [--memory-latency-ms 5]
        [--memory-only | --timing-only]

Each run gets a fresh production-style SQLite database, seeded with bulk_create, and a
fresh fake (`manage.py fake_github`), told the same repositories and the server's token.
The memory runs use a lower latency so that 10,000 repositories take minutes, not a
quarter of an hour; both memory runs use the same latency, so their RSS compare.

Targets: the timing run takes under 60 s; every run collects all repositories with
0 failures, exactly 8 GitHub requests per repository in its first collection (the
repository, views, clones, referrers, paths, releases, and the weekly views and clones
a first collection asks for; 6 a day afterwards), more than 10
stored days per repository, and a SQLite -wal file that stays under 32 MB; peak RSS at
the largest memory run is at most 10 % above the smallest.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, ROOT, free_port, manage, production_env, python_in_django, workdir

TOKEN = "bench-server-token"  # known to the throwaway fake only
TIME_TARGET_SECONDS = 60.0
REQUESTS_PER_REPOSITORY = 8  # a first collection; see the docstring
MIN_DAYS_PER_REPOSITORY = 10
RSS_GROWTH_LIMIT = 0.10
WAL_LIMIT_MB = 32  # SQLite checkpoints at about 4 MB; a stuck reader lets it grow
USERS = 10

SEED = """
from repotraffic.repositories.models import Repository
from repotraffic.users.models import User
n, users = {n}, {users}
owners = User.objects.bulk_create(
    [User(email=f"bench{{u}}@example.com", token_digest=f"{{u:064x}}") for u in range(users)]
)
for start in range(0, n, 5000):
    Repository.objects.bulk_create(
        [Repository(user=owners[i % users], owner=f"org{{i % users}}", name=f"repo-{{i}}")
         for i in range(start, min(n, start + 5000))]
    )
print(Repository.objects.count())
"""

CHECK = """
import json
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Collection, TrafficDay
print(json.dumps({
    "rows": TrafficDay.objects.count(),
    # Seeded with bulk_create, a repository has no Collection until its first collection.
    "without_success": Repository.objects.filter(collection__last_success_at__isnull=True).count(),
    "with_error": Collection.objects.exclude(last_error="").count(),
    "locked": Collection.objects.filter(lease_until__isnull=False).count(),
}))
"""

# Loopback only: never through a proxy, whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fake_control(base: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + "/_fake/state", data=data, headers={"Content-Type": "application/json"}
    )
    with _OPENER.open(request, timeout=60) as response:
        return json.loads(response.read())


@contextmanager
def fake_github(env: dict, *, latency_ms: float, rate_limit: int):
    """The fake in its own process, so that its threads do not share our GIL and CPU time
    is accounted apart."""
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "fake_github", "--port", str(port),
         "--latency-ms", str(latency_ms), "--rate-limit", str(rate_limit)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                fake_control(base)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("the fake GitHub exited at start") from None
                time.sleep(0.05)
        else:
            raise RuntimeError("the fake GitHub did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def peak_size(path: Path):
    """Polls the file's size while the block runs; yields a dict that gets "peak" (bytes)."""
    found = {"peak": 0}
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.1):
            with suppress(OSError):
                found["peak"] = max(found["peak"], path.stat().st_size)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        yield found
    finally:
        done.set()
        poller.join()


def _kb(pattern: str, text: str) -> int | None:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else None


def run_measured(command: list[str], env: dict) -> dict:
    """Runs the command; wall time, peak RSS (KiB) and CPU time of the process."""
    time_bin = shutil.which("time", path="/usr/bin:/bin")
    if time_bin:
        started = time.monotonic()
        result = subprocess.run(
            [time_bin, "-v", *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        wall = time.monotonic() - started
        if result.returncode != 0:
            raise RuntimeError(f"{command} failed:\n{result.stdout}\n{result.stderr}")
        user = re.search(r"User time \(seconds\): ([\d.]+)", result.stderr)
        system = re.search(r"System time \(seconds\): ([\d.]+)", result.stderr)
        return {
            "stdout": result.stdout,
            "wall": wall,
            "rss_kb": _kb(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr),
            "cpu": float(user.group(1)) + float(system.group(1)) if user and system else None,
        }
    # No GNU time: poll the kernel's high-water mark of the process.
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    status, peak = Path(f"/proc/{process.pid}/status"), 0
    while process.poll() is None:
        with suppress(OSError):  # the process may have just ended
            peak = max(peak, _kb(r"VmHWM:\s+(\d+) kB", status.read_text()) or 0)
        time.sleep(0.05)
    stdout, stderr = process.communicate()
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{stdout}\n{stderr}")
    return {"stdout": stdout, "wall": wall, "rss_kb": peak or None, "cpu": None}


def collection_run(*, repositories: int, latency_ms: float, concurrency: int | None) -> dict:
    """One fetch_traffic run over `repositories` fresh repositories; its figures."""
    with workdir() as path:
        env = production_env(path)
        env.update(GITHUB_TOKEN=TOKEN, GITHUB_TIMEOUT="30")
        manage(env, "migrate", "--noinput")
        seeded = int(python_in_django(env, SEED.format(n=repositories, users=USERS)).split()[-1])
        assert seeded == repositories, seeded
        # GitHub allows 5,000 requests per token and hour; the fake is told enough for
        # the run (a real 10,000-repository collection needs more than one token).
        rate_limit = max(5000, 3 * REQUESTS_PER_REPOSITORY * repositories)
        with fake_github(env, latency_ms=latency_ms, rate_limit=rate_limit) as base:
            registered = time.monotonic()
            fake_control(
                base,
                {
                    "tokens": [{"token": TOKEN, "login": "bench"}],
                    "repos": [
                        {"owner": f"org{i % USERS}", "name": f"repo-{i}"}
                        for i in range(repositories)
                    ],
                    "reset_requests": True,
                },
            )
            registered = time.monotonic() - registered
            env["GITHUB_API_URL"] = base
            command = [PYTHON, "manage.py", "fetch_traffic", "--quiet"]
            if concurrency is not None:
                command += ["--concurrency", str(concurrency)]
            with peak_size(path / "db.sqlite3-wal") as wal:
                measured = run_measured(command, env)
            fake_state = fake_control(base)
        checked = json.loads(python_in_django(env, CHECK).strip().splitlines()[-1])
    summary = measured["stdout"].strip().splitlines()[-1]
    match = re.search(
        r"(\d+) repositories in ([\d.]+) s: (\d+) collected \((\d+) days written\), "
        r"(\d+) failed, (\d+) skipped",
        summary,
    )
    if match is None:
        raise RuntimeError(f"unexpected fetch_traffic output: {measured['stdout']!r}")
    total, elapsed, ok, days, failed, skipped = match.groups()
    return {
        "repositories": repositories,
        "latency_ms": latency_ms,
        "summary": summary,
        "total": int(total),
        "command_seconds": float(elapsed),
        "ok": int(ok),
        "days_written": int(days),
        "failed": int(failed),
        "skipped": int(skipped),
        "requests": fake_state["total_requests"],
        "register_seconds": registered,
        "wal_mb": wal["peak"] / 2**20,
        **checked,
        **{key: measured[key] for key in ("wall", "rss_kb", "cpu")},
    }


def run_problems(run: dict) -> list[str]:
    n = run["repositories"]
    problems = []
    if not (run["total"] == run["ok"] == n and run["failed"] == run["skipped"] == 0):
        problems.append(f"summary is not {n} collected, 0 failed: {run['summary']!r}")
    if run["requests"] != REQUESTS_PER_REPOSITORY * n:
        problems.append(f"{run['requests']} GitHub requests for {n} repositories")
    if run["rows"] <= MIN_DAYS_PER_REPOSITORY * n:
        problems.append(f"only {run['rows']} stored days for {n} repositories")
    if run["wal_mb"] > WAL_LIMIT_MB:
        problems.append(f"the SQLite WAL grew to {run['wal_mb']:.0f} MB")
    if run["without_success"] or run["with_error"] or run["locked"]:
        problems.append(
            f"{run['without_success']} without success, {run['with_error']} with an error, "
            f"{run['locked']} still locked"
        )
    return problems


def _mb(kb: int | None) -> str:
    return "?" if kb is None else f"{kb / 1024:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repositories", type=int, default=1000, help="timing run size")
    parser.add_argument("--latency-ms", type=float, default=100.0, help="timing run latency")
    parser.add_argument(
        "--concurrency", type=int, help="fetch_traffic --concurrency (default: its setting, 8)"
    )
    parser.add_argument(
        "--memory-repositories",
        default="1000,10000",
        help="sizes of the memory runs, comma-separated (default: 1000,10000)",
    )
    parser.add_argument("--memory-latency-ms", type=float, default=5.0)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--memory-only", action="store_true", help="skip the timing run")
    only.add_argument("--timing-only", action="store_true", help="skip the memory runs")
    args = parser.parse_args()

    timing = None
    memory: list[dict] = []
    if not args.memory_only:
        timing = collection_run(
            repositories=args.repositories,
            latency_ms=args.latency_ms,
            concurrency=args.concurrency,
        )
    if not args.timing_only:
        sizes = sorted({int(size) for size in args.memory_repositories.split(",")})
        for size in sizes:
            memory.append(
                collection_run(
                    repositories=size,
                    latency_ms=args.memory_latency_ms,
                    concurrency=args.concurrency,
                )
            )

    concurrency = args.concurrency or "8 (TRAFFIC_FETCH_CONCURRENCY default)"
    print(f"fetch_traffic --quiet, concurrency {concurrency}, fake GitHub in its own process\n")
    print(
        "| run | repositories | latency ms | wall s | command s | GitHub requests | "
        "req/repo | stored days | peak RSS MB | CPU s | peak WAL MB | problems |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    runs = ([("timing", timing)] if timing else []) + [("memory", run) for run in memory]
    for name, run in runs:
        problems = run_problems(run)
        failed |= bool(problems)
        cpu = "?" if run["cpu"] is None else f"{run['cpu']:.1f}"
        print(
            f"| {name} | {run['repositories']:,} | {run['latency_ms']:g} | {run['wall']:.1f} "
            f"| {run['command_seconds']:.1f} | {run['requests']:,} "
            f"| {run['requests'] / run['repositories']:.2f} | {run['rows']:,} "
            f"| {_mb(run['rss_kb'])} | {cpu} | {run['wal_mb']:.1f} "
            f"| {'; '.join(problems) or 'none'} |"
        )

    print("\n| target | measured | verdict |")
    print("|---|---|---|")
    if timing:
        ok = timing["wall"] < TIME_TARGET_SECONDS
        failed |= not ok
        print(
            f"| {timing['repositories']:,} repositories at {timing['latency_ms']:g} ms "
            f"in < {TIME_TARGET_SECONDS:.0f} s | {timing['wall']:.1f} s (process wall time) "
            f"| {'ok' if ok else 'MISSED'} |"
        )
    for name, run in runs:
        per = run["requests"] / run["repositories"]
        ok = per <= REQUESTS_PER_REPOSITORY
        failed |= not ok
        print(
            f"| <= {REQUESTS_PER_REPOSITORY} GitHub requests per repository ({name}, "
            f"{run['repositories']:,}) | {per:.2f} | {'ok' if ok else 'MISSED'} |"
        )
    if len(memory) >= 2:
        small, large = memory[0], memory[-1]
        if small["rss_kb"] and large["rss_kb"]:
            growth = large["rss_kb"] / small["rss_kb"] - 1
            ok = growth <= RSS_GROWTH_LIMIT
            measured = (
                f"{_mb(small['rss_kb'])} MB -> {_mb(large['rss_kb'])} MB ({growth:+.1%}), "
                f"both at {small['latency_ms']:g} ms"
            )
        else:
            ok, measured = False, "no RSS figure"
        failed |= not ok
        print(
            f"| flat memory: peak RSS at {large['repositories']:,} <= "
            f"{1 + RSS_GROWTH_LIMIT:.2f} x at {small['repositories']:,} | {measured} "
            f"| {'ok' if ok else 'MISSED'} |"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
