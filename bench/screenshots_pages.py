"""Screenshots of every page for review: issue 10's acceptance set.

Seeds the data of bench/bench_pages.py (500 repositories x 3 years, the last one
failing), serves it the same way (production settings, gunicorn, collected static
files), signs up one new user with no repositories (POST /api/users/create), creates a
share link of all the seeded user's repositories (POST /api/share-links/create), and
photographs in Debian's chromium, at 1280 and 390 px wide, light and dark:

    home          /
    empty         the new user's overview
    overview      the seeded user's overview (all repositories)
    repository    a healthy repository's page
    failing       the failing repository's page
    shared        the share link's overview
    not-found     an unknown user's overview (the 404 page)

Each as a full-page PNG, var/screenshots/pages/<page>-<width>-<scheme>.png, and the
first screen alone, <page>-<width>-<scheme>-top.png (a full page of 500 repositories is
too tall to read); index.md lists them with each page's URL path and status.

    .venv/bin/python bench/screenshots_pages.py [--repositories 500] [--days 1095]
    make screenshots-pages

`--repositories 20` makes the whole set in about a minute. Needs /usr/bin/chromium
(apt-get install chromium); no downloads.
"""

import argparse
import json
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import CHROMIUM, CHROMIUM_ARGS, DAYS, REPOSITORIES, pages_seed
from common import ROOT, gunicorn, production_env, python_in_django, workdir

OUT = ROOT / "var" / "screenshots" / "pages"
# Viewports: a desktop, and a phone as narrow as the common ones.
WIDTHS = {1280: 800, 390: 844}
SCHEMES = ("light", "dark")
NEW_USER_EMAIL = "new-user@example.com"

# The seed names its repositories acme/repo-000 ...; the last one is the failing one.
FAILING_ID = """
from repotraffic.repositories.models import Repository
print(Repository.objects.get(name="repo-{last:03}").id)
"""


def api_post(url: str, body: dict, *, token: str | None = None) -> dict:
    """The JSON answer of a POST to the app's API; any error status stops the run."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-API-Token"] = token
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"POST {url} answered {error.code}: {error.read().decode()[:300]}")


def pages_to_shoot(base: str, seeded: dict, failing_id: str) -> dict[str, str]:
    """Page name -> URL."""
    new_user = api_post(f"{base}/api/users/create", {"email": NEW_USER_EMAIL})
    shared = api_post(
        f"{base}/api/share-links/create", {"label": "screenshots"}, token=seeded["token"]
    )
    overview = f"{base}/users/{seeded['token']}/repos"
    return {
        "home": f"{base}/",
        "empty": f"{base}/users/{new_user['token']}/repos",
        "overview": overview,
        "repository": f"{overview}/{seeded['repository']}",
        "failing": f"{overview}/{failing_id}",
        # The API builds the link from the request's host, which is this server.
        "shared": shared["url"],
        "not-found": f"{base}/users/{'0' * 32}/repos",
    }


def shoot(pages: dict[str, str], base: str) -> list[str]:
    """Takes every screenshot; returns index.md's table rows."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, url in pages.items():
            for width, height in WIDTHS.items():
                for scheme in SCHEMES:
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, color_scheme=scheme
                    )
                    page = context.new_page()
                    response = page.goto(url, wait_until="networkidle", timeout=120_000)
                    # Charts draw on the frame after the scripts run.
                    page.wait_for_timeout(300)
                    stem = f"{name}-{width}-{scheme}"
                    page.screenshot(path=OUT / f"{stem}.png", full_page=True)
                    page.screenshot(path=OUT / f"{stem}-top.png")
                    tall = page.evaluate("document.documentElement.scrollHeight")
                    wide = page.evaluate("document.documentElement.scrollWidth")
                    overflow = f"**{wide} px wide**" if wide > width else ""
                    path = url.removeprefix(base)
                    rows.append(
                        f"| {name} | {width} | {scheme} | {response.status} | {tall} | "
                        f"{overflow} | [{stem}.png]({stem}.png), [top]({stem}-top.png) | "
                        f"`{path}` |"
                    )
                    print(f"{stem}: {response.status}, {tall} px tall", flush=True)
                    context.close()
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repositories", type=int, default=REPOSITORIES)
    parser.add_argument("--days", type=int, default=DAYS)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is needed: apt-get install chromium")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    with workdir() as path:
        env = production_env(path)
        seeded = pages_seed(env, repositories=args.repositories, days=args.days)
        failing = FAILING_ID.format(last=args.repositories - 1)
        failing_id = python_in_django(env, failing).strip().splitlines()[-1]
        with gunicorn(env, workers=2) as base:
            rows = shoot(pages_to_shoot(base, seeded, failing_id), base)
    index = [
        f"# Pages, {args.repositories} repositories x {args.days} days",
        "",
        "Made by `bench/screenshots_pages.py`; the seeded user's token is "
        f"`{seeded['token']}`. A width wider than the viewport (the overflow column) "
        "means the page scrolls sideways.",
        "",
        "| page | width | scheme | status | height px | overflow | files | path |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    (OUT / "index.md").write_text("\n".join(index) + "\n")
    print(f"wrote {len(rows) * 2} screenshots and index.md into {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
