"""The repositories as the API shows them: with their collection state, and in the
detail with their traffic, as JSON text rendered by their serializers
(repository_serializers). Here rather than in `repositories`, which must not import
this app."""

import datetime as dt
import functools
import uuid
from dataclasses import dataclass

from repotraffic.common.cache import json_cache_get, json_cache_set, json_cached
from repotraffic.common.dates import DateRange
from repotraffic.common.lookups import Column, JoinedLookup, Param, Table
from repotraffic.common.renderers import (
    Representation,
    json_objects_join,
    json_render,
    representation_compile,
)
from repotraffic.repositories.models import Repository
from repotraffic.repositories.selectors import repository_list
from repotraffic.traffic.models import Collection, TrafficDetailJson
from repotraffic.traffic.repository_serializers import (
    TRAFFIC_DETAIL_INTERVALS,
    RepositorySerializer,
)
from repotraffic.traffic.selectors import ALL_DATES, collection_of, traffic_detail
from repotraffic.users.models import User
from repotraffic.users.selectors import user_get_by_token, user_token_digest, user_token_verify


@functools.cache
def _representation(name: str) -> Representation:
    """The compiled serializers, made on first use (their fields read DRF's settings)."""
    if name == "repositories":
        return representation_compile(RepositorySerializer(many=True))
    if name == "repository":
        return representation_compile(RepositorySerializer())
    return representation_compile(TRAFFIC_DETAIL_INTERVALS[name]())


@dataclass(frozen=True)
class RepositoryRead:
    """What GET /api/repos/<id> reads with the token, in one query."""

    user: User
    # Whether the user has a repository by the id the URL names (another user's is the
    # same as none).
    found: bool
    # That repository, with its collection state: None when not found, or when
    # `detail_json` answers for it without it being read.
    repository: Repository | None
    # Its whole unfiltered detail as JSON text (asked for with `with_detail_json`).
    detail_json: str | None


# Only the columns the detail shows or checks: each column read costs its conversion. The
# others are deferred (read on access, as with the ORM's only()).
_REPOSITORY_READ = (
    Table(User, match={"token_digest": Param("digest")}, fields=("token_digest",)),
    Table(
        Repository,
        match={"user": Column(0, "id"), "id": Param("repository_id")},
        fields=("user", "owner", "name", "created_at"),
    ),
    Table(
        Collection,
        match={"repository": Column(1, "id")},
        fields=(
            "last_attempt_at",
            "last_success_at",
            "last_error",
            "collected_from",
            "collected_until",
            "traffic_updated_at",
        ),
    ),
)
_READ = JoinedLookup(*_REPOSITORY_READ)
# The traffic part rendered at collection, when it is current and this process does not
# hold that version already (`known`): 100 KB read from PostgreSQL cost more than the
# rest of the request (its TOAST is compressed), from this process's memory ~10 us.
_READ_WITH_TRAFFIC_JSON = JoinedLookup(
    *_REPOSITORY_READ,
    Table(
        TrafficDetailJson,
        match={"repository": Column(1, "id"), "version": Column(2, "traffic_updated_at")},
        unless={"version": Param("known")},
        fields=("json",),
    ),
)
# `known` when this process holds no version: one no rendering has.
_NONE_KNOWN = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class _DetailBody:
    """A repository's unfiltered detail as this process last served it, and what it
    showed: the repository's and its collection state's columns as read (`shown`) and
    the traffic version."""

    shown: tuple
    version: dt.datetime | None
    body: str
    traffic_start: int  # where the traffic part's members start in `body`

    def traffic_json(self) -> str:
        """The traffic part alone (json_objects_join's second object)."""
        return "{" + self.body[self.traffic_start :]


def _body_key(repository_id: uuid.UUID) -> tuple[str, uuid.UUID]:
    return ("repository-detail", repository_id)


def repository_read_by_token(
    *, token: str, repository_id: str, with_detail_json: bool = False
) -> RepositoryRead | None:
    """The token's user and their repository `repository_id`, with its collection state,
    or (`with_detail_json`) its unfiltered detail as JSON text. One query; None for an
    unknown token (users.selectors' rules: a digest, compared in constant time).

    The detail this process served last is kept with the columns it showed; the query
    reads them again and, when they are unchanged, that text is the answer, with nothing
    converted or rendered. Otherwise its traffic part is the one rendered at the last
    collection (TrafficDetailJson), which the same query joins only when its version is
    not the one this process holds; else it is rendered now (repository_detail_json)."""
    digest = user_token_digest(token=token)
    if digest is None:
        return None
    try:
        repository_uuid = uuid.UUID(str(repository_id))
    except ValueError:
        user = user_get_by_token(token=token)
        return None if user is None else RepositoryRead(user, False, None, None)
    held: _DetailBody | None = None
    if with_detail_json:
        held = json_cache_get(_body_key(repository_uuid))
        row = _READ_WITH_TRAFFIC_JSON.row(
            digest=digest,
            repository_id=repository_uuid,
            known=held.version if held and held.version else _NONE_KNOWN,
        )
    else:
        row = _READ.row(digest=digest, repository_id=repository_uuid)
    if row is None:
        return None
    user = user_token_verify(user=row.instance(0), digest=digest)
    if user is None:
        return None
    repository = row.instance(1)
    if repository is None:
        return RepositoryRead(user=user, found=False, repository=None, detail_json=None)
    shown = row.values(1) + row.values(2)
    if held is not None and held.shown == shown:
        return RepositoryRead(user=user, found=True, repository=None, detail_json=held.body)
    repository.user = user
    # Without a row (bulk_create) it reads as never collected, like collection_of.
    collection = row.instance(2) or Collection()
    collection.repository = repository  # cached on the repository too
    if not with_detail_json:
        return RepositoryRead(user=user, found=True, repository=repository, detail_json=None)
    version = collection.traffic_updated_at
    rendered = row.instance(3)
    traffic_json = None
    if rendered is not None:
        traffic_json = rendered.json
    elif held is not None and version is not None and held.version == version:
        traffic_json = held.traffic_json()
    if traffic_json is None:
        traffic_json = _traffic_json(repository=repository)
    body = repository_detail_json(repository=repository, traffic_json=traffic_json)
    json_cache_set(
        _body_key(repository_uuid),
        _DetailBody(shown, version, body, len(body) - len(traffic_json) + 1),
        size=len(body),
    )
    return RepositoryRead(user=user, found=True, repository=repository, detail_json=body)


def repository_list_json(*, user: User) -> str:
    """The user's repositories as JSON text, in one query with their collection state,
    cached under the list's version (`repositories_changed_at` moves with every write to
    them, collection outcomes included)."""
    version = user.repositories_changed_at.timestamp() if user.repositories_changed_at else 0

    def render() -> str:
        repositories = list(repository_list(user=user).select_related("collection"))
        for repository in repositories:
            collection_of(repository)  # a repository without a row gets a default one
        return json_render(_representation("repositories")(repositories))

    return json_cached(key=("repositories", user.id, version), render=render)


# The token's user with only what the list needs (the rest is deferred, as with only()).
_USER_FOR_LIST = JoinedLookup(
    Table(
        User,
        match={"token_digest": Param("digest")},
        fields=("token_digest", "repositories_changed_at"),
    )
)


def repository_list_read_by_token(*, token: str) -> tuple[User, str] | None:
    """The token's user and their repositories as JSON text (repository_list_json), or
    None for an unknown token (users.selectors' rules). One query when the list is
    cached, and no more columns than it needs: the user's row read whole cost 27 us more,
    a twentieth of a cached list."""
    digest = user_token_digest(token=token)
    if digest is None:
        return None
    found = _USER_FOR_LIST.get(digest=digest)
    user = user_token_verify(user=found[0] if found else None, digest=digest)
    return None if user is None else (user, repository_list_json(user=user))


def traffic_detail_render(
    *, repository: Repository, date_range: DateRange = ALL_DATES, interval: str = "day"
) -> str:
    """The traffic part of the repository's detail (traffic_detail) as JSON text. Reads
    the traffic; the collection state is the repository's (collection_of)."""
    detail = traffic_detail(repository=repository, date_range=date_range, interval=interval)
    return json_render(_representation(interval)(detail))


def _traffic_json(
    *, repository: Repository, date_range: DateRange = ALL_DATES, interval: str = "day"
) -> str:
    """The traffic part, from the cache under the traffic version (`traffic_updated_at`
    moves with every change of its rows, weeks or collected range), else rendered and
    cached."""
    version = collection_of(repository).traffic_version
    return json_cached(
        key=("traffic-detail", repository.id, version, date_range.start, date_range.end, interval),
        render=lambda: traffic_detail_render(
            repository=repository, date_range=date_range, interval=interval
        ),
    )


def repository_detail_json(
    *,
    repository: Repository,
    date_range: DateRange = ALL_DATES,
    interval: str = "day",
    traffic_json: str | None = None,
) -> str:
    """The repository's detail as JSON text, in the shape RepositoryDetailSerializer (or
    its ByWeek, ByMonth variant) gives: its fields with its collection state, rendered
    now, then its traffic part: `traffic_json` when the caller has it current, else
    _traffic_json's."""
    if traffic_json is None:
        traffic_json = _traffic_json(
            repository=repository, date_range=date_range, interval=interval
        )
    head = json_render(_representation("repository")(repository))
    return json_objects_join(head, traffic_json)
