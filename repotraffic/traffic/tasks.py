import logging
import uuid

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="traffic_fetch_repository")
def traffic_fetch_repository(repository_id: str) -> None:
    from repotraffic.traffic.services import traffic_fetch

    traffic_fetch(repository_id=uuid.UUID(repository_id))


def traffic_fetch_repository_queue(*, repository_id: uuid.UUID) -> None:
    """Queue one repository's collection; a broker outage must not fail the caller."""
    try:
        traffic_fetch_repository.delay(str(repository_id))
    except Exception:
        logger.exception("could not queue the collection of repository %s", repository_id)
