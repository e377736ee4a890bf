"""Lets a user collect with the server's GitHub token (REPOTRAFFIC_SERVER_TOKEN_FOR=trusted),
or, with --revoke, stops them."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from repotraffic.common.exceptions import ApplicationError
from repotraffic.users.services import user_trust_set


class Command(BaseCommand):
    help = "Trust a user with the server's GitHub token, or --revoke that trust."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--revoke", action="store_true", help="withdraw the trust")

    def handle(self, *args: Any, email: str, revoke: bool, **options: Any) -> None:
        try:
            user = user_trust_set(email=email, trusted=not revoke)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        state = "trusted with" if user.trusted else "no longer trusted with"
        self.stdout.write(f"{user.email} is {state} the server's GitHub token")
