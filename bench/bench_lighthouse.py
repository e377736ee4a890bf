"""Lighthouse's four categories (performance, accessibility, best practices, SEO) for the
pages, at a desktop's 1280 px and with Lighthouse's mobile preset, against the data and
production-style server of bench/bench_pages.py (its repositories x 3 years, one of them
failing, gunicorn, SQLite, collected static files).

    .venv/bin/python bench/bench_lighthouse.py [--repositories 500] [--days 1095]
    make bench-lighthouse

Prints a Markdown table of the scores, one of the performance metrics (FCP, LCP, TBT,
CLS, Speed Index) and, for each category under 100, the audits that cost it points;
exits non-zero if any score is under 100. Lighthouse (npm, pinned below) is installed
on first use into var/bench-node/, apart from the project's package.json, so that
`make run` never carries it; it drives Debian's chromium (apt-get install
chromium), never a downloaded browser. Full reports are kept in var/bench-node/reports/.
"""

import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import CHROMIUM, CHROMIUM_ARGS, DAYS, REPOSITORIES, pages_seed
from common import ROOT, gunicorn, production_env, workdir

# 12.x is the newest line that runs on Node.js 18 and 20 (13.x needs Node.js >= 22.19).
LIGHTHOUSE_VERSION = "12.8.2"
NODE_PREFIX = ROOT / "var" / "bench-node"
LIGHTHOUSE = NODE_PREFIX / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = NODE_PREFIX / "reports"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Lighthouse's desktop preset emulates 1350 px; the pages are checked at 1280 px.
ATTEMPTS = 3
# Pages under /users/<token>/ are secret links and send `noindex` on purpose, which fails
# SEO's is-crawlable audit: for them the verdict counts that audit as passed, and the
# table shows both scores.
SECRET_PAGES = frozenset({"overview", "repository"})
NOINDEX_ACCEPTED = frozenset({"is-crawlable"})
FORM_FACTORS = {
    "desktop": ["--preset=desktop", "--screenEmulation.width=1280", "--screenEmulation.height=800"],
    "mobile": [],  # Lighthouse's default: a phone 412 px wide, slow 4G, a 4x slower CPU
}


def lighthouse_install() -> None:
    """Lighthouse at LIGHTHOUSE_VERSION in var/bench-node, unless it is there already."""
    installed = NODE_PREFIX / "node_modules" / "lighthouse" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == LIGHTHOUSE_VERSION:
        return
    print(f"Installing lighthouse {LIGHTHOUSE_VERSION} into {NODE_PREFIX} ...", flush=True)
    NODE_PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(NODE_PREFIX), "--no-audit", "--no-fund",
         "--loglevel=error", f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True,
    )  # fmt: skip


def lighthouse_report(url: str, *, form_factor: str, name: str) -> dict:
    """Lighthouse's JSON report for one page in one form factor (also kept on disk).

    Tried up to ATTEMPTS times: on a busy machine Lighthouse now and then loses its trace
    (NO_NAVSTART, NO_FCP) and says to run it again."""
    chrome_flags = [flag for flag in CHROMIUM_ARGS if flag != "--headless"] + ["--headless=new"]
    for attempt in range(1, ATTEMPTS + 1):
        result = subprocess.run(
            ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output-path=stdout",
             f"--only-categories={','.join(CATEGORIES)}",
             f"--chrome-flags={' '.join(chrome_flags)}", *FORM_FACTORS[form_factor]],
            env=dict(os.environ, CHROME_PATH=CHROMIUM), capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        error = result.stderr.strip() if result.returncode else ""
        if not error:
            report = json.loads(result.stdout)
            error = (report.get("runtimeError") or {}).get("message", "")
        if not error:
            REPORTS.mkdir(parents=True, exist_ok=True)
            (REPORTS / f"{name}-{form_factor}.json").write_text(result.stdout)
            return report
        print(f"lighthouse on {name} ({form_factor}), attempt {attempt}: {error}", flush=True)
    raise RuntimeError(f"lighthouse failed {ATTEMPTS} times on {name} ({form_factor})")


def category_score(report: dict, category: str, *, passed: frozenset[str] = frozenset()):
    """0-100, as Lighthouse weighs the category's audits, with the audits in `passed`
    counted as passed; None where Lighthouse could not score it."""
    if report["categories"][category]["score"] is None:
        return None
    total = weights = 0.0
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if not ref["weight"] or audit["score"] is None:
            continue  # not applicable, manual or informative: Lighthouse leaves these out
        total += ref["weight"] * (1 if ref["id"] in passed else audit["score"])
        weights += ref["weight"]
    return round(100 * total / weights) if weights else None


def failing_audits(report: dict, category: str) -> list[str]:
    """The scored audits of a category that did not pass, heaviest first."""
    audits = report["audits"]
    failing = []
    for ref in sorted(report["categories"][category]["auditRefs"], key=lambda r: -r["weight"]):
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            shown = audit.get("displayValue") or f"score {audit['score']:.2f}"
            failing.append(f"`{ref['id']}` ({audit['title']}: {shown}, weight {ref['weight']:.3g})")
    return failing


# The performance category's metrics, shown for every page whatever its score.
METRICS = (
    ("first-contentful-paint", "FCP"),
    ("largest-contentful-paint", "LCP"),
    ("total-blocking-time", "TBT"),
    ("cumulative-layout-shift", "CLS"),
    ("speed-index", "SI"),
)


def metric_cells(report: dict) -> list[str]:
    """Each of METRICS as Lighthouse shows it (simulated throttling on mobile)."""
    return [report["audits"][audit].get("displayValue") or "n/a" for audit, _ in METRICS]


def status_of(url: str) -> int:
    """The page's HTTP status, its body read (which also warms up imports and caches)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repositories", type=int, default=REPOSITORIES)
    parser.add_argument("--days", type=int, default=DAYS)
    args = parser.parse_args()
    lighthouse_install()
    results: list[tuple[str, str, dict]] = []
    with workdir() as path:
        env = production_env(path)
        seeded = pages_seed(env, repositories=args.repositories, days=args.days)
        with gunicorn(env, workers=2) as base:
            overview = f"{base}/users/{seeded['token']}/repos"
            pages = {"overview": overview, "repository": f"{overview}/{seeded['repository']}"}
            if status_of(base + "/") == 200:
                pages["home"] = base + "/"
            else:
                print("/ does not answer 200: not measured")
            for name, url in pages.items():
                if (status := status_of(url)) != 200:
                    sys.exit(f"the {name} page answered {status}, not 200: nothing to measure")
                for form_factor in FORM_FACTORS:
                    report = lighthouse_report(url, form_factor=form_factor, name=name)
                    results.append((name, form_factor, report))

    print(
        f"Lighthouse {LIGHTHOUSE_VERSION}, Debian's chromium, {args.repositories} repositories x "
        f"{args.days} days; reports in {REPORTS}"
    )
    print()
    print("| page | form factor | performance | accessibility | best practices | SEO |")
    print("|---|---|---|---|---|---|")
    below = []
    for name, form_factor, report in results:
        cells = []
        for category in CATEGORIES:
            score = category_score(report, category)
            judged = score
            if category == "seo" and name in SECRET_PAGES:
                judged = category_score(report, category, passed=NOINDEX_ACCEPTED)
            cell = "n/a" if score is None else str(score)
            if judged != score:
                cell += f" ({judged} with noindex accepted)"
            cells.append(cell)
            if score is None or score < 100:
                verdict = judged is None or judged < 100
                below.append((name, form_factor, category, score, verdict, report))
        print(f"| {name} | {form_factor} | {' | '.join(cells)} |")
    print()
    print(f"| page | form factor | {' | '.join(label for _, label in METRICS)} |")
    print(f"|---|---|{'---|' * len(METRICS)}")
    for name, form_factor, report in results:
        print(f"| {name} | {form_factor} | {' | '.join(metric_cells(report))} |")
    for name, form_factor, category, score, verdict, report in below:
        accepted = "" if verdict else " (only the intended noindex)"
        print(f"\n{name}, {form_factor}, {category} {score}{accepted}:")
        for audit in failing_audits(report, category) or ["(no scored audit failed)"]:
            print(f"- {audit}")
    if any(verdict for *_, verdict, _ in below):
        sys.exit(1)


if __name__ == "__main__":
    main()
