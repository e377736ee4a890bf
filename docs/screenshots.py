"""Remakes the README's screenshots from the demo: `make screenshots`.

Seeds the demo (`demo_seed`, the real collection against the bundled fake GitHub) into a
throwaway folder, serves it with gunicorn, and photographs both pages in Debian's
chromium at 1280 px into docs/screenshots/. Needs /usr/bin/chromium; no downloads.
"""

import json
import re
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import free_port, gunicorn, manage, production_env, workdir  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def main() -> None:
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is needed: apt-get install chromium")
    with workdir() as folder:
        env = production_env(folder)
        env.update(
            GITHUB_API_URL=f"http://127.0.0.1:{free_port()}",
            GITHUB_TOKEN="demo-token",  # noqa: S106 (the fake's public demo token)
            GITHUB_RETRY_BACKOFF="0",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seeded = manage(env, "demo_seed", "--days", "150")
        token = re.search(r"API token: (\w+)", seeded).group(1)
        with gunicorn(env, workers=1) as base, sync_playwright() as playwright:
            rocket = _repository_id(base, token, "https://github.com/acme/rocket")
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            shots = {
                "repositories.png": f"{base}/users/{token}/repos",
                "repository.png": f"{base}/users/{token}/repos/{rocket}",
            }
            for name, url in shots.items():
                page.goto(url, wait_until="networkidle")
                page.screenshot(path=OUT / name, full_page=name == "repository.png")
                print(f"wrote {(OUT / name).relative_to(ROOT)}")
            browser.close()


def _repository_id(base: str, token: str, url: str) -> str:
    """The id of the demo user's repository at `url`, from GET /api/repos."""
    request = urllib.request.Request(f"{base}/api/repos", headers={"X-API-Token": token})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        listed = json.load(response)
    return next(item["id"] for item in listed if item["url"] == url)


if __name__ == "__main__":
    main()
