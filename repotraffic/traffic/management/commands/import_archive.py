"""Reads back an archive that `export_archive` wrote, merging it into the stored data
(traffic.archive_services)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from repotraffic.common.exceptions import ApplicationError
from repotraffic.traffic.archive_services import archive_import


class Command(BaseCommand):
    help = (
        "Import an archive from export_archive: each repository's data is merged into "
        "what is stored (every figure keeps the larger value), in one transaction per "
        "repository; importing twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help='the archive; "-" reads standard input')
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help="import every repository into this user (default: each into the user "
            "with the email its lines name, who must exist)",
        )

    def handle(self, *args: Any, path: str, user: str | None, **options: Any) -> None:
        try:
            if path == "-":
                imported = archive_import(lines=sys.stdin.buffer, user_email=user)
            else:
                with open(path, "rb") as archive:
                    imported = archive_import(lines=archive, user_email=user)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        self.stdout.write(
            f"{imported.repositories} repositories imported ({imported.created} created), "
            f"{imported.rows_written} rows written"
        )
