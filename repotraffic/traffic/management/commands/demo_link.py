"""Prints the demo's link once its web server answers (`make demo`).

demo_seed prints the link before the processes start, and their first logs scroll it
away; `make demo` runs this next to them, so the link is printed again below those logs,
when it opens. It reads the demo user's token where demo_seed keeps it (under the var
directory) and never makes one. It waits a bounded time, and stops early if the shell
that started it has gone (the processes were stopped first).
"""

import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from repotraffic.traffic.management.commands.demo_seed import DEMO_LINK_FILE

_TOKEN_SHAPE = re.compile(r"[0-9a-f]{32}")
_POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Wait for the demo's web server to answer, then print the demo user's link."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--timeout", type=float, default=120.0, help="seconds to wait for the server (120)"
        )

    def handle(self, *args, base_url, timeout, **options):
        base_url = base_url.rstrip("/")
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise CommandError(f"--base-url must be an http(s) URL, not {base_url!r}")
        path = Path(settings.VAR_DIR) / DEMO_LINK_FILE
        token = path.read_text(encoding="ascii").strip() if path.is_file() else ""
        if not _TOKEN_SHAPE.fullmatch(token):
            raise CommandError(f"No demo token in {path}: run `manage.py demo_seed` first.")
        if not self._wait_for(f"{base_url}/api/health", timeout=timeout):
            raise CommandError(
                f"{base_url} did not answer within {timeout:g} s; the demo's link is "
                f"{base_url}/users/<the token in {path}>/repos"
            )
        self.stdout.write(self.style.SUCCESS(f"\nThe demo is up: {base_url}/users/{token}/repos\n"))

    @staticmethod
    def _wait_for(url: str, *, timeout: float) -> bool:
        parent = os.getppid()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and os.getppid() == parent:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http(s) only, checked above)
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(_POLL_SECONDS)
        return False
