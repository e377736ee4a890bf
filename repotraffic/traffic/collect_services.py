"""A collection someone asks for now (POST /api/repos/<id>/collect, the repository
page's "Collect now"): queued through the same task path as a new repository's first
collection, unless one is running already."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.models import Repository
from repotraffic.traffic.selectors import collection_get
from repotraffic.traffic.tasks import traffic_fetch_repository_queue


@dataclass(frozen=True)
class CollectionQueued:
    repository_id: object
    requested_at: dt.datetime


def collection_now_request(*, repository: Repository) -> CollectionQueued:
    """Queue the repository's collection at once. A collection that holds the lease now
    is running: asking again would only wait for it, so it is a 409 saying when the lease
    ends (the latest the running one can finish without renewing it)."""
    collection = collection_get(repository=repository)
    now = timezone.now()
    if collection.lease_until is not None and collection.lease_until > now:
        seconds = max(1, int((collection.lease_until - now).total_seconds()))
        raise ApplicationError(
            f"A collection of {repository.full_name} is running now; its figures appear "
            f"when it ends. Ask again in {seconds} seconds if they do not.",
            status_code=409,
            headers={"Retry-After": str(seconds)},
        )
    traffic_fetch_repository_queue(repository_id=repository.id)
    return CollectionQueued(repository_id=repository.id, requested_at=now)
