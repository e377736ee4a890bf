"""Runs the fake GitHub REST API in the foreground, for demos and benchmarks."""

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from repotraffic.integrations.github.fake import DEMO_TOKEN, FakeGitHub


class Command(BaseCommand):
    help = (
        "Serve a fake GitHub REST API (see repotraffic/integrations/github/fake.py). "
        "Point GITHUB_API_URL at the printed URL."
    )

    # The fake touches neither the database nor other apps: start at once.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--latency-ms", type=float, default=0.0)
        parser.add_argument("--rate-limit", type=int, default=5000, help="requests per token/hour")
        parser.add_argument(
            "--seed-demo",
            action="store_true",
            help=f'register token "{DEMO_TOKEN}" and the repositories acme/rocket, '
            "acme/launchpad and octo/widgets",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fake = FakeGitHub(
            port=options["port"],
            latency_ms=options["latency_ms"],
            rate_limit=options["rate_limit"],
        )
        if options["seed_demo"]:
            fake.seed_demo()
        try:
            fake.start()
        except OSError as exc:
            raise CommandError(f"cannot listen on {fake.host}:{options['port']}: {exc}") from None
        self.stdout.write(f"fake GitHub listening on {fake.url} (Ctrl-C to stop)")
        if options["seed_demo"]:
            self.stdout.write(f'token "{DEMO_TOKEN}": acme/rocket, acme/launchpad, octo/widgets')
        self.stdout.flush()
        # serve in the background thread and wait here, so that SIGTERM (from a test
        # harness or a Procfile runner) stops as cleanly as Ctrl-C.
        stopped = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        try:
            while not stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            fake.stop()
