"""The repositories as the API shows them: with their collection state, and in the
detail with their traffic. Here rather than in `repositories`, which must not import
this app."""

import json
from datetime import datetime

from repotraffic.common.cache import json_cached
from repotraffic.common.dates import DateRange
from repotraffic.repositories.models import Repository
from repotraffic.repositories.selectors import repository_list
from repotraffic.traffic.selectors import collection_get, collection_of, traffic_detail_json
from repotraffic.users.models import User


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def repository_data(repository: Repository) -> dict[str, str | None]:
    """What the API shows of a repository. Built by hand: DRF's field-by-field
    serialization cost more than the query (bench/bench_api.py)."""
    collection = collection_of(repository)
    return {
        "id": str(repository.id),
        "url": repository.url,
        "created_at": _iso(repository.created_at),
        "last_attempt_at": _iso(collection.last_attempt_at),
        "last_success_at": _iso(collection.last_success_at),
        "last_error": collection.last_error,
    }


def repository_list_json(*, user: User) -> str:
    """The user's repositories as JSON text, in one query with their collection state,
    cached under the list's version (`repositories_changed_at` moves with every write to
    them, collection outcomes included)."""
    version = user.repositories_changed_at.timestamp() if user.repositories_changed_at else 0
    return json_cached(
        key=f"repos:{user.id}:{version}",
        build=lambda: [
            repository_data(repository)
            for repository in repository_list(user=user).select_related("collection")
        ],
    )


def repository_detail_json(
    *, repository: Repository, date_range: DateRange, interval: str = "day"
) -> str:
    """The repository with its traffic (traffic_detail: collected range, totals, and its
    days, weeks or months by `interval`) as JSON text, in the shape
    RepositoryDetailSerializer (or its ByWeek, ByMonth variant) documents. Reads the
    collection state (one query), then the traffic from the cache when its version is
    there."""
    collection_get(repository=repository)
    # The traffic part is a cached JSON object: splice its members in rather than parse it.
    head = json.dumps(repository_data(repository), separators=(",", ":"))
    traffic = traffic_detail_json(repository=repository, date_range=date_range, interval=interval)
    return f"{head[:-1]},{traffic[1:]}"
