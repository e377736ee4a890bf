"""Writes repositories and all their data as JSON Lines (traffic.archive_selectors), for
`import_archive` on this server or another."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from repotraffic.common.exceptions import ApplicationError
from repotraffic.traffic.archive_selectors import ArchiveExported, archive_export


class Command(BaseCommand):
    help = (
        "Write repositories with every kind of their data (traffic, weeks, top 10s, "
        "snapshots, star history, releases) as JSON Lines; import_archive reads it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", metavar="EMAIL", help="only this user's repositories")
        parser.add_argument(
            "--repository",
            metavar="OWNER/NAME",
            help="only this repository (every user's, unless --user)",
        )
        parser.add_argument(
            "-o",
            "--output",
            default="-",
            metavar="PATH",
            help='where to write the archive; "-", the default, is standard output',
        )

    def handle(
        self, *args: Any, user: str | None, repository: str | None, output: str, **options: Any
    ) -> None:
        filters = {"user_email": user, "full_name": repository}
        try:
            if output == "-":
                exported = archive_export(write=self.stdout.write, **filters)
            else:
                exported = _export_to_file(path=Path(output), filters=filters)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror or error}") from None
        # Standard output may be the archive itself: the summary goes to standard error.
        self.stderr.write(
            f"{exported.repositories} repositories exported, {exported.lines} lines",
            style_func=lambda text: text,
        )


def _export_to_file(*, path: Path, filters: dict[str, str | None]) -> ArchiveExported:
    """Write to a file beside `path`, then put it in its place: an export that fails
    halfway leaves no archive that looks whole."""
    partial = path.with_name(f"{path.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as file:
            exported = archive_export(write=file.write, **filters)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return exported
