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
    # The user's repository the URL names, with its collection state; None if the user
    # has none by that id (another user's is the same as none).
    repository: Repository | None
    # Its traffic part as the unfiltered detail shows it, rendered when it was last
    # collected (TrafficDetailJson), if it shows the current data; else None.
    traffic_json: str | None


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


def _latest_key(repository_id: uuid.UUID) -> str:
    return f"traffic-detail-latest:{repository_id}"


def repository_read_by_token(
    *, token: str, repository_id: str, with_traffic_json: bool = False
) -> RepositoryRead | None:
    """The token's user and their repository `repository_id`, with its collection state
    and (`with_traffic_json`) its traffic part as rendered at its last collection, if
    that shows the current data: from this process's cache, or else from the database
    in the same query. One query; None for an unknown token (users.selectors' rules: a
    digest, compared in constant time)."""
    digest = user_token_digest(token=token)
    if digest is None:
        return None
    try:
        repository_uuid = uuid.UUID(str(repository_id))
    except ValueError:
        user = user_get_by_token(token=token)
        return None if user is None else RepositoryRead(user, None, None)
    if with_traffic_json:
        known = json_cache_get(_latest_key(repository_uuid))  # (version, JSON) or None
        found = _READ_WITH_TRAFFIC_JSON.get(
            digest=digest,
            repository_id=repository_uuid,
            known=known[0] if known else _NONE_KNOWN,
        )
    else:
        known = None
        found = _READ.get(digest=digest, repository_id=repository_uuid)
    if found is None:
        return None
    user, repository, collection, *rendered = found
    if user_token_verify(user=user, digest=digest) is None:
        return None
    if repository is None:
        return RepositoryRead(user=user, repository=None, traffic_json=None)
    repository.user = user
    # Without a row (bulk_create) it reads as never collected, like collection_of.
    collection = collection or Collection()
    collection.repository = repository  # cached on the repository too
    version = collection.traffic_updated_at
    traffic_json = None
    if known is not None and version is not None and known[0] == version:
        traffic_json = known[1]
    elif rendered and rendered[0] is not None:
        traffic_json = rendered[0].json
        json_cache_set(_latest_key(repository_uuid), (version, traffic_json))
    return RepositoryRead(user=user, repository=repository, traffic_json=traffic_json)


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

    return json_cached(key=f"repos:{user.id}:{version}", render=render)


def traffic_detail_render(
    *, repository: Repository, date_range: DateRange = ALL_DATES, interval: str = "day"
) -> str:
    """The traffic part of the repository's detail (traffic_detail) as JSON text. Reads
    the traffic; the collection state is the repository's (collection_of)."""
    detail = traffic_detail(repository=repository, date_range=date_range, interval=interval)
    return json_render(_representation(interval)(detail))


def repository_detail_json(
    *,
    repository: Repository,
    date_range: DateRange = ALL_DATES,
    interval: str = "day",
    traffic_json: str | None = None,
) -> str:
    """The repository's detail as JSON text, in the shape RepositoryDetailSerializer (or
    its ByWeek, ByMonth variant) gives: its fields with its collection state, rendered
    now, then its traffic part: `traffic_json` when the caller read it current
    (repository_read_by_token), else from the cache under the traffic version
    (`traffic_updated_at` moves with every change of its rows, weeks or collected
    range), else rendered and cached."""
    if traffic_json is None:
        version = collection_of(repository).traffic_version
        traffic_json = json_cached(
            key=f"traffic-detail-2:{repository.id}:{version}:"
            f"{date_range.start}:{date_range.end}:{interval}",
            render=lambda: traffic_detail_render(
                repository=repository, date_range=date_range, interval=interval
            ),
        )
    head = json_render(_representation("repository")(repository))
    return json_objects_join(head, traffic_json)
