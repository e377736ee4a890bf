"""Builds months of demo history by running the real collection against the fake
GitHub, one simulated day at a time, then prints the pages' URLs (`make demo`)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings

from repotraffic.integrations.github.fake import DEMO_TOKEN, FakeGitHub
from repotraffic.repositories.models import Repository
from repotraffic.repositories.services import repository_create
from repotraffic.traffic.services import traffic_fetch
from repotraffic.users.models import User
from repotraffic.users.services import user_create
from repotraffic.users.tokens import api_token_digest, api_token_generate

DEMO_EMAIL = "demo@example.com"
# Three the fake knows, and one it does not, to show how a failure looks.
DEMO_REPOSITORIES = ("acme/rocket", "acme/launchpad", "octo/widgets", "octo/vanished")


class Command(BaseCommand):
    help = "Create a demo user whose repositories hold months of history from the fake GitHub."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=150, help="days of history (150)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, days, base_url, **options):
        user, token = self._demo_user()
        with transaction.atomic():
            for full_name in DEMO_REPOSITORIES:
                if not Repository.objects.filter(user=user, name=full_name.split("/")[1]).exists():
                    repository_create(user=user, url=f"https://github.com/{full_name}")
        repositories = list(Repository.objects.filter(user=user))

        with (
            FakeGitHub() as fake,
            override_settings(
                GITHUB_API_URL=fake.url, GITHUB_TOKEN=DEMO_TOKEN, GITHUB_RETRY_BACKOFF=0.0
            ),
        ):
            fake.seed_demo()
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
