"""Creates a user and prints their API token once: how an operator adds people when
REPOTRAFFIC_REGISTRATION=closed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from repotraffic.common.exceptions import ApplicationError
from repotraffic.users.services import user_create, user_trust_set


class Command(BaseCommand):
    help = "Create a user and print their API token (shown once, never stored in clear)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--trusted", action="store_true", help="let them use the server's GitHub token"
        )

    def handle(self, *args: Any, email: str, trusted: bool, **options: Any) -> None:
        try:
            created = user_create(email=email)
            if trusted:
                user_trust_set(email=created.user.email, trusted=True)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"created {created.user.email}{' (trusted)' if trusted else ''}")
        self.stdout.write(f"API token (shown once, keep it): {created.token}")
