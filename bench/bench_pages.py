"""The chart pages with 100 repositories x 3 years of daily traffic, on a production-style
gunicorn (2 workers, SQLite, collected static files), and in headless Chromium.

Measures the all-repositories page's server time (median and p95 of sequential requests)
with its charts cached and not cached, the single-repository page's, and in the browser
the time from navigation start to the last chart drawn (the page's
performance.mark("charts-drawn")).

    .venv/bin/python bench/bench_pages.py [--requests 30] [--loads 5]

Needs Debian's chromium at /usr/bin/chromium (apt-get install chromium); no downloads.
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


def cold_url(url: str, number: int) -> str:
    """The page with a date range that still holds every day but that no request has used
    yet, so its charts are not in the cache: what the first view after a collection costs."""
    start = dt.date(1900, 1, 1) + dt.timedelta(days=number)
    return f"{url}?start={start.isoformat()}"


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
    for _ in range(3):  # imports, templates, connections and, per worker, the chart cache
        urllib.request.urlopen(url, timeout=60).read()
    return url


# Milliseconds from navigation start: the HTML received and parsed, our script started,
# the 200 uPlot instances built, and the last of them drawn.
TIMELINE = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const mark = (name) => performance.getEntriesByName(name)[0].startTime;
  return {
    "response end": navigation.responseEnd,
    "HTML parsed": navigation.domInteractive,
    "charts start": mark("charts-start"),
    "charts built": mark("charts-built"),
    "charts drawn": mark("charts-drawn"),
  };
}"""


def charts_drawn_times(urls: list[str]) -> tuple[list[dict], int]:
    """Milliseconds from navigation start to the last chart drawn, each in a fresh context
    (no HTTP cache); the first load only warms the browser up and is dropped."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for url in urls[:1] + urls:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector("html[data-charts-drawn]", timeout=60_000)
            times.append(page.evaluate(TIMELINE))
            charts = int(page.get_attribute("html", "data-charts-drawn"))
            context.close()
        browser.close()
    return times[1:], charts


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
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    n, loads = args.requests, args.loads
    with workdir() as path:
        env = production_env(path)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seeded = json.loads(python_in_django(env, SEED).strip().splitlines()[-1])
        with gunicorn(env, workers=2) as base:
            pages = f"{base}/users/{seeded['token']}/repos"
            single = f"{pages}/{seeded['repository']}"
            warm, size = server_times([warmed_up(pages)] * n)
            cold, _ = server_times([cold_url(pages, i) for i in range(n)])
            single_times, single_size = server_times([warmed_up(single)] * n)
            drawn_warm, charts = charts_drawn_times([pages] * loads)
            drawn_cold, _ = charts_drawn_times([cold_url(pages, n + i) for i in range(loads + 1)])

    every = f"{REPOSITORIES} repos x {DAYS} days, {size / 1e6:.2f} MB"
    drawn = [[load["charts drawn"] for load in loads] for loads in (drawn_warm, drawn_cold)]
    rows = [
        (f"all-repositories page, server, charts cached ({every})", warm, TARGET_SERVER_MS),
        ("all-repositories page, server, charts not cached (first view)", cold, TARGET_SERVER_MS),
        (f"single-repository page, server ({DAYS} days, {single_size / 1e3:.0f} kB)",
         single_times, None),
        (f"navigation start to all {charts} charts drawn, Chromium, charts cached",
         drawn[0], TARGET_DRAWN_MS),
        ("navigation start to all charts drawn, Chromium, charts not cached",
         drawn[1], TARGET_DRAWN_MS),
    ]  # fmt: skip
    print(
        f"Server: {n} sequential requests per row; browser: {loads} loads per row, each in a "
        "fresh context. p95 of 5 loads is their maximum."
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
    print(f"Browser, charts cached, median ms from navigation start: {timeline_median(drawn_warm)}")
    print(f"Browser, not cached, median ms from navigation start: {timeline_median(drawn_cold)}")
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
