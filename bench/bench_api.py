"""GET /api/repos/<id> (1,100 daily rows) and GET /api/repos (200 repositories) against a
production-style gunicorn, as a ratio of a trivial JSON view (/api/health) in the same run.

    make bench-api        (or: .venv/bin/python bench/bench_api.py [--seconds 10])
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import gunicorn, manage, production_env, python_in_django, workdir, wrk  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    with workdir() as path:
        env = production_env(path)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seeded = json.loads(python_in_django(env, SEED).strip().splitlines()[-1])
        auth = {"X-API-Token": seeded["token"]}
        with gunicorn(env) as base:
            wrk(base + "/api/health", seconds=2)  # warm-up
            baseline = wrk(base + "/api/health", seconds=args.seconds)
            detail = wrk(f"{base}/api/repos/{seeded['detail']}", headers=auth, seconds=args.seconds)
            listing = wrk(base + "/api/repos", headers=auth, seconds=args.seconds)
    print("| endpoint | req/s | p50 ms | p99 ms | throughput vs trivial | target |")
    print("|---|---|---|---|---|---|")
    rows = [
        ("GET /api/health (trivial)", baseline, None),
        ("GET /api/repos/<id> (1,100 days)", detail, 0.40),
        ("GET /api/repos (200 repositories)", listing, 0.60),
    ]
    failed = False
    for name, result, target in rows:
        ratio = result["rps"] / baseline["rps"]
        verdict = (
            ""
            if target is None
            else (f">= {target:.0%} " + ("ok" if ratio >= target else "MISSED"))
        )
        failed |= target is not None and ratio < target
        print(
            f"| {name} | {result['rps']:.0f} | {result['p50']:.2f} | {result['p99']:.2f} "
            f"| {ratio:.0%} | {verdict} |"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
