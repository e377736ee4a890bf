"""The unfiltered detail's traffic part, rendered when a collection is recorded
(collection_services.collection_record) and stored where every web process reads it
(TrafficDetailJson), so that the first GET /api/repos/<id> after a collection costs what
a cached one does."""

import logging

from django.db import DatabaseError

from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Collection, TrafficDetailJson
from repotraffic.traffic.repository_selectors import traffic_detail_render

logger = logging.getLogger(__name__)


def traffic_detail_json_store(*, repository: Repository) -> bool:
    """Render and store the repository's traffic part for its current traffic version,
    unless it is stored already; whether it rendered one.

    The version is read before the rows it shows, so the rows are never older than it:
    if a write moves it in between, the version stored is already stale and never
    served. Readers take it only while its version is the collection's
    `traffic_updated_at` (repository_selectors.repository_read_by_token)."""
    collection = Collection.objects.filter(pk=repository.id).first()
    if collection is None or collection.traffic_updated_at is None:
        return False
    version = collection.traffic_updated_at
    if TrafficDetailJson.objects.filter(repository_id=repository.id, version=version).exists():
        return False
    collection.repository = repository  # its collected range, as of `version`
    rendered = TrafficDetailJson(
        repository=repository, version=version, json=traffic_detail_render(repository=repository)
    )
    TrafficDetailJson.objects.bulk_create(
        [rendered],
        update_conflicts=True,
        unique_fields=["repository"],
        update_fields=["version", "json"],
    )
    return True


def traffic_detail_json_refresh(*, repository: Repository) -> None:
    """traffic_detail_json_store for the end of a collection: a failure here loses only
    the head start (the first read renders it instead), never the collection."""
    try:
        traffic_detail_json_store(repository=repository)
    except DatabaseError:
        logger.exception("the traffic detail of %s was not stored ahead", repository.full_name)
