"""Builds months of demo history by running the real collection against the fake
GitHub, one simulated day at a time, then prints the pages' URLs (`make demo`).

It serves the fake itself, where the configuration already points: GITHUB_API_URL
must be a loopback http URL and GITHUB_TOKEN the fake's demo token, as `make demo`
sets them. Nothing is overridden: the collection runs exactly as configured, and dates
each answer by GitHub's Date header, which the fake sets from its simulated clock."""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from repotraffic.integrations.github.fake import DEMO_TOKEN, FakeGitHub
from repotraffic.repositories.models import Repository
from repotraffic.repositories.services import repository_create
from repotraffic.traffic.services import traffic_fetch
from repotraffic.users.models import User
from repotraffic.users.services import user_create
from repotraffic.users.tokens import api_token_digest, api_token_generate

DEMO_EMAIL = "demo@example.com"
# Three the fake knows, and one that vanishes from GitHub once it is tracked, to show
# how a failure looks.
DEMO_REPOSITORIES = ("acme/rocket", "acme/launchpad", "octo/widgets", "octo/vanished")
VANISHED = ("octo", "vanished")


class Command(BaseCommand):
    help = "Create a demo user whose repositories hold months of history from the fake GitHub."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=150, help="days of history (150)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, days, base_url, **options):
        host, port = self._fake_address()
        user, token = self._demo_user()
        with FakeGitHub(host=host, port=port) as fake:
            fake.seed_demo()
            fake.add_repo(*VANISHED)
            # Through the service, as a user would: GitHub (the fake) confirms access.
            for full_name in DEMO_REPOSITORIES:
                owner, name = full_name.split("/")
                if not Repository.objects.filter(user=user, owner=owner, name=name).exists():
                    repository_create(user=user, url=f"https://github.com/{full_name}")
            fake.remove_repo(*VANISHED)
            repositories = list(Repository.objects.filter(user=user))
            now = fake.now().replace(hour=22, minute=30, second=0, microsecond=0)
            for offset in range(days, -1, -1):
                fake.set_now(min(now - dt.timedelta(days=offset), dt.datetime.now(dt.UTC)))
                for repository in repositories:
                    traffic_fetch(repository_id=repository.id)
            self.stdout.write(f"collected {days} days for {len(repositories)} repositories")

        pages = f"{base_url}/users/{token}/repos"
        self.stdout.write(self.style.SUCCESS("\nThe demo user's API token: " + token))
        self.stdout.write(f"All repositories: {pages}")
        for repository in repositories:
            self.stdout.write(f"{repository.full_name:>20}: {pages}/{repository.id}")
        self.stdout.write(f"API: curl -H 'X-API-Token: {token}' {base_url}/api/repos\n")

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

    def _demo_user(self) -> tuple[User, str]:
        """The demo user with a fresh token (only digests are stored, so a rerun
        cannot show the old one)."""
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            created = user_create(email=DEMO_EMAIL)
            return created.user, created.token
        token = api_token_generate()
        user.token_digest = api_token_digest(token)
        user.save(update_fields=["token_digest", "updated_at"])
        return user, token
