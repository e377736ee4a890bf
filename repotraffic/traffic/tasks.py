"""Celery interfaces of the collection: thin, each calls one service.

The same code runs embedded (filesystem broker, beat inside the worker) and scaled
(Redis, N workers, one beat). Running any task twice is safe: the merge is an
idempotent upsert, and a repository's collection lease stops two runs overlapping.

Nothing queued is lost for good: every collection is recorded as requested before it
is queued, and a worker that starts queues again every request that no collection has
satisfied yet, such as one whose task died with a killed worker.

The scheduled collection goes through the dispatch (traffic.dispatch_services): each
token's pending collections are queued as its hour can pay for them, oldest success
first, by the daily run and then every 10 minutes (traffic_fetch_due), so a token with
more repositories than one hour pays for spreads them over the hours it needs.
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
from repotraffic.traffic.dispatch_services import (
    collection_queued_release,
    collections_dispatch,
    collections_queued_mark,
    collections_queued_release_pending,
)
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
# A token's hour used up (or kept for the daily collections) is waited for when it resets
# within _RETRY_MAX_COUNTDOWN, twice at most (another process may spend the new hour
# first). Then, or when the reset is further, the task ends and hands the repository
# back to the dispatch, which queues it again once the token's hour can pay for it:
# nothing waits in a worker's memory hour after hour.
_RATE_LIMIT_MAX_RETRIES = 2


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
    ):
        countdown = (error.retry_at - timezone.now()).total_seconds() + 1
        if countdown <= _RETRY_MAX_COUNTDOWN and self.request.retries < _RATE_LIMIT_MAX_RETRIES:
            raise self.retry(countdown=max(countdown, 1), max_retries=_RATE_LIMIT_MAX_RETRIES)
        collection_queued_release(repository_id=uuid.UUID(repository_id))
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
    """Ask for one repository's collection and queue it at once, outside any token's
    share (someone waits for it; its own check defers a first collection when the hour is
    short). A broker outage must not fail the caller: the request stays pending and not
    marked queued, so the next dispatch queues it."""
    collection_request(repository_id=repository_id)
    try:
        traffic_fetch_repository.delay(str(repository_id))
    except Exception:
        logger.exception("could not queue the collection of repository %s", repository_id)
        return
    collections_queued_mark(repository_ids=[repository_id])


def _queue(repository_id: uuid.UUID) -> None:
    traffic_fetch_repository.delay(str(repository_id))


def repository_created_receive(sender: Any, *, repository: Repository, **kwargs: Any) -> None:
    """A new repository (repositories.signals.repository_created, sent inside the
    transaction that creates it) gets its collection state with it, and its first
    collection queued on commit, so its owner sees 14 days straight away. Connected by
    TrafficConfig.ready."""
    collection_create(repository=repository)
    transaction.on_commit(lambda: traffic_fetch_repository_queue(repository_id=repository.id))


@shared_task(name="traffic_fetch_all")
def traffic_fetch_all() -> int:
    """The scheduled run: every collection is requested (one UPDATE), then the dispatch
    queues, one task per repository, what each token's hour can pay for, oldest success
    first; traffic_fetch_due queues the rest as the hours go by. Before them, the
    auto-tracking of each user who asked for it, a task each (repositories.tasks): the
    repositories they add have their first collection queued on their own."""
    repositories_auto_track_queue_all()
    collections_request_all()
    count = collections_dispatch(queue=_queue)
    logger.info("queued the collection of %d repositories", count)
    return count


@shared_task(name="traffic_fetch_due")
def traffic_fetch_due() -> int:
    """Every 10 minutes (beat): the dispatch queues the pending collections each token's
    hour can now pay for, such as the rest of a daily run too large for one hour."""
    count = collections_dispatch(queue=_queue)
    if count:
        logger.info("queued the collection of %d repositories", count)
    return count


@shared_task(name="traffic_fetch_stale")
def traffic_fetch_stale() -> int:
    """The catch-up when a worker starts: requests the collection of the repositories
    without a success for TRAFFIC_STALE_AFTER_HOURS (after downtime), hands every pending
    request back to the dispatch (a task queued earlier may have died with a killed
    worker), and dispatches: what each token's hour pays for now, the rest later."""
    collections_request_stale(stale_after=dt.timedelta(hours=settings.TRAFFIC_STALE_AFTER_HOURS))
    collections_queued_release_pending()
    count = collections_dispatch(queue=_queue)
    if count:
        logger.info("queued the %d collections requested and not done yet", count)
    return count


@worker_ready.connect
def _catch_up_on_start(sender: Any, **kwargs: Any) -> None:
    # Several workers starting together each queue this; the duplicate tasks it queues
    # skip repositories another worker has collected meanwhile (request satisfied), or
    # wait for the lease of one being collected.
    traffic_fetch_stale.delay()
