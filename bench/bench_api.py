"""GET /api/repos/<id> (1,100 daily rows) and GET /api/repos (200 repositories) against a
production-style gunicorn, as a ratio of a trivial JSON view (/api/health) in the same run.

    make bench-api        (or: .venv/bin/python bench/bench_api.py [--seconds 10])
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import gunicorn, manage, production_env, python_in_django, workdir, wrk

SEED = """
import datetime as dt, json
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import TrafficDay
from repotraffic.users.models import User
from repotraffic.users.tokens import api_token_digest
token = "b" * 32
user = User.objects.create(email="bench@example.com", token_digest=api_token_digest(token))
repos = Repository.objects.bulk_create(
    [Repository(user=user, owner="acme", name=f"repo-{i}") for i in range(200)]
)
start = dt.date(2023, 1, 1)
TrafficDay.objects.bulk_create(
    [TrafficDay(repository=repos[0], date=start + dt.timedelta(days=d), views=d % 50,
                unique_views=d % 20, clones=d % 7, unique_clones=d % 3) for d in range(1100)]
)
print(json.dumps({"token": token, "detail": str(repos[0].id)}))
"""


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with workdir() as path:
        env = production_env(path)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seeded = json.loads(python_in_django(env, SEED).strip().splitlines()[-1])
        auth = {"X-API-Token": seeded["token"]}
        targets = {
            "GET /api/health (trivial)": ("/api/health", {}, None),
            "GET /api/repos/<id> (1,100 days)": (f"/api/repos/{seeded['detail']}", auth, 0.40),
            "GET /api/repos (200 repositories)": ("/api/repos", auth, 0.60),
        }
        results: dict[str, list[dict]] = {name: [] for name in targets}
        uncached: dict[str, dict] = {}
        # The first request after each collection misses the cache: measure that too.
        with gunicorn(dict(env, CACHE_URL="dummy://")) as base:
            for name, (path_, headers, _) in list(targets.items())[1:]:
                uncached[name] = wrk(base + path_, headers=headers, seconds=args.seconds)
        with gunicorn(env) as base:
            for path_, headers, _ in targets.values():
                wrk(base + path_, headers=headers, seconds=1)  # warm-up, fills the caches
            # Rounds interleave the endpoints, so a noisy neighbour hurts all alike.
            for _ in range(args.rounds):
                for name, (path_, headers, _) in targets.items():
                    results[name].append(wrk(base + path_, headers=headers, seconds=args.seconds))
    trivial = results["GET /api/health (trivial)"]
    print(f"{args.rounds} interleaved rounds of {args.seconds} s; medians; gunicorn, 2 workers")
    print()
    print(
        "| endpoint | req/s | p50 ms | p99 ms | throughput vs trivial "
        "| p50 / p99 vs trivial | target |"
    )
    print("|---|---|---|---|---|---|---|")
    failed = False
    for name, (_, _, target) in targets.items():
        runs = results[name]
        ratio = median([run["rps"] / base["rps"] for run, base in zip(runs, trivial, strict=True)])
        verdict = ""
        if target is not None:
            verdict = f">= {target:.0%} " + ("ok" if ratio >= target else "MISSED")
            failed |= ratio < target
        p50, p99 = median([r["p50"] for r in runs]), median([r["p99"] for r in runs])
        base_p50, base_p99 = (
            median([r["p50"] for r in trivial]),
            median([r["p99"] for r in trivial]),
        )
        print(
            f"| {name} | {median([r['rps'] for r in runs]):.0f} | {p50:.2f} | {p99:.2f} "
            f"| {ratio:.0%} | {p50 / base_p50:.1f}x / {p99 / base_p99:.1f}x | {verdict} |"
        )
    print()
    print("Uncached (CACHE_URL=dummy://, the first request after a collection), same run:")
    print()
    print("| endpoint | req/s | p50 ms | p99 ms | throughput vs trivial |")
    print("|---|---|---|---|---|")
    trivial_rps = median([run["rps"] for run in trivial])
    for name, run in uncached.items():
        print(
            f"| {name} | {run['rps']:.0f} | {run['p50']:.2f} | {run['p99']:.2f} "
            f"| {run['rps'] / trivial_rps:.0%} |"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
