"""Keeping a collection's lease while the collection runs.

`collection_services` claims, renews and releases the lease (conditional UPDATEs on the
repository's Collection row). While a collection runs, a daemon thread renews it every
third of its length, so a collection slowed down by GitHub (retries, a rate-limit wait)
keeps it however long it takes, and one whose process is killed loses it within one
lease: the thread dies with the process.
"""

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

from repotraffic.traffic.collection_services import collection_renew

logger = logging.getLogger(__name__)


@contextmanager
def collection_lease_kept(
    *, repository_id: uuid.UUID, owner: str, lease: dt.timedelta
) -> Iterator[None]:
    """Renew `owner`'s lease on the repository every `lease`/3 until the block ends."""
    stop = threading.Event()
    heartbeat = threading.Thread(
        target=_renew_until_stopped,
        kwargs={"repository_id": repository_id, "owner": owner, "lease": lease, "stop": stop},
        name=f"collection-lease-{repository_id}",
        daemon=True,
    )
    heartbeat.start()
    try:
        yield
    finally:
        stop.set()
        heartbeat.join()


def _renew_until_stopped(
    *, repository_id: uuid.UUID, owner: str, lease: dt.timedelta, stop: threading.Event
) -> None:
    try:
        while not stop.wait(lease.total_seconds() / 3):
            try:
                renewed = collection_renew(repository_id=repository_id, owner=owner, lease=lease)
            except DatabaseError:
                # Try again at the next beat: the lease outlives two missed renewals.
                logger.exception("could not renew the collection lease of %s", repository_id)
                continue
            if not renewed:
                # Taken over after it lapsed (or the repository is gone): the collection
                # goes on, but traffic_store will not let it write.
                logger.warning("the collection lease of %s is no longer ours", repository_id)
                return
    finally:
        connection.close()  # this thread's own connection
