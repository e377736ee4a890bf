"""/metrics' answer: the selectors' figures and the request figures, in Prometheus' text
format (0.0.4). A source that cannot be read (the database, the gates' Redis, the
broker) leaves its figures out and says so in repotraffic_metrics_source_up, instead of
failing the whole scrape."""

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import DatabaseError
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from redis import RedisError

from repotraffic.metrics import selectors
from repotraffic.metrics.http import http_figures_register

logger = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
_UNREADABLE = (DatabaseError, RedisError, OSError)
T = TypeVar("T")


class _ArchiveCollector:
    """The figures read at scrape time, for prometheus_client's registry."""

    def __init__(self, *, now: dt.datetime) -> None:
        self.now = now
        self.sources: dict[str, bool] = {}

    def _read(self, source: str, read: Callable[[], T]) -> T | None:
        try:
            value = read()
        except _UNREADABLE as exc:
            logger.warning("metrics: could not read the %s: %s", source, exc)
            self.sources[source] = False
            return None
        self.sources.setdefault(source, True)
        return value

    def collect(self) -> Iterator[Metric]:
        self.sources = {}
        yield from self._collections()
        yield from self._repositories()
        yield from self._tokens()
        yield from self._queues()
        up = GaugeMetricFamily(
            "repotraffic_metrics_source_up",
            "1 if this scrape read the source's figures, 0 if it could not (they are left out).",
            labels=["source"],
        )
        for source, read in self.sources.items():
            up.add_metric([source], 1 if read else 0)
        yield up

    def _collections(self) -> Iterator[Metric]:
        counts = self._read("database", selectors.collection_outcome_counts)
        if counts is None:
            return
        family = CounterMetricFamily(
            "repotraffic_collections",
            "Collections that ran, by outcome (succeeded, failed) and a failure's reason.",
            labels=["outcome", "reason"],
        )
        for count in counts:
            family.add_metric([count.outcome, count.reason], count.count)
        yield family

    def _repositories(self) -> Iterator[Metric]:
        figures = self._read("database", lambda: selectors.repository_figures(now=self.now))
        if figures is None:
            return
        yield GaugeMetricFamily(
            "repotraffic_repositories", "Repositories tracked.", value=figures.tracked
        )
        hours = selectors.STALE_AFTER.total_seconds() / 3600
        yield GaugeMetricFamily(
            "repotraffic_repositories_stale",
            f"Repositories without a successful collection for more than {hours:g} hours "
            "(one never collected counts from when it was added).",
            value=figures.stale,
        )

    def _tokens(self) -> Iterator[Metric]:
        now = self.now.timestamp()
        tokens = self._read("gate", lambda: selectors.github_token_figures(now=now))
        if tokens is None:
            return
        labels = ["token", "kind"]
        remaining = GaugeMetricFamily(
            "repotraffic_github_rate_limit_remaining",
            "Requests left of the token's current hour, as GitHub last said "
            "(X-RateLimit-Remaining); token: the first digits of its key's digest.",
            labels=labels,
        )
        reset = GaugeMetricFamily(
            "repotraffic_github_rate_limit_reset_timestamp_seconds",
            "When the token's current hour resets (X-RateLimit-Reset), in epoch seconds.",
            labels=labels,
        )
        paused = GaugeMetricFamily(
            "repotraffic_github_token_paused",
            "1 while a rate limit holds the token back in every process.",
            labels=labels,
        )
        for token in tokens:
            if token.remaining is not None and token.reset is not None:
                remaining.add_metric([token.token, token.kind], token.remaining)
                reset.add_metric([token.token, token.kind], token.reset)
            paused.add_metric([token.token, token.kind], 1 if token.paused else 0)
        yield from (remaining, reset, paused)

    def _queues(self) -> Iterator[Metric]:
        if not selectors.queue_depths_known():
            return  # memory://: its queue lives inside one process
        depths = self._read("broker", selectors.queue_depths)
        if depths is None:
            return
        family = GaugeMetricFamily(
            "repotraffic_queue_messages",
            "Tasks waiting in the broker's queue, not yet taken by a worker.",
            labels=["queue"],
        )
        for queue, depth in depths.items():
            family.add_metric([queue], depth)
        yield family


def metrics_text(*, now: dt.datetime) -> bytes:
    """Every figure, read now, in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ArchiveCollector(now=now))
    http_figures_register(registry)
    return generate_latest(registry)
