"""The import of archives that archive_selectors exported: their lines, read and checked
by archive_format, merged into the stored data.

Importing merges by the collection's own rule (traffic.merge): every figure keeps the
larger of the stored and the archived one, a day stays partial only while both say so,
a week is complete once either says so. So an import, like a collection, lowers
nothing and can be repeated: the same archive twice changes nothing. Each repository is
imported in one transaction, holding the lock a collection takes: a bad line leaves
that repository as it was, with its line number in the error.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from repotraffic.repositories.models import Repository
from repotraffic.repositories.services import repositories_touch
from repotraffic.traffic.archive_format import (
    CHUNK,
    RELEASE_BY_GITHUB_ID,
    REPOSITORY,
    ArchiveError,
    Kind,
    Line,
    Values,
    line_error,
    lines_parse,
)
from repotraffic.traffic.collection_services import collection_create
from repotraffic.traffic.models import Collection, Release, TrafficDay
from repotraffic.traffic.sum_services import traffic_sums_refresh
from repotraffic.users.models import User
from repotraffic.users.selectors import user_get_by_email


@dataclass(frozen=True)
class ArchiveImported:
    repositories: int
    created: int  # repositories that the users did not have
    rows_written: int  # rows added or raised


def _release_ids(
    *, repository: Repository, changed: dict[tuple[Any, ...], tuple[int, Values]]
) -> dict[int, int]:
    """Our ids of the releases that asset days name by GitHub's id; the line of an asset
    day whose release is neither stored nor archived before it is an error."""
    wanted = {values[RELEASE_BY_GITHUB_ID] for _, values in changed.values()}
    found = dict(
        Release.objects.filter(repository=repository, github_id__in=wanted).values_list(
            "github_id", "id"
        )
    )
    for number, values in sorted(changed.values(), key=lambda held: held[0]):
        if values[RELEASE_BY_GITHUB_ID] not in found:
            raise line_error(
                number,
                f"release_id {values[RELEASE_BY_GITHUB_ID]} is no release of "
                f"{repository.full_name}: its release line must come before its asset days",
            )
    return found


def _rows_merge(
    *, repository: Repository, kind: Kind, archived: dict[tuple[Any, ...], tuple[int, Values]]
) -> int:
    """Merge archived rows (by key: their line number and values) into the repository's
    stored rows of their kind, and upsert the rows that change. Returns how many."""
    key_fields, value_fields = kind.key_fields, kind.value_fields
    rows = kind.model._default_manager.filter(repository=repository)
    if key_fields:
        rows = rows.filter(**{f"{key_fields[0]}__in": {key[0] for key in archived}})
    stored = {
        row[: len(key_fields)]: dict(zip(value_fields, row[len(key_fields) :], strict=True))
        for row in rows.values_list(*key_fields, *value_fields)
    }
    changed = {}
    for key, (number, values) in archived.items():
        previous = stored.get(key)
        merged = values if previous is None else kind.merge(previous, values)
        if merged != previous:
            changed[key] = (number, merged)
    if not changed:
        return 0
    releases = (
        _release_ids(repository=repository, changed=changed)
        if RELEASE_BY_GITHUB_ID in value_fields
        else {}
    )

    def model_values(values: Values) -> Values:
        if RELEASE_BY_GITHUB_ID not in values:
            return values
        github_id = values.pop(RELEASE_BY_GITHUB_ID)
        return {**values, "release_id": releases[github_id]}

    kind.model._default_manager.bulk_create(
        [
            kind.model(
                repository=repository,
                **dict(zip(key_fields, key, strict=True)),
                **model_values(dict(values)),
            )
            for key, (_, values) in changed.items()
        ],
        update_conflicts=True,
        unique_fields=["repository", *key_fields],
        update_fields=[path.partition("__")[0] for path in value_fields],
    )
    if kind.model is TrafficDay:
        traffic_sums_refresh(repository_id=repository.id, days=(key[0] for key in changed))
    return len(changed)


class _RowBuffer:
    """A repository's archived rows of one kind, merged into its stored rows a chunk at
    a time (one read, one upsert), in the archive's order: a release is stored before
    the asset days that follow it."""

    def __init__(self, repository: Repository):
        self.repository = repository
        self.kind: Kind | None = None
        self.pending: dict[tuple[Any, ...], tuple[int, Values]] = {}
        self.written = 0
        self.traffic_changed = False

    def add(self, line: Line) -> None:
        if line.kind is not self.kind or len(self.pending) >= CHUNK:
            self.flush()
            self.kind = line.kind
        key = tuple(line.values[field] for field in line.kind.key_fields)
        values = {field: line.values[field] for field in line.kind.value_fields}
        # A row archived twice is merged with itself first: one upsert may not write a
        # row twice.
        held = self.pending.get(key)
        self.pending[key] = (
            (line.number, values) if held is None else (held[0], line.kind.merge(held[1], values))
        )

    def flush(self) -> None:
        if self.kind is None or not self.pending:
            return
        written = _rows_merge(repository=self.repository, kind=self.kind, archived=self.pending)
        self.written += written
        self.traffic_changed = self.traffic_changed or (written > 0 and self.kind.traffic)
        self.pending = {}


def _named(identity: tuple[str, ...]) -> str:
    owner, name, user_email = identity
    return f"{owner}/{name} of {user_email}"


def _repository_target(*, head: Line, user: User | None) -> tuple[Repository, bool]:
    """The repository a "repository" line imports into: the user's (the given one, or
    the one with the line's email) of that owner and name, any case; made if they have
    none, with the archived creation time. Whether it was made."""
    owner, name, user_email = head.identity
    if user is None:
        user = user_get_by_email(email=user_email)
        if user is None:
            raise line_error(
                head.number,
                f"there is no user with email {user_email}: create them first "
                "(manage.py user_create), or import into another user with --user",
            )
    repository = Repository.objects.filter(
        user=user, owner__iexact=owner, name__iexact=name
    ).first()
    created = repository is None
    if repository is None:
        repository = Repository.objects.create(user=user, owner=owner, name=name)
        # auto_now_add ignores a value given to create().
        Repository.objects.filter(id=repository.id).update(created_at=head.values["created_at"])
        repository.created_at = head.values["created_at"]
    # Its collection state, which a repository made with bulk_create may lack; the next
    # scheduled collection goes on from the imported data.
    collection_create(repository=repository)
    return repository, created


@dataclass(frozen=True)
class _RepositoryImported:
    created: bool
    rows_written: int
    following: Line | None  # the next repository's line


def archive_repository_import(
    *, head: Line, lines: Iterator[Line], user: User | None
) -> _RepositoryImported:
    """Import one repository's lines, up to the next repository line, in one transaction.
    Other formats (ghrs_import) come in through it as lines of their own making."""
    with transaction.atomic():
        repository, created = _repository_target(head=head, user=user)
        # The lock a collection holds while it stores (traffic.services._collection_lock):
        # an import and a collection merge one after the other, each from what the other
        # wrote, so neither lowers a figure the other raised.
        Collection.objects.select_for_update().filter(pk=repository.id).exists()
        rows = _RowBuffer(repository)
        following = None
        for line in lines:
            if line.kind is REPOSITORY:
                following = line
                break
            if line.identity != head.identity:
                raise line_error(
                    line.number,
                    f"a {line.kind.name} line of {_named(line.identity)} among the lines "
                    f"of {_named(head.identity)} (line {head.number})",
                )
            rows.add(line)
        rows.flush()
        if rows.traffic_changed:  # cached traffic follows, as after a collection
            Collection.objects.filter(pk=repository.id).update(traffic_updated_at=timezone.now())
        if created or rows.traffic_changed:
            repositories_touch(user_id=repository.user_id)
    return _RepositoryImported(created=created, rows_written=rows.written, following=following)


def archive_import(*, lines: Iterable[bytes], user_email: str | None = None) -> ArchiveImported:
    """Merge an archive's repositories into the database: into the user with
    `user_email`, or each into the user its lines name, who must exist. Creates nothing
    but the repositories those users lack, and their rows. Raises ArchiveError at the
    first bad line: the repositories before it are imported, its own is not at all."""
    user = None
    if user_email is not None:
        user = user_get_by_email(email=user_email)
        if user is None:
            raise ArchiveError(f"There is no user with email {user_email}.")
    parsed = lines_parse(lines)
    head = next(parsed, None)
    repositories = created = written = 0
    while head is not None:
        if head.kind is not REPOSITORY:
            raise line_error(head.number, f"a {head.kind.name} line before any repository line")
        try:
            imported = archive_repository_import(head=head, lines=parsed, user=user)
        except ArchiveError as error:
            before = f"; the {repositories} before it were" if repositories else ""
            owner, name, _ = head.identity
            raise ArchiveError(
                f"{error.message}. Nothing of {owner}/{name} was imported{before}."
            ) from None
        repositories += 1
        created += imported.created
        written += imported.rows_written
        head = imported.following
    return ArchiveImported(repositories=repositories, created=created, rows_written=written)
