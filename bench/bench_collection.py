"""`manage.py fetch_traffic --quiet` as the daily collection, against the fake GitHub in
its own process (loopback only): the time of a daily collection of 1,000 repositories
at 100 ms a request, GitHub requests per repository per day over a week, and peak RSS
of the first collection at 1,000 and at 10,000 repositories.

    .venv/bin/python bench/bench_collection.py
        [--repositories 1000] [--latency-ms 100] [--concurrency N] [--server-tokens 1]
        [--week-repositories 200] [--week-latency-ms 5]
        [--memory-repositories 1000,10000] [--memory-latency-ms 5]
        [--parts timing,week,memory]

Each part gets a fresh production-style SQLite database, seeded with bulk_create (10
users, every one collecting with the server's token, so one backfill allowance for
all; with --server-tokens N, a pool of N in GITHUB_TOKEN, each repository on one of
them, and the cap of GITHUB_TOKEN_CONCURRENCY requests in flight applies to each),
and a fresh fake whose clock starts at START, a Thursday at noon UTC:

timing  A first collection (reported apart: it adds the weekly answers and the star
        history rebuilds the backfill allowance pays for); a day later the daily
        collection in steady state, timed; a day after, the daily collection of the
        first weeks, with one hour's backfill allowance for the rebuilds still waiting.
week    A first collection, then 7 daily collections a day apart (Friday to Thursday,
        so one Tuesday, when per=week replaces per=day), at a low latency: the request
        counts do not depend on it.
memory  A first collection at each size, at the same low latency, so that RSS compares.

A day later for the app too: the star history rebuilds are paid from an allowance per
token and hour of real time (repotraffic/budget), so moving the fake's clock on a day
also forgets the hours spent (the totals are kept for the checks). Each daily
collection then gets one hour's allowance, as in production, where the rebuilds that
did not fit wait for the next days' collections (50 a day for 1,000 repositories on one
token). The first weeks' daily run waits, if need be, so that it does not straddle a
turn of the hour, which would give it a second allowance. The steady state, once every
star history is rebuilt, is run with TRAFFIC_BACKFILL_REQUESTS_PER_HOUR=0: a repository
still waiting then costs what a rebuilt one does (one query, no request), so the run
does the steady state's work without some 20 days of rebuilds first.

Targets: the steady-state daily collection takes under 90 s (process wall time); every
run collects every repository with 0 failures and makes exactly 6 GitHub requests per
repository a day (8 in a first collection), the stargazer pages of the one-off star
history rebuilds aside (reported apart: at most TRAFFIC_BACKFILL_REQUESTS_PER_HOUR);
after the last day of the timing and the week parts every kind of data is stored for
every repository (traffic days, the day's repository snapshot, top referrers and paths,
release asset counts, the last complete week), and star histories, with days, for at
least as many repositories as one hour's allowance per collection pays for (at most
TRAFFIC_STARGAZER_PAGES pages each), every page read reserved; the SQLite -wal file
stays under 32 MB; peak RSS at the largest memory run is at most 10 % above the smallest.

The fake is repotraffic.integrations.github.fake.FakeGitHub, started by this script in
its own process (as `manage.py fake_github` starts it) and told its tokens and
repositories over HTTP (POST /_fake/state). That control has no clock, so the process
also reads lines of JSON on its stdin: {"now": iso} fixes its clock, {"latency_ms": x}
sets its latency.
"""

import argparse
import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, ROOT, manage, polling, production_env, python_in_django, workdir

TOKEN = "bench-server-token"  # known to the throwaway fake only
START = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)  # Thursday: a first run asks for weeks
TIME_TARGET_SECONDS = 90.0
DAILY_REQUESTS = 6  # the repository, views, clones, referrers, paths, releases
FIRST_REQUESTS = 8  # and the weekly views and clones (due on every day but Monday)
GITHUB_HOURLY = 5000  # requests per token and hour GitHub allows a user's token
RATE_LIMIT_RESERVE = 100  # GITHUB_RATE_LIMIT_RESERVE's default: never spent
BACKFILL_PER_HOUR = 500  # TRAFFIC_BACKFILL_REQUESTS_PER_HOUR's default
WEEK_DAYS = 7
MIN_DAYS_PER_REPOSITORY = 10
RSS_GROWTH_LIMIT = 0.10
WAL_LIMIT_MB = 32  # SQLite checkpoints at about 4 MB; a stuck reader lets it grow
USERS = 10
KINDS = ("repository", "views", "clones", "referrers", "paths", "releases", "stargazers")

# The fake in its own process: FakeGitHub as `manage.py fake_github` runs it, and a
# line protocol on stdin for what its HTTP control lacks (the clock).
FAKE = """
import json, sys
from repotraffic.integrations.github.fake import FakeGitHub

fake = FakeGitHub(latency_ms=float(sys.argv[1]), rate_limit=int(sys.argv[2])).start()
print(fake.port, flush=True)
for line in sys.stdin:
    command = json.loads(line)
    if "now" in command:
        fake.set_now(command["now"])
    if "latency_ms" in command:
        fake.set_latency(command["latency_ms"])
    if command.get("rate_reset"):
        fake.reset_rate_limits()
    print(json.dumps({"now": fake.now().isoformat()}), flush=True)
fake.stop()
"""

# Prefixed with `n, users = ...`.
SEED = """
from repotraffic.repositories.models import Repository
from repotraffic.users.models import User, email_key

emails = [f"bench{u}@example.com" for u in range(users)]
owners = User.objects.bulk_create(
    [User(email=e, email_key=email_key(e), token_digest=f"{u:064x}") for u, e in enumerate(emails)]
)
for start in range(0, n, 5000):
    Repository.objects.bulk_create(
        [Repository(user=owners[i % users], owner=f"org{i % users}", name=f"repo-{i}")
         for i in range(start, min(n, start + 5000))]
    )
print(Repository.objects.count())
"""

# Prefixed with `day, monday = "YYYY-MM-DD", "YYYY-MM-DD"`: the last collection's day and
# the Monday of the last week complete by then.
CHECK = """
import datetime as dt
import json
from django.conf import settings
from django.db.models import Max, Sum
from repotraffic.budget.models import TokenSpend
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import (
    Collection, PopularSnapshot, ReleaseAssetDay, RepositorySnapshot, StarHistory,
    TrafficDay, TrafficWeek,
)

day, monday = dt.date.fromisoformat(day), dt.date.fromisoformat(monday)

def repositories_with(model, **filters):
    return model.objects.filter(**filters).values("repository").distinct().count()

spends = TokenSpend.objects.aggregate(total=Sum("backfill_requests"), hour=Max("backfill_requests"))
print(json.dumps({
    "repositories": Repository.objects.count(),
    "traffic_days": TrafficDay.objects.count(),
    "with_traffic": repositories_with(TrafficDay),
    # A Tuesday's weekly answers leave the range to the next day's daily answer.
    "collected": Collection.objects.filter(collected_until__gte=day - dt.timedelta(days=1)).count(),
    "snapshots": repositories_with(RepositorySnapshot, date=day),
    "popular": repositories_with(PopularSnapshot, date=day),
    "release_assets": repositories_with(ReleaseAssetDay, date=day),
    "weeks": repositories_with(TrafficWeek, week=monday, complete=True),
    "star_histories": StarHistory.objects.count(),
    "star_pages_read": StarHistory.objects.aggregate(pages=Sum("pages_read"))["pages"] or 0,
    "star_histories_without_days": Repository.objects.filter(
        star_history__pages_read__gt=0, star_history_days__isnull=True
    ).count(),
    "backfill_spent": spends["total"] or 0,
    "backfill_hour_max": spends["hour"] or 0,
    "backfill_allowance": settings.TRAFFIC_BACKFILL_REQUESTS_PER_HOUR,
    "stargazer_pages": settings.TRAFFIC_STARGAZER_PAGES,
    # Seeded with bulk_create, a repository has no Collection until its first collection.
    "without_success": Repository.objects.filter(collection__last_success_at__isnull=True).count(),
    "with_error": Collection.objects.exclude(last_error="").count(),
    "locked": Collection.objects.filter(lease_until__isnull=False).count(),
}))
"""

# What the backfill allowance's hours spent (repotraffic/budget), forgotten, and what the
# gate knows of each token's hour (its remaining requests): a day later, those hours are
# long gone.
BUDGET_ROLL = """
import json
from django.db.models import Max, Sum
from repotraffic.budget.models import TokenGate, TokenSpend

TokenGate.objects.all().delete()

spends = TokenSpend.objects.aggregate(total=Sum("backfill_requests"), hour=Max("backfill_requests"))
TokenSpend.objects.all().delete()
print(json.dumps({"total": spends["total"] or 0, "hour": spends["hour"] or 0}))
"""

SUMMARY = re.compile(
    r"(\d+) repositories in ([\d.]+) s: (\d+) collected \((\d+) days written\), "
    r"(\d+) failed, (\d+) skipped"
)

# Loopback only: never through a proxy, whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Fake:
    """The fake GitHub process: HTTP control for tokens, repositories and counts, stdin
    for the clock."""

    def __init__(self, process: subprocess.Popen, base: str) -> None:
        self.process = process
        self.base = base

    def control(self, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + "/_fake/state", data=data, headers={"Content-Type": "application/json"}
        )
        with _OPENER.open(request, timeout=120) as response:
            return json.loads(response.read())

    def _command(self, command: dict) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def set_now(self, moment: dt.datetime) -> None:
        answer = self._command({"now": moment.isoformat()})
        assert dt.datetime.fromisoformat(answer["now"]) == moment, answer

    def set_latency(self, latency_ms: float) -> None:
        self._command({"latency_ms": latency_ms})

    def rate_reset(self) -> None:
        """Every token's hour starts afresh (the fake counts hours in real time)."""
        self._command({"rate_reset": True})

    def cpu_seconds(self) -> float:
        """The CPU time the fake's process has used (user and system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def fake_github(env: dict, *, latency_ms: float, rate_limit: int):
    """The fake in its own process, so that its threads do not share our GIL and its CPU
    time is not the collection's."""
    process = subprocess.Popen(
        [PYTHON, "-c", FAKE, str(latency_ms), str(rate_limit)],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout
        port = process.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError("the fake GitHub did not start")
        yield Fake(process, f"http://127.0.0.1:{port}")
    finally:
        if process.stdin:
            with suppress(OSError):
                process.stdin.close()  # the fake stops at the end of its input
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def peak_size(path: Path):
    """Polls the file's size while the block runs; yields a dict that gets "peak" (bytes)."""
    found = {"peak": 0}

    def poll() -> None:
        with suppress(OSError):
            found["peak"] = max(found["peak"], path.stat().st_size)

    with polling(poll, every=0.1):
        yield found


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


def request_kinds(requests: dict[str, int]) -> Counter:
    """The fake's request counts by path, as counts by kind of request."""
    kinds: Counter = Counter()
    for path, count in requests.items():
        parts = path.strip("/").split("/")
        whole = (parts[0] == "repos" and len(parts) == 3) or (
            parts[0] == "repositories" and len(parts) == 2
        )
        kind = "repository" if whole else parts[-1]
        kinds[kind if kind in KINDS else "other"] += count
    return kinds


def hour_turn_avoid(*, seconds: float) -> None:
    """Waits, if need be, until the next `seconds` hold no turn of the hour (real time):
    a run that straddled one would get two hours' backfill allowance."""
    left = 3600 - time.time() % 3600
    if left < seconds:
        time.sleep(left + 1)


def capturable_monday(day: dt.date) -> dt.date:
    """The Monday of the last week a collection on `day` can hold whole and final: the
    week ending on the last Sunday up to day - 2 (docs/architecture.md, Weekly uniques)."""
    last = day - dt.timedelta(days=2)
    sunday = last - dt.timedelta(days=(last.weekday() + 1) % 7)
    return sunday - dt.timedelta(days=6)


class Bench:
    """One part's database and fake: seeded, then collected day after day."""

    def __init__(self, path: Path, env: dict, fake: Fake, *, repositories: int, args) -> None:
        self.path, self.env, self.fake = path, env, fake
        self.repositories = repositories
        self.concurrency = args.concurrency
        self.now = START
        self.kinds: Counter = Counter()  # every request the fake answered, by kind
        self.allowances = 0  # collections that had a backfill allowance
        # The backfill allowance's hours forgotten by next_day: their totals.
        self.backfill_spent = self.backfill_hour_max = 0

    def collect(self, *, label: str, latency_ms: float, backfill: bool = True) -> dict:
        """One `fetch_traffic --quiet` at the fake's current clock; its figures. Without
        `backfill`, no star history is rebuilt (the steady state's work: see the top)."""
        self.fake.control({"reset_requests": True})
        command = [PYTHON, "manage.py", "fetch_traffic", "--quiet"]
        if self.concurrency is not None:
            command += ["--concurrency", str(self.concurrency)]
        env = self.env if backfill else dict(self.env, TRAFFIC_BACKFILL_REQUESTS_PER_HOUR="0")
        fake_cpu = self.fake.cpu_seconds()
        with peak_size(self.path / "db.sqlite3-wal") as wal:
            measured = run_measured(command, env)
        fake_cpu = self.fake.cpu_seconds() - fake_cpu
        kinds = request_kinds(self.fake.control()["requests"])
        self.kinds += kinds
        summary = measured["stdout"].strip().splitlines()[-1]
        match = SUMMARY.search(summary)
        if match is None:
            raise RuntimeError(f"unexpected fetch_traffic output: {measured['stdout']!r}")
        total, elapsed, ok, days, failed, skipped = match.groups()
        run = {
            "label": label,
            "day": self.now.date(),
            "repositories": self.repositories,
            "latency_ms": latency_ms,
            "summary": summary,
            "total": int(total),
            "command_seconds": float(elapsed),
            "ok": int(ok),
            "days_written": int(days),
            "failed": int(failed),
            "skipped": int(skipped),
            "kinds": kinds,
            "star_pages": kinds["stargazers"],
            "requests": sum(kinds.values()) - kinds["stargazers"],
            "wal_mb": wal["peak"] / 2**20,
            "fake_cpu": fake_cpu,
            # The machine's 1-minute load average as the run ends: its cores are shared.
            "load": os.getloadavg()[0],
            **{key: measured[key] for key in ("wall", "rss_kb", "cpu")},
        }
        self.allowances += backfill
        return run

    def next_day(self) -> None:
        self.now += dt.timedelta(days=1)
        self.fake.set_now(self.now)
        self.fake.rate_reset()
        rolled = json.loads(python_in_django(self.env, BUDGET_ROLL).strip().splitlines()[-1])
        self.backfill_spent += rolled["total"]
        self.backfill_hour_max = max(self.backfill_hour_max, rolled["hour"])

    def check(self) -> dict:
        day = self.now.date()
        head = f'day, monday = "{day}", "{capturable_monday(day)}"\n'
        checked = json.loads(python_in_django(self.env, head + CHECK).strip().splitlines()[-1])
        checked["stargazer_requests"] = self.kinds["stargazers"]
        checked["backfill_spent"] += self.backfill_spent
        checked["backfill_hour_max"] = max(checked["backfill_hour_max"], self.backfill_hour_max)
        checked["allowances"] = self.allowances
        checked["day"], checked["monday"] = day, capturable_monday(day)
        return checked


def tokens_needed(repositories: int) -> int:
    """The fewest server tokens whose hour pays for a first collection of `repositories`
    (FIRST_REQUESTS each, plus one hour's star history allowance per token) within
    GitHub's 5,000 requests per token and hour, less the reserve the app keeps."""
    per_token = GITHUB_HOURLY - RATE_LIMIT_RESERVE - BACKFILL_PER_HOUR
    return max(1, math.ceil(FIRST_REQUESTS * repositories / per_token))


def server_tokens(args) -> list[str]:
    """The server's tokens: one, or a pool (--server-tokens), each repository collected
    with one of them (GITHUB_TOKEN, comma-separated)."""
    count = getattr(args, "server_tokens", 1) or 1
    return [TOKEN] if count == 1 else [f"{TOKEN}-{number}" for number in range(count)]


def in_flight(args) -> int:
    """Requests in flight at most: fetch_traffic's concurrency, within each token's cap."""
    cap = int(os.environ.get("GITHUB_TOKEN_CONCURRENCY") or 4)
    return min(args.concurrency or 8, cap * len(server_tokens(args)))


@contextmanager
def bench(*, repositories: int, latency_ms: float, args, hourly_limit: int | None = None):
    """A fresh database with `repositories` seeded, and a fresh fake that knows them, its
    clock at START. The fake allows `hourly_limit` requests per token and hour (default:
    enough for any run, for parts that count requests or memory rather than time)."""
    with workdir() as path:
        env = production_env(path)
        tokens = server_tokens(args)
        env.update(GITHUB_TOKEN=",".join(tokens), GITHUB_TIMEOUT="30")
        manage(env, "migrate", "--noinput")
        seeded = python_in_django(env, f"n, users = {repositories}, {USERS}\n" + SEED)
        assert int(seeded.split()[-1]) == repositories, seeded
        rate_limit = hourly_limit or max(GITHUB_HOURLY, 100 * repositories)
        with fake_github(env, latency_ms=latency_ms, rate_limit=rate_limit) as fake:
            fake.set_now(START)
            fake.control(
                {
                    "tokens": [
                        {"token": token, "login": f"bench-{number}"}
                        for number, token in enumerate(tokens)
                    ],
                    "repos": [
                        {"owner": f"org{i % USERS}", "name": f"repo-{i}"}
                        for i in range(repositories)
                    ],
                }
            )
            env["GITHUB_API_URL"] = fake.base
            yield Bench(path, env, fake, repositories=repositories, args=args)


def run_problems(run: dict, *, first: bool) -> list[str]:
    n = run["repositories"]
    per = FIRST_REQUESTS if first else DAILY_REQUESTS
    problems = []
    if not (run["total"] == run["ok"] == n and run["failed"] == run["skipped"] == 0):
        problems.append(f"summary is not {n} collected, 0 failed: {run['summary']!r}")
    if run["requests"] != per * n:
        problems.append(f"{run['requests']:,} requests besides stargazer pages, not {per * n:,}")
    if run["wal_mb"] > WAL_LIMIT_MB:
        problems.append(f"the SQLite WAL grew to {run['wal_mb']:.0f} MB")
    return problems


def check_problems(checked: dict) -> list[str]:
    n = checked["repositories"]
    problems = []
    for key, what in (
        ("with_traffic", "traffic days"),
        ("collected", f"a collected range up to {checked['day']} or the day before"),
        ("snapshots", f"a repository snapshot of {checked['day']}"),
        ("popular", f"top referrers or paths of {checked['day']}"),
        ("release_assets", f"release asset counts of {checked['day']}"),
        ("weeks", f"the complete week of {checked['monday']}"),
    ):
        if checked[key] != n:
            problems.append(f"{checked[key]:,} of {n:,} repositories with {what}")
    if checked["traffic_days"] <= MIN_DAYS_PER_REPOSITORY * n:
        problems.append(f"only {checked['traffic_days']:,} traffic days for {n:,} repositories")
    # Star histories: as many as one hour's allowance per collection pays for (at most
    # TRAFFIC_STARGAZER_PAGES pages each), every page read accounted for.
    each = checked["backfill_allowance"] // checked["stargazer_pages"]
    least = min(n, checked["allowances"] * each)
    if checked["star_histories"] < least:
        problems.append(f"{checked['star_histories']} star histories, fewer than {least}")
    if checked["star_histories_without_days"]:
        problems.append(f"{checked['star_histories_without_days']} star histories without days")
    pages = {checked[k] for k in ("stargazer_requests", "star_pages_read", "backfill_spent")}
    if len(pages) != 1:
        problems.append(
            f"{checked['stargazer_requests']} stargazer requests, {checked['star_pages_read']} "
            f"pages read, {checked['backfill_spent']} reserved from the allowance"
        )
    if checked["backfill_hour_max"] > checked["backfill_allowance"]:
        problems.append(f"{checked['backfill_hour_max']} backfill requests in one hour")
    if checked["without_success"] or checked["with_error"] or checked["locked"]:
        problems.append(
            f"{checked['without_success']} without success, {checked['with_error']} with an "
            f"error, {checked['locked']} still locked"
        )
    return problems


def timing_part(args) -> dict:
    n = args.repositories
    # GitHub's own hourly limit: the timed runs must be ones GitHub would allow.
    with bench(
        repositories=n, latency_ms=args.latency_ms, args=args, hourly_limit=GITHUB_HOURLY
    ) as part:
        latency = args.latency_ms
        first = part.collect(label="timing: first collection", latency_ms=latency)
        part.next_day()
        steady = part.collect(
            label="timing: daily, steady state (timed)", latency_ms=latency, backfill=False
        )
        part.next_day()
        hour_turn_avoid(seconds=1.5 * TIME_TARGET_SECONDS)
        backfill = part.collect(label="timing: daily, first weeks (rebuilds)", latency_ms=latency)
        checked = part.check()
    return {"first": first, "steady": steady, "backfill": backfill, "checked": checked}


def week_part(args) -> dict:
    n = args.week_repositories
    with bench(repositories=n, latency_ms=args.week_latency_ms, args=args) as part:
        first = part.collect(label="week: first collection", latency_ms=args.week_latency_ms)
        days = []
        for _ in range(WEEK_DAYS):
            part.next_day()
            days.append(part.collect(label="week: daily", latency_ms=args.week_latency_ms))
        checked = part.check()
    return {"first": first, "days": days, "checked": checked}


def memory_part(args, size: int) -> dict:
    with bench(repositories=size, latency_ms=args.memory_latency_ms, args=args) as part:
        return part.collect(label="memory: first collection", latency_ms=args.memory_latency_ms)


def _mb(kb: int | None) -> str:
    return "?" if kb is None else f"{kb / 1024:.1f}"


def _verdict(ok: bool) -> str:
    return "yes" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repositories", type=int, default=1000, help="timing run size")
    parser.add_argument("--latency-ms", type=float, default=100.0, help="timing run latency")
    parser.add_argument(
        "--concurrency", type=int, help="fetch_traffic --concurrency (default: its setting, 8)"
    )
    parser.add_argument(
        "--server-tokens",
        type=int,
        help="server tokens in GITHUB_TOKEN (a pool; default: the fewest whose hourly "
        "limit of 5,000 pays for the timing run's first collection, 2 for 1,000)",
    )
    parser.add_argument("--week-repositories", type=int, default=200)
    parser.add_argument("--week-latency-ms", type=float, default=5.0)
    parser.add_argument(
        "--memory-repositories",
        default="1000,10000",
        help="sizes of the memory runs, comma-separated (default: 1000,10000)",
    )
    parser.add_argument("--memory-latency-ms", type=float, default=5.0)
    parser.add_argument(
        "--parts", default="timing,week,memory", help="which parts to run (default: all)"
    )
    args = parser.parse_args()
    if args.server_tokens is None:
        args.server_tokens = tokens_needed(args.repositories)
    parts = {part.strip() for part in args.parts.split(",")}
    if not parts <= {"timing", "week", "memory"}:
        parser.error(f"unknown parts: {sorted(parts - {'timing', 'week', 'memory'})}")

    timing = timing_part(args) if "timing" in parts else None
    week = week_part(args) if "week" in parts else None
    memory = []
    if "memory" in parts:
        sizes = sorted({int(size) for size in args.memory_repositories.split(",")})
        memory = [memory_part(args, size) for size in sizes]

    concurrency = args.concurrency or "16 (TRAFFIC_FETCH_CONCURRENCY default)"
    cap = os.environ.get("GITHUB_TOKEN_CONCURRENCY") or "4 (default)"
    print(
        f"{len(server_tokens(args))} server token(s), at most {cap} requests in flight each; "
        f"fetch_traffic --quiet, concurrency {concurrency}, the fake GitHub in its own process, "
        f"its clock from {START:%Y-%m-%d %H:%M} UTC ({START:%A})\n"
    )
    print(
        "| run | day | repositories | latency ms | wall s | command s | requests/repo "
        "| stargazer pages | peak RSS MB | CPU s | fake's CPU s | peak WAL MB | load "
        "| problems |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    rows = []
    if timing:
        rows += [(timing["first"], True), (timing["steady"], False), (timing["backfill"], False)]
    if week:
        rows += [(week["first"], True)] + [(day, False) for day in week["days"]]
    rows += [(run, True) for run in memory]
    for run, first in rows:
        problems = run_problems(run, first=first)
        failed |= bool(problems)
        cpu = "?" if run["cpu"] is None else f"{run['cpu']:.1f}"
        print(
            f"| {run['label']} | {run['day']:%a %m-%d} | {run['repositories']:,} "
            f"| {run['latency_ms']:g} | {run['wall']:.1f} | {run['command_seconds']:.1f} "
            f"| {run['requests'] / run['repositories']:.2f} | {run['star_pages']:,} "
            f"| {_mb(run['rss_kb'])} | {cpu} | {run['fake_cpu']:.1f} | {run['wal_mb']:.1f} "
            f"| {run['load']:.1f} | {'; '.join(problems) or 'none'} |"
        )

    checks = [("timing", timing["checked"])] if timing else []
    checks += [("week", week["checked"])] if week else []
    if checks:
        print(
            "\n| data after | day | repositories | traffic days | with the day's snapshot "
            "| popular | release assets | week complete (Monday) | star histories "
            "| stargazer pages (read, reserved) | problems |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, checked in checks:
        problems = check_problems(checked)
        failed |= bool(problems)
        print(
            f"| {name} | {checked['day']:%a %m-%d} | {checked['repositories']:,} "
            f"| {checked['traffic_days']:,} | {checked['snapshots']:,} | {checked['popular']:,} "
            f"| {checked['release_assets']:,} | {checked['weeks']:,} ({checked['monday']}) "
            f"| {checked['star_histories']:,} | {checked['stargazer_requests']:,} "
            f"({checked['star_pages_read']:,}, {checked['backfill_spent']:,}) "
            f"| {'; '.join(problems) or 'none'} |"
        )

    print("\n| target | measured | met |")
    print("|---|---|---|")
    if timing:
        workers = in_flight(args)
        for name, run in (("steady state", timing["steady"]), ("first weeks", timing["backfill"])):
            target = name == "steady state"
            requests = run["requests"] + run["star_pages"]
            floor = requests * run["latency_ms"] / 1000 / workers
            ok = run["wall"] < TIME_TARGET_SECONDS
            failed |= target and not ok
            print(
                f"| daily collection of {run['repositories']:,} repositories at "
                f"{run['latency_ms']:g} ms, {name}"
                + (f", in < {TIME_TARGET_SECONDS:.0f} s" if target else " (no target)")
                + f" | {run['wall']:.1f} s; the floor is ({run['requests']:,} + "
                f"{run['star_pages']:,} stargazer pages) x {run['latency_ms']:g} ms / {workers} "
                f"in flight = {floor:.1f} s | {_verdict(ok) if target else '-'} |"
            )
    if week:
        n = week["days"][0]["repositories"]
        requests = sum(day["requests"] for day in week["days"])
        pages = sum(day["star_pages"] for day in week["days"])
        per_day = requests / n / WEEK_DAYS
        ok = per_day <= DAILY_REQUESTS
        failed |= not ok
        print(
            f"| <= {DAILY_REQUESTS} GitHub requests per repository per day ({n:,} repositories, "
            f"{WEEK_DAYS} daily collections) | {per_day:.2f}; with the star history backfill's "
            f"{pages:,} stargazer pages {(requests + pages) / n / WEEK_DAYS:.2f} | {_verdict(ok)} |"
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
            f"| {_verdict(ok)} |"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
