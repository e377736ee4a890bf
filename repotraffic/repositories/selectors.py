import json
import uuid
from datetime import datetime

from django.db.models import QuerySet

from repotraffic.common.cache import json_cached
from repotraffic.common.dates import DateRange
from repotraffic.common.lookups import model_get_by_fields
from repotraffic.repositories.models import Repository
from repotraffic.users.models import User


def repository_list(*, user: User) -> QuerySet[Repository]:
    return Repository.objects.filter(user=user).order_by("created_at", "id")


def repository_get(*, user: User, repository_id: uuid.UUID | str) -> Repository | None:
    """The user's repository, or None: another user's repository is indistinguishable
    from one that does not exist."""
    try:
        repository_uuid = uuid.UUID(str(repository_id))
    except ValueError:
        return None
    return model_get_by_fields(Repository, id=repository_uuid, user=user.id)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def repository_data(repository: Repository) -> dict[str, str | None]:
    """What the API shows of a repository. Built by hand: DRF's field-by-field
    serialization cost more than the query (bench/bench_api.py)."""
    return {
        "id": str(repository.id),
        "url": repository.url,
        "created_at": _iso(repository.created_at),
        "last_attempt_at": _iso(repository.last_attempt_at),
        "last_success_at": _iso(repository.last_success_at),
        "last_error": repository.last_error,
    }


def repository_list_json(*, user: User) -> str:
    """The user's repositories as JSON text, cached under the list's version
    (`repositories_changed_at` moves with every write to them)."""
    version = user.repositories_changed_at.timestamp() if user.repositories_changed_at else 0
    return json_cached(
        key=f"repos:{user.id}:{version}",
        build=lambda: [repository_data(repository) for repository in repository_list(user=user)],
    )


def repository_detail_json(
    *, repository: Repository, date_range: DateRange, interval: str = "day"
) -> str:
    """The repository with its traffic (traffic_detail: collected range, totals, and its
    days, weeks or months by `interval`) as JSON text, in the shape
    RepositoryDetailSerializer (or its ByWeek, ByMonth variant) documents."""
    from repotraffic.traffic.selectors import traffic_detail_json

    # The traffic part is a cached JSON object: splice its members in rather than parse it.
    head = json.dumps(repository_data(repository), separators=(",", ":"))
    traffic = traffic_detail_json(repository=repository, date_range=date_range, interval=interval)
    return f"{head[:-1]},{traffic[1:]}"
