"""Collecting many repositories at once, with bounded concurrency and flat memory."""

import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection

from repotraffic.traffic.services import FetchOutcome, traffic_fetch

logger = logging.getLogger(__name__)


@dataclass
class CollectionTotals:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    days_written: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, outcome: FetchOutcome) -> None:
        if outcome.ok:
            self.ok += 1
            self.days_written += outcome.days_written
        elif outcome.skipped:
            self.skipped += 1
        else:
            self.failed += 1


def _fetch_guarded(repository_id: uuid.UUID) -> FetchOutcome:
    try:
        return traffic_fetch(repository_id=repository_id)
    except Exception as exc:
        # One repository's unexpected failure must not stop the others.
        logger.exception("collecting repository %s failed", repository_id)
        return FetchOutcome(
            repository_id=repository_id, full_name=str(repository_id), crash=repr(exc)
        )


def traffic_fetch_many(
    *,
    repository_ids: Iterable[uuid.UUID],
    concurrency: int,
    on_outcome: Callable[[FetchOutcome], None] = lambda outcome: None,
) -> CollectionTotals:
    """Collect every repository with at most `concurrency` at once.

    Ids are fed through a bounded queue and outcomes handed to `on_outcome` as they
    come, so memory does not grow with the number of repositories.
    """
    jobs: queue.Queue[uuid.UUID | None] = queue.Queue(maxsize=concurrency * 2)
    results: queue.Queue[FetchOutcome] = queue.Queue()
    totals = CollectionTotals()

    def work() -> None:
        try:
            while (repository_id := jobs.get()) is not None:
                results.put(_fetch_guarded(repository_id))
        finally:
            connection.close()  # each thread has its own database connection

    def drain() -> None:
        while True:
            try:
                outcome = results.get_nowait()
            except queue.Empty:
                return
            totals.add(outcome)
            on_outcome(outcome)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for repository_id in repository_ids:
        jobs.put(repository_id)
        drain()
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()
    drain()
    return totals
