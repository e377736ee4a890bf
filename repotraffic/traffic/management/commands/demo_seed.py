"""Builds months of demo history by running the real collection against the fake
GitHub, one simulated day at a time, then prints the pages' URLs (`make demo`).

It serves the fake itself, where the configuration already points: GITHUB_API_URL
must be a loopback http URL and GITHUB_TOKEN the fake's demo token, as `make demo`
sets them. Nothing is overridden: the collection runs exactly as configured, and dates
each answer by GitHub's Date header, which the fake sets from its simulated clock.
The fake's demo repositories have realistic figures (weekday rhythm, trend, news
spikes, releases: integrations/github/fake_realistic.py).

Running it again adds nothing twice: the demo user, its repositories and their ids
stay, the collection merges what it sees again into the same rows, and the user keeps
its demo token, so the printed link stays the same from run to run. That token is
random, made on the first run and kept in the var directory (var/demo/demo-api-token
for `make demo`): a fixed one would open any database a demo user ever reached."""

import datetime as dt
import logging
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from repotraffic.integrations.github.fake import DEMO_REPOSITORIES as FAKE_DEMO_REPOSITORIES
from repotraffic.integrations.github.fake import DEMO_TOKEN, FakeGitHub
from repotraffic.repositories.models import Repository
from repotraffic.repositories.services import repository_create
from repotraffic.traffic.services import traffic_fetch
from repotraffic.users.models import User
from repotraffic.users.services import user_create
from repotraffic.users.tokens import api_token_digest, api_token_generate

DEMO_EMAIL = "demo@example.com"
# Where the demo user's API token is kept between runs, under settings.VAR_DIR.
DEMO_LINK_FILE = "demo-api-token"
_TOKEN_SHAPE = re.compile(r"[0-9a-f]{32}")
# The fake's three, and one that vanishes from GitHub once it is tracked, to show how a
# failure looks.
VANISHED = ("octo", "vanished")
DEMO_REPOSITORIES = (*FAKE_DEMO_REPOSITORIES, VANISHED)


class Command(BaseCommand):
    help = "Create a demo user whose repositories hold months of history from the fake GitHub."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=150, help="days of history (150)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, days, base_url, **options):
        host, port = self._fake_address()
        user = self._demo_user()
        token = self._demo_token(user=user)
        # The client logs every request (httpx, at INFO): thousands of lines here, which
        # would bury the links printed at the end.
        requests_log = logging.getLogger("httpx")
        level = requests_log.level
        requests_log.setLevel(logging.WARNING)
        try:
            repositories = self._collect(user=user, host=host, port=port, days=days)
        finally:
            requests_log.setLevel(level)
        self.stdout.write(f"collected {days} days for {len(repositories)} repositories")

        self.stdout.write(
            f"The demo user's API token: {token} (kept in {self._token_path()}, the same on "
            "every run)"
        )
        self.stdout.write(f"API: curl -H 'X-API-Token: {token}' {base_url}/api/repos")
        self.stdout.write(self.style.SUCCESS(f"\nThe demo: {base_url}/users/{token}/repos\n"))

    def _collect(self, *, user: User, host: str, port: int, days: int) -> list[Repository]:
        """Tracks the demo repositories (once), then collects them day by day."""
        with FakeGitHub(host=host, port=port) as fake:
            fake.seed_demo()
            fake.add_repo(*VANISHED)
            # Through the service, as a user would: GitHub (the fake) confirms access.
            for owner, name in DEMO_REPOSITORIES:
                if not Repository.objects.filter(user=user, owner=owner, name=name).exists():
                    repository_create(user=user, url=f"https://github.com/{owner}/{name}")
            fake.remove_repo(*VANISHED)
            repositories = list(Repository.objects.filter(user=user))
            now = fake.now().replace(hour=22, minute=30, second=0, microsecond=0)
            for offset in range(days, -1, -1):
                fake.set_now(min(now - dt.timedelta(days=offset), dt.datetime.now(dt.UTC)))
                for repository in repositories:
                    traffic_fetch(repository_id=repository.id)
        return repositories

    def _fake_address(self) -> tuple[str, int]:
        url = urlsplit(settings.GITHUB_API_URL)
        if url.scheme != "http" or url.hostname not in ("127.0.0.1", "localhost") or not url.port:
            raise CommandError(
                "demo_seed serves the fake GitHub where GITHUB_API_URL points, so it must be "
                f"http://127.0.0.1:<port>, not {settings.GITHUB_API_URL!r} (see `make demo`)"
            )
        if settings.GITHUB_TOKEN != DEMO_TOKEN:
            raise CommandError(f"demo_seed needs GITHUB_TOKEN={DEMO_TOKEN}, the fake's demo token")
        return url.hostname, url.port

    def _demo_user(self) -> User:
        """The demo user, created on the first run."""
        return User.objects.filter(email=DEMO_EMAIL).first() or user_create(email=DEMO_EMAIL).user

    @staticmethod
    def _token_path() -> Path:
        return Path(settings.VAR_DIR) / DEMO_LINK_FILE

    def _demo_token(self, *, user: User) -> str:
        """The token kept from an earlier run, or a new random one kept from now on; the
        demo user's token becomes it (a database made again keeps the same link)."""
        path = self._token_path()
        kept = path.read_text(encoding="ascii").strip() if path.is_file() else ""
        token = kept if _TOKEN_SHAPE.fullmatch(kept) else api_token_generate()
        if token != kept:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Readable by its owner only: the token opens the demo user's pages.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(token + "\n")
        digest = api_token_digest(token)
        if user.token_digest != digest:
            user.token_digest = digest
            user.save(update_fields=["token_digest", "updated_at"])
        return token
