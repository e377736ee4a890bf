"""The overview (/users/<token>/repos) with 500 repositories x 3 years of daily traffic,
on a production-style gunicorn (2 workers, collected static files), SQLite or, with
BENCH_DATABASE_URL=postgres://..., a throwaway PostgreSQL database; and in headless
Chromium.

Measures the overview's server time (median and p95 of sequential requests) with its
sums cached and not cached (the first view after a collection), the single-repository
page's, and in the browser the time from navigation start to the table sorting and
searching (performance.mark("table-ready")) and to the combined chart drawn
(performance.mark("charts-drawn"); the sparklines are inline SVG, painted with the HTML).

    .venv/bin/python bench/bench_pages.py [--repositories 500] [--days 1095]
        [--requests 30] [--loads 5]

`--repositories 20` checks that the script works in a minute. Needs Debian's chromium at
/usr/bin/chromium (apt-get install chromium); no downloads.
"""

import argparse
import datetime as dt
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import gunicorn, manage, production_env, python_in_django, throwaway_database, workdir

REPOSITORIES = 500
DAYS = 1095
TARGET_SERVER_MS = 300
TARGET_BROWSER_MS = 1000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

# Each repository collected up to today, with weekly star snapshots; the last one failing.
# Traffic has a weekday rhythm so that weeks and months are not flat.
SEED = """
import datetime as dt, json
from django.utils import timezone
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Collection, RepositorySnapshot, TrafficDay
from repotraffic.traffic.sum_services import traffic_sums_rebuild
from repotraffic.users.models import User
from repotraffic.users.tokens import api_token_digest
REPOSITORIES, DAYS = {repositories}, {days}
token = "d" * 32
user = User.objects.create(email="bench-pages@example.com", token_digest=api_token_digest(token))
repositories = Repository.objects.bulk_create(
    [Repository(user=user, owner="acme", name=f"repo-{{i:03}}") for i in range(REPOSITORIES)]
)
today = dt.date.today()
start = today - dt.timedelta(days=DAYS - 1)
now = timezone.now()
Collection.objects.bulk_create(
    [
        Collection(repository=repository, last_attempt_at=now, last_success_at=now,
                   collected_from=start, collected_until=today, traffic_updated_at=now)
        for repository in repositories
    ]
)
Collection.objects.filter(repository=repositories[-1]).update(
    last_error="acme/repo was not found: check its URL, or the token's access to it"
)
for number, repository in enumerate(repositories):
    TrafficDay.objects.bulk_create(
        [
            TrafficDay(repository=repository, date=start + dt.timedelta(days=day),
                       views=(day * 7 + number) % 97 + (40 if day % 7 < 5 else 0),
                       unique_views=(day * 3 + number) % 41,
                       clones=(day + number) % 13, unique_clones=(day + number) % 5,
                       partial=day == DAYS - 1)
            for day in range(DAYS)
        ],
        batch_size=2000,
    )
    RepositorySnapshot.objects.bulk_create(
        [
            RepositorySnapshot(repository=repository, date=start + dt.timedelta(days=day),
                               stars=number + day // 7, forks=number // 3, watchers=number,
                               open_issues=number % 11)
            for day in range(0, DAYS, 7)
        ]
    )
# What the collection writes with the days: their week and month sums.
traffic_sums_rebuild(repository_ids=[repository.id for repository in repositories])
print(json.dumps({{"token": token, "repository": str(repositories[0].id)}}))
"""


def pages_seed(env: dict, *, repositories: int, days: int) -> dict:
    """Migrate, collect static files and seed SEED's data into `env`'s database: the
    seeded user's token and first repository's id."""
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    seed = SEED.format(repositories=repositories, days=days)
    return json.loads(python_in_django(env, seed).strip().splitlines()[-1])


def cold_url(url: str, number: int) -> str:
    """The page with a range that no request has used yet (the range ends `number` days
    before the last), so no repository's sums are cached: what the first view after a
    collection costs, when every repository's traffic version has moved."""
    end = dt.date.today() - dt.timedelta(days=number)
    return f"{url}?end={end.isoformat()}"


def server_times(urls: list[str]) -> tuple[list[float], int]:
    """Milliseconds per sequential GET (the whole body read), and the last body's size."""
    times = []
    for url in urls:
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:
            body = response.read()
        times.append((time.perf_counter() - started) * 1000)
    return times, len(body)


def warmed_up(url: str) -> str:
    for _ in range(3):  # imports, templates, connections and, per worker, the cache
        urllib.request.urlopen(url, timeout=60).read()
    return url


# Milliseconds from navigation start: the HTML received and parsed, the table sorting and
# searching, and the first frame painted with the combined chart drawn.
TIMELINE = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const mark = (name) => performance.getEntriesByName(name)[0].startTime;
  return {
    "response end": navigation.responseEnd,
    "HTML parsed": navigation.domInteractive,
    "table ready": mark("table-ready"),
    "charts drawn": mark("charts-drawn"),
  };
}"""


def browser_times(runs: dict[str, list[str]]) -> dict[str, list[dict]]:
    """Milestones of each load, by run, each load in a fresh context (no HTTP cache), all
    in one browser (a second Playwright session in the same process could hang); the
    first load of each run only warms up and is dropped, so give each run one more URL."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[dict]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, urls in runs.items():
            loads = []
            for url in urls:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(url, timeout=120_000)
                page.wait_for_selector("html[data-charts-drawn]", state="attached")
                loads.append(page.evaluate(TIMELINE))
                context.close()
            times[name] = loads[1:]
        browser.close()
    return times


def timeline_median(loads: list[dict]) -> str:
    return ", ".join(
        f"{name} {statistics.median(load[name] for load in loads):.0f}" for name in loads[0]
    )


def p95(values: list[float]) -> float:
    if len(values) < 20:
        return max(values)
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repositories", type=int, default=REPOSITORIES)
    parser.add_argument("--days", type=int, default=DAYS)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    n, loads = args.requests, args.loads
    with workdir() as path, throwaway_database(production_env(path)) as env:
        seeded = pages_seed(env, repositories=args.repositories, days=args.days)
        database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
        with gunicorn(env, workers=2) as base:
            pages = f"{base}/users/{seeded['token']}/repos"
            single = f"{pages}/{seeded['repository']}"
            warm, size = server_times([warmed_up(pages)] * n)
            cold, _ = server_times([cold_url(pages, i + 1) for i in range(n)])
            single_times, single_size = server_times([warmed_up(single)] * n)
            browser = browser_times(
                {
                    "cached": [f"{pages}?bench=1"] * (loads + 1),
                    "not cached": [
                        f"{cold_url(pages, n + i + 1)}&bench=1" for i in range(loads + 1)
                    ],
                }
            )
            browser_warm, browser_cold = browser["cached"], browser["not cached"]

    every = f"{args.repositories} repos x {args.days} days, {database}, {size / 1e6:.2f} MB"
    rows = [
        (f"overview, server, sums cached ({every})", warm, TARGET_SERVER_MS),
        ("overview, server, not cached (first view after a collection)", cold, TARGET_SERVER_MS),
        (f"single-repository page, server ({args.days} days, {single_size / 1e3:.0f} kB)",
         single_times, None),
    ]  # fmt: skip
    for label, loaded in (("cached", browser_warm), ("not cached", browser_cold)):
        for milestone in ("table ready", "charts drawn"):
            values = [load[milestone] for load in loaded]
            name = f"navigation to {milestone}, Chromium, {label}"
            rows.append((name, values, TARGET_BROWSER_MS))
    print(
        f"Server: {n} sequential requests per row; browser: {loads} loads per row, each in a "
        "fresh context. p95 of fewer than 20 is their maximum."
    )
    print()
    print("| measurement | median ms | p95 ms | target | met |")
    print("|---|---|---|---|---|")
    missed = False
    for name, values, target in rows:
        median = statistics.median(values)
        verdict = ""
        if target:
            verdict = "yes" if median < target else "**no**"
            missed = missed or median >= target
        target_text = f"< {target} ms" if target else ""
        print(f"| {name} | {median:.0f} | {p95(values):.0f} | {target_text} | {verdict} |")
    print()
    print(f"Browser, cached, median ms from navigation start: {timeline_median(browser_warm)}")
    print(f"Browser, not cached, median ms from navigation start: {timeline_median(browser_cold)}")
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
