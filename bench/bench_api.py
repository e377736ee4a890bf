"""GET /api/repos/<id> (1,100 daily rows) and GET /api/repos (200 repositories) against a
production-style gunicorn, as a ratio of a plain Django JSON view in the same run.

    make bench-api        (or: .venv/bin/python bench/bench_api.py [--seconds 10])
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/repotraffic_bench make bench-api

The baseline is a plain Django view returning a small JsonResponse (bench/bench_urls.py,
loaded only by bench/bench_settings.py), behind the same middleware and server. "First
read after a collection" is served by a second server without caches
(REPOTRAFFIC_API_CACHE_MB=0, CACHE_URL=dummy://): every request there is the first of its
process since the data changed. Each round
measures every endpoint right after a run of the baseline, and a ratio is that pair's:
a noisy neighbour (2 shared cores) slows both alike. The table gives medians.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    gunicorn,
    manage,
    production_env,
    python_in_django,
    throwaway_database,
    workdir,
    wrk,
)

# 200 repositories, the first just collected (its traffic stored and its outcome recorded
# by the collection's own write path) with 1,100 days up to today.
SEED = """
import datetime as dt, json
from django.utils import timezone
from repotraffic.repositories.models import Repository
from repotraffic.traffic.collection_services import collection_record
from repotraffic.traffic.merge import DayFigures
from repotraffic.traffic.models import Collection
from repotraffic.traffic.services import traffic_store
from repotraffic.users.models import User
from repotraffic.users.tokens import api_token_digest
token = "b" * 32
user = User.objects.create(email="bench@example.com", token_digest=api_token_digest(token))
repos = Repository.objects.bulk_create(
    [Repository(user=user, owner="acme", name=f"repo-{i}") for i in range(200)]
)
Collection.objects.bulk_create([Collection(repository=repository) for repository in repos])
now = timezone.now()
today = now.astimezone(dt.UTC).date()
reported = {
    today - dt.timedelta(days=d): DayFigures(
        views=d % 50, unique_views=d % 20, clones=d % 7, unique_clones=d % 3, partial=d == 0
    )
    for d in range(1100)
}
traffic_store(repository=repos[0], reported=reported, fetched_at=now)
collection_record(repository=repos[0], attempted_at=now)
print(json.dumps({"token": token, "detail": str(repos[0].id)}))
"""

BASELINE = "GET /api/bench/baseline (plain Django JsonResponse)"


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=2, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with workdir() as path:
        env = dict(production_env(path), DJANGO_SETTINGS_MODULE="bench.bench_settings")
        with throwaway_database(env) as env:
            database = env["DATABASE_URL"].split(":", 1)[0]
            manage(env, "migrate", "--noinput")
            manage(env, "collectstatic", "--noinput")
            seeded = json.loads(python_in_django(env, SEED).strip().splitlines()[-1])
            auth = {"X-API-Token": seeded["token"]}
            detail = f"/api/repos/{seeded['detail']}"
            with (
                gunicorn(env) as cached,
                gunicorn(dict(env, REPOTRAFFIC_API_CACHE_MB="0", CACHE_URL="dummy://")) as fresh,
            ):
                # name: (server, path, headers, target ratio)
                targets = {
                    BASELINE: (cached, "/api/bench/baseline", {}, None),
                    "GET /api/health (DRF APIView, the old baseline)": (
                        cached, "/api/health", {}, None
                    ),
                    "GET /api/repos/<id>, 1,100 days, first read after a collection": (
                        fresh, detail, auth, 0.30
                    ),
                    "GET /api/repos/<id>, 1,100 days, cached": (cached, detail, auth, 0.50),
                    "GET /api/repos, 200 repositories, cached": (cached, "/api/repos", auth, 0.60),
                    "GET /api/repos, 200 repositories, first read after a collection": (
                        fresh, "/api/repos", auth, None
                    ),
                }  # fmt: skip
                results: dict[str, list[dict]] = {name: [] for name in targets}
                ratios: dict[str, list[float]] = {name: [] for name in targets}
                for server, path_, headers, _ in targets.values():
                    wrk(server + path_, headers=headers, seconds=1)  # warm-up: fills caches
                baseline_url = cached + "/api/bench/baseline"
                for _ in range(args.rounds):
                    for name, (server, path_, headers, _) in list(targets.items())[1:]:
                        # Each endpoint right after its own baseline: the ratio of the pair.
                        base = wrk(baseline_url, seconds=args.seconds)
                        run = wrk(server + path_, headers=headers, seconds=args.seconds)
                        results[BASELINE].append(base)
                        results[name].append(run)
                        ratios[name].append(run["rps"] / base["rps"])
                ratios[BASELINE] = [1.0]
    print(
        f"{database}; {args.rounds} rounds of {args.seconds} s per endpoint, each right after "
        "a run of the baseline; gunicorn, 2 workers. Best round's req/s; p50/p99 medians."
    )
    print()
    print("| endpoint | best req/s | p50 ms | p99 ms | best vs best baseline "
          "| median of pair ratios | target (on best) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    baseline_best = max(run["rps"] for run in results[BASELINE])
    failed = False
    for name, (_, _, _, target) in targets.items():
        runs = results[name]
        best = max(run["rps"] for run in runs)
        ratio = best / baseline_best
        verdict = ""
        if target is not None:
            verdict = f">= {target:.0%}: " + ("met" if ratio >= target else "MISSED")
            failed |= ratio < target
        p50, p99 = median([run["p50"] for run in runs]), median([run["p99"] for run in runs])
        print(
            f"| {name} | {best:.0f} | {p50:.2f} | {p99:.2f} | {ratio:.0%} "
            f"| {median(ratios[name]):.0%} | {verdict} |"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
