"""Reads the views and clones that the github-repo-stats Action kept, merging them into
the stored data (traffic.ghrs_import)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from repotraffic.common.exceptions import ApplicationError
from repotraffic.traffic.ghrs_import import GHRS_AGGREGATE, ghrs_views_clones_import


class Command(BaseCommand):
    help = (
        f"Import github-repo-stats' {GHRS_AGGREGATE} into a user's repository: each "
        "day's views and clones are merged into what is stored (every figure keeps the "
        "larger value), in one transaction; importing twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            type=Path,
            help=f"{GHRS_AGGREGATE}, or the directory holding it (the Action's "
            "ghrs-data directory, or the <owner>/<name> directory above it)",
        )
        parser.add_argument(
            "--repository", required=True, metavar="OWNER/NAME", help="the repository"
        )
        parser.add_argument(
            "--user",
            required=True,
            metavar="EMAIL",
            help="whose repository it is (made for them if they lack it)",
        )

    def handle(self, *args: Any, path: Path, repository: str, user: str, **options: Any) -> None:
        try:
            imported = ghrs_views_clones_import(path=path, repository=repository, user_email=user)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        created = " (repository created)" if imported.created else ""
        self.stdout.write(
            f"{imported.days} days from {imported.first} to {imported.last} read from "
            f"{imported.path}{created}, {imported.rows_written} rows written"
        )
