"""The chart pages with 100 repositories x 3 years of daily traffic, on a production-style
gunicorn (2 workers, SQLite, collected static files), and in headless Chromium.

Measures the all-repositories page's server time (median and p95 of sequential requests),
the single-repository page's, and in the browser the time from navigation start to the
last chart drawn (the page's performance.mark("charts-drawn")).

    .venv/bin/python bench/bench_pages.py [--requests 30] [--loads 5]

Needs Debian's chromium at /usr/bin/chromium (apt-get install chromium); no downloads.
"""

import argparse
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import gunicorn, manage, production_env, python_in_django, workdir

REPOSITORIES = 100
DAYS = 1095
TARGET_SERVER_MS = 300
TARGET_DRAWN_MS = 1500
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

SEED = f"""
import datetime as dt, json
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import TrafficDay
from repotraffic.users.models import User
from repotraffic.users.tokens import api_token_digest
token = "d" * 32
user = User.objects.create(email="bench-pages@example.com", token_digest=api_token_digest(token))
repositories = Repository.objects.bulk_create(
    [Repository(user=user, owner="acme", name=f"repo-{{i:03}}") for i in range({REPOSITORIES})]
)
start = dt.date.today() - dt.timedelta(days={DAYS} - 1)
for number, repository in enumerate(repositories):
    TrafficDay.objects.bulk_create(
        [
            TrafficDay(repository=repository, date=start + dt.timedelta(days=day),
                       views=(day * 7 + number) % 97, unique_views=(day * 3 + number) % 41,
                       clones=(day + number) % 13, unique_clones=(day + number) % 5)
            for day in range({DAYS})
        ],
        batch_size=2000,
    )
print(json.dumps({{"token": token, "repository": str(repositories[0].id)}}))
"""


def server_times(url: str, *, requests: int) -> tuple[list[float], int]:
    """Milliseconds per sequential GET (the whole body read), and the body's size."""
    for _ in range(3):  # warm-up: imports, template and connection caches
        urllib.request.urlopen(url, timeout=30).read()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read()
        times.append((time.perf_counter() - started) * 1000)
    return times, len(body)


def charts_drawn_times(url: str, *, loads: int) -> tuple[list[float], int]:
    """Milliseconds from navigation start to the last chart drawn, each in a fresh context."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(loads + 1):  # the first load warms the browser up and is dropped
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector("html[data-charts-drawn]", timeout=60_000)
            drawn = page.evaluate("performance.getEntriesByName('charts-drawn')[0].startTime")
            charts = int(page.get_attribute("html", "data-charts-drawn"))
            times.append(drawn)
            context.close()
        browser.close()
    return times[1:], charts


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    with workdir() as path:
        env = production_env(path)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seeded = json.loads(python_in_django(env, SEED).strip().splitlines()[-1])
        with gunicorn(env, workers=2) as base:
            pages = f"{base}/users/{seeded['token']}/repos"
            every, every_size = server_times(pages, requests=args.requests)
            single, single_size = server_times(
                f"{pages}/{seeded['repository']}", requests=args.requests
            )
            drawn, charts = charts_drawn_times(pages, loads=args.loads)

    rows = [
        (
            f"all-repositories page, server ({REPOSITORIES} repos x {DAYS} days, "
            f"{every_size / 1e6:.2f} MB)",
            statistics.median(every),
            p95(every),
            f"< {TARGET_SERVER_MS} ms",
            statistics.median(every) < TARGET_SERVER_MS,
        ),
        (
            f"single-repository page, server ({DAYS} days, {single_size / 1e3:.0f} kB)",
            statistics.median(single),
            p95(single),
            "",
            None,
        ),
        (
            f"all-repositories page, navigation start to {charts} charts drawn (Chromium)",
            statistics.median(drawn),
            max(drawn),
            f"< {TARGET_DRAWN_MS} ms",
            statistics.median(drawn) < TARGET_DRAWN_MS,
        ),
    ]
    print(
        f"{args.requests} sequential requests per page after 3 warm-up requests; "
        f"{args.loads} browser loads (for the browser the second figure is the maximum)."
    )
    print()
    print("| measurement | median ms | p95 ms | target | met |")
    print("|---|---|---|---|---|")
    for name, median, high, target, met in rows:
        verdict = "" if met is None else ("yes" if met else "**no**")
        print(f"| {name} | {median:.0f} | {high:.0f} | {target} | {verdict} |")
    if any(met is False for *_, met in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
