"""Celery interfaces of auto-tracking: thin, each calls one service. The daily run
(traffic.tasks.traffic_fetch_all) queues one task per user who auto-tracks an owner,
before it queues the collections: a slow or failing GitHub answer for one user then
delays nobody else, and never stops the run. Each repository a task adds has its first
collection queued as any new repository does (repository_created)."""

import logging

from celery import shared_task

from repotraffic.repositories.import_services import (
    tracked_owners_failure_record,
    tracked_owners_import,
)
from repotraffic.repositories.selectors import tracked_owner_user_ids

logger = logging.getLogger(__name__)


@shared_task(name="repositories_auto_track")
def repositories_auto_track(user_id: int) -> str:
    """Add the user's new repositories of the owners they auto-track, each listed as an
    import lists it (the installation connected on the owner's account, else the own
    token; "*": the own token and every installation). A failure is recorded on the
    owners it holds back (GET /api/repos/import/auto-track shows it) and logged."""
    try:
        outcome = tracked_owners_import(user_id=user_id)
    except Exception:
        logger.exception("auto-tracking for user %s failed", user_id)
        tracked_owners_failure_record(
            user_id=user_id,
            error="the daily run could not add your new repositories because of an error "
            "on this server; it tries again tomorrow (the operator's logs say more)",
        )
        return "failed"
    if outcome is None:
        return "nothing added"
    return f"added {len(outcome.added)}, refused {len(outcome.refused)}"


def repositories_auto_track_queue_all() -> int:
    """Queue the auto-tracking of every user who asked for it; a broker that refuses one
    is logged, and the others are still queued."""
    count = 0
    for user_id in tracked_owner_user_ids():
        try:
            repositories_auto_track.delay(user_id)
        except Exception:
            logger.exception("could not queue the auto-tracking of user %s", user_id)
        else:
            count += 1
    if count:
        logger.info("queued the auto-tracking of %d users", count)
    return count
