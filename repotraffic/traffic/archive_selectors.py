"""The export of archives: every kind of data of some repositories (all, a user's, or
those named OWNER/NAME) as JSON Lines in archive_format's line format, to keep outside
the database (a move to another server, a copy that outlives a schema) and to read back
with archive_services. It only reads, hence a selector.

Nothing secret is written: the users' API token digests and GitHub tokens are not even
read.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from repotraffic.common.dates import DateRange
from repotraffic.repositories.models import Repository
from repotraffic.traffic.archive_format import (
    ARCHIVE_FORMAT,
    ARCHIVE_VERSION,
    CHUNK,
    KIND_BY_NAME,
    KINDS,
    REPOSITORY,
    ArchiveError,
    Kind,
    Values,
    datetime_text,
    json_line,
    json_value,
)
from repotraffic.users.selectors import user_get_by_email

ALL_DATES = DateRange()


@dataclass(frozen=True)
class ArchiveExported:
    repositories: int
    lines: int


def _repositories_selected(
    *, user_email: str | None, full_name: str | None
) -> models.QuerySet[Repository]:
    """The repositories to export, with only the user's email of the user: their token
    digest and GitHub token are never read."""
    repositories = Repository.objects.select_related("user").only(
        "owner", "name", "created_at", "user__email"
    )
    if user_email is not None:
        user = user_get_by_email(email=user_email)
        if user is None:
            raise ArchiveError(f"There is no user with email {user_email}.")
        repositories = repositories.filter(user=user)
    if full_name is not None:
        owner, slash, name = full_name.partition("/")
        if not (owner and slash and name) or "/" in name:
            raise ArchiveError(f"{full_name!r} is not OWNER/NAME.")
        repositories = repositories.filter(owner__iexact=owner, name__iexact=name)
        if not repositories.exists():
            whose = f" of {user_email}" if user_email is not None else ""
            raise ArchiveError(f"There is no repository {full_name}{whose}.")
    return repositories.order_by("owner", "name", "id")


def _header_line() -> str:
    header = {"format": ARCHIVE_FORMAT, "version": ARCHIVE_VERSION}
    return json_line({**header, "exported_at": datetime_text(timezone.now())})


def _repository_records(
    repository: Repository,
    *,
    kinds: tuple[Kind, ...] = KINDS,
    with_repository: bool = True,
    date_range: DateRange = ALL_DATES,
) -> Iterator[Values]:
    identity = {
        "owner": repository.owner,
        "name": repository.name,
        "user_email": repository.user.email,
    }
    if with_repository:
        yield {
            "kind": REPOSITORY.name,
            **identity,
            "created_at": datetime_text(repository.created_at),
        }
    for kind in kinds:
        keys = [key for key, _ in kind.columns]
        rows = (
            _kind_in_range(
                kind.model._default_manager.filter(repository=repository), kind, date_range
            )
            .order_by(*kind.key_fields)
            .values_list(*(path for _, path in kind.columns))
        )
        for row in rows.iterator(chunk_size=CHUNK):
            yield {
                "kind": kind.name,
                **identity,
                **dict(zip(keys, map(json_value, row), strict=True)),
            }


def _kind_in_range(queryset: models.QuerySet, kind: Kind, date_range: DateRange) -> models.QuerySet:
    """The kind's rows dated within the range (by day, or by week's Monday); all rows of
    an undated kind."""
    field = next((path for _, path in kind.columns if path in ("date", "week")), None)
    if field is None:
        return queryset
    if date_range.start:
        queryset = queryset.filter(**{f"{field}__gte": date_range.start})
    if date_range.end:
        queryset = queryset.filter(**{f"{field}__lte": date_range.end})
    return queryset


def archive_export(
    *, write: Callable[[str], object], user_email: str | None = None, full_name: str | None = None
) -> ArchiveExported:
    """Write the archive of every repository (or a user's, or those named OWNER/NAME) to
    `write`, a line at a time, reading the rows a chunk at a time."""
    repositories = _repositories_selected(user_email=user_email, full_name=full_name)
    write(_header_line())
    exported = lines = 0
    for repository in repositories.iterator(chunk_size=CHUNK):
        exported += 1
        for record in _repository_records(repository):
            write(json_line(record))
            lines += 1
    return ArchiveExported(repositories=exported, lines=lines + 1)


# The kinds a table (CSV) can hold: one per kind of line but the repository's own.
KIND_NAMES = tuple(kind.name for kind in KINDS)


def repository_archive_lines(
    *, repository: Repository, date_range: DateRange = ALL_DATES
) -> Iterator[str]:
    """One repository's archive (GET /api/repos/<id>/export): the header, then its
    lines, as export_archive writes them and import_archive reads them. A `date_range`
    keeps the dated rows (days, weeks, snapshots, star days, asset days) within it, as
    the repository page's export does; the undated ones (releases, the collection's
    range) come whole."""
    yield _header_line()
    for record in _repository_records(repository, date_range=date_range):
        yield json_line(record)


def repository_kind_table(
    *, repository: Repository, kind: str, date_range: DateRange = ALL_DATES
) -> Iterator[Sequence[object]]:
    """One kind of a repository's rows as a table (the export's CSV): a header of the
    kind's line keys, then a row per line, values as in the archive."""
    found = KIND_BY_NAME.get(kind) if kind in KIND_NAMES else None
    if found is None:  # the caller checks it against KIND_NAMES first
        raise ArchiveError(f"kind must be one of {', '.join(KIND_NAMES)}, not {kind!r}.")
    keys = [key for key, _ in found.columns]
    yield keys
    records = _repository_records(
        repository, kinds=(found,), with_repository=False, date_range=date_range
    )
    for record in records:
        yield [record[key] for key in keys]
