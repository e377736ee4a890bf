"""Celery interfaces of the collection: thin, each calls one service.

The same code runs embedded (filesystem broker, beat inside the worker) and scaled
(Redis, N workers, one beat). Running any task twice is safe: the merge is an
idempotent upsert, and a repository's collection lock stops two runs overlapping.
"""

import datetime as dt
import logging
import uuid

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.utils import timezone

from repotraffic.traffic.selectors import repository_ids_all, repository_ids_stale
from repotraffic.traffic.services import traffic_fetch

logger = logging.getLogger(__name__)

# A retry further away than this waits for the next scheduled run instead: Redis
# would redeliver a task held longer than its visibility timeout (1 hour).
_RETRY_MAX_COUNTDOWN = 55 * 60


@shared_task(bind=True, name="traffic_fetch_repository", max_retries=4)
def traffic_fetch_repository(self, repository_id: str, only_if_stale: bool = False) -> str:
    stale_after = dt.timedelta(hours=settings.TRAFFIC_STALE_AFTER_HOURS) if only_if_stale else None
    outcome = traffic_fetch(repository_id=uuid.UUID(repository_id), stale_after=stale_after)
    error = outcome.error
    if error is not None and error.transient and self.request.retries < self.max_retries:
        if error.retry_at:
            countdown = (error.retry_at - timezone.now()).total_seconds() + 1
        else:
            countdown = 60 * 2**self.request.retries
        if countdown <= _RETRY_MAX_COUNTDOWN:
            raise self.retry(countdown=max(countdown, 1))
    return outcome.summary


def traffic_fetch_repository_queue(
    *, repository_id: uuid.UUID, only_if_stale: bool = False
) -> None:
    """Queue one repository's collection; a broker outage must not fail the caller."""
    try:
        traffic_fetch_repository.delay(str(repository_id), only_if_stale)
    except Exception:
        logger.exception("could not queue the collection of repository %s", repository_id)


@shared_task(name="traffic_fetch_all")
def traffic_fetch_all() -> int:
    """The scheduled run: one task per repository, so workers share the load."""
    count = 0
    for repository_id in repository_ids_all():
        traffic_fetch_repository.delay(str(repository_id))
        count += 1
    logger.info("queued the collection of %d repositories", count)
    return count


@shared_task(name="traffic_fetch_stale")
def traffic_fetch_stale() -> int:
    """After downtime: collect what has not succeeded for a day."""
    stale_after = dt.timedelta(hours=settings.TRAFFIC_STALE_AFTER_HOURS)
    count = 0
    for repository_id in repository_ids_stale(stale_after=stale_after):
        traffic_fetch_repository.delay(str(repository_id), True)
        count += 1
    if count:
        logger.info("queued the collection of %d repositories not collected lately", count)
    return count


@worker_ready.connect
def _catch_up_on_start(sender, **kwargs) -> None:
    # Several workers starting together each queue this; only_if_stale makes the
    # duplicates skip repositories another worker has collected meanwhile.
    traffic_fetch_stale.delay()
