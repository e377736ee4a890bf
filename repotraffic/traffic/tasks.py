"""Celery interfaces of the collection: thin, each calls one service.

The same code runs embedded (filesystem broker, beat inside the worker) and scaled
(Redis, N workers, one beat). Running any task twice is safe: the merge is an
idempotent upsert, and a repository's collection lease stops two runs overlapping.

Nothing queued is lost for good: every collection is recorded as requested before it
is queued, and a worker that starts queues again every request that no collection has
satisfied yet, such as one whose task died with a killed worker.
"""

import datetime as dt
import logging
import uuid
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from repotraffic.integrations.github.client import GitHubErrorCause
from repotraffic.repositories.models import Repository
from repotraffic.repositories.tasks import repositories_auto_track_queue_all
from repotraffic.traffic.collection_services import (
    collection_create,
    collection_request,
    collections_request_all,
    collections_request_stale,
)
from repotraffic.traffic.selectors import repository_ids_all, repository_ids_collection_pending
from repotraffic.traffic.services import traffic_fetch

logger = logging.getLogger(__name__)

# A retry further away than this waits for the next scheduled run instead: Redis
# would redeliver a task held longer than its visibility timeout (1 hour).
_RETRY_MAX_COUNTDOWN = 55 * 60
# While another collection holds the repository's lease, try again when it ends, and a
# little: a live holder satisfies the request meanwhile (the retry then skips), a dead
# one's lease lapses (the retry collects).
_BUSY_RETRY_MARGIN = 1.0
_BUSY_MAX_RETRIES = 10
# A token's hour used up (or kept for the daily collections) is waited for hour after
# hour, for as long as a day of them: a token with more repositories than one hour pays
# for spreads its run over the hours it needs, rather than giving up after a few.
_RATE_LIMIT_MAX_RETRIES = 24


@shared_task(bind=True, name="traffic_fetch_repository", max_retries=4)
def traffic_fetch_repository(self, repository_id: str, only_if_stale: bool = False) -> str:
    """Collect one repository, unless a collection succeeded since it was last requested.

    `only_if_stale` is ignored; messages queued by an older version still carry it.
    """
    outcome = traffic_fetch(repository_id=uuid.UUID(repository_id), only_if_requested=True)
    if outcome.busy_until is not None:
        if self.request.retries < _BUSY_MAX_RETRIES:
            countdown = (outcome.busy_until - timezone.now()).total_seconds() + _BUSY_RETRY_MARGIN
            raise self.retry(
                countdown=max(countdown, _BUSY_RETRY_MARGIN), max_retries=_BUSY_MAX_RETRIES
            )
        return outcome.summary
    error = outcome.error
    if (
        error is not None
        and error.cause == GitHubErrorCause.RATE_LIMITED
        and error.retry_at is not None
        and self.request.retries < _RATE_LIMIT_MAX_RETRIES
    ):
        countdown = (error.retry_at - timezone.now()).total_seconds() + 1
        if countdown <= _RETRY_MAX_COUNTDOWN:
            raise self.retry(countdown=max(countdown, 1), max_retries=_RATE_LIMIT_MAX_RETRIES)
        return outcome.summary
    if error is not None and error.transient and self.request.retries < self.max_retries:
        if error.retry_at:
            countdown = (error.retry_at - timezone.now()).total_seconds() + 1
        else:
            countdown = 60 * 2**self.request.retries
        if countdown <= _RETRY_MAX_COUNTDOWN:
            raise self.retry(countdown=max(countdown, 1))
    return outcome.summary


def traffic_fetch_repository_queue(*, repository_id: uuid.UUID) -> None:
    """Ask for one repository's collection and queue it. A broker outage must not fail
    the caller: the request stays pending, and the next worker that starts queues it."""
    collection_request(repository_id=repository_id)
    try:
        traffic_fetch_repository.delay(str(repository_id))
    except Exception:
        logger.exception("could not queue the collection of repository %s", repository_id)


def repository_created_receive(sender: Any, *, repository: Repository, **kwargs: Any) -> None:
    """A new repository (repositories.signals.repository_created, sent inside the
    transaction that creates it) gets its collection state with it, and its first
    collection queued on commit, so its owner sees 14 days straight away. Connected by
    TrafficConfig.ready."""
    collection_create(repository=repository)
    transaction.on_commit(lambda: traffic_fetch_repository_queue(repository_id=repository.id))


@shared_task(name="traffic_fetch_all")
def traffic_fetch_all() -> int:
    """The scheduled run: every collection is requested (one UPDATE), then queued as one
    task per repository, so workers share the load: never collected first, then the
    oldest success first (repository_ids_all). Before them, the auto-tracking of each
    user who asked for it, a task each (repositories.tasks): the repositories they add
    have their first collection queued on their own."""
    repositories_auto_track_queue_all()
    collections_request_all()
    count = 0
    for repository_id in repository_ids_all():
        traffic_fetch_repository.delay(str(repository_id))
        count += 1
    logger.info("queued the collection of %d repositories", count)
    return count


@shared_task(name="traffic_fetch_stale")
def traffic_fetch_stale() -> int:
    """The catch-up when a worker starts: requests the collection of the repositories
    without a success for TRAFFIC_STALE_AFTER_HOURS (after downtime), then queues every
    pending request (including those whose task was lost with a killed worker)."""
    collections_request_stale(stale_after=dt.timedelta(hours=settings.TRAFFIC_STALE_AFTER_HOURS))
    count = 0
    for repository_id in repository_ids_collection_pending():
        traffic_fetch_repository.delay(str(repository_id))
        count += 1
    if count:
        logger.info("queued the %d collections requested and not done yet", count)
    return count


@worker_ready.connect
def _catch_up_on_start(sender: Any, **kwargs: Any) -> None:
    # Several workers starting together each queue this; the duplicate tasks it queues
    # skip repositories another worker has collected meanwhile (request satisfied), or
    # wait for the lease of one being collected.
    traffic_fetch_stale.delay()
