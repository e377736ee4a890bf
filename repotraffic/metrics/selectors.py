"""Reads for /metrics: each figure computed when Prometheus asks, from what every
process shares (the database, the token gates, the broker), so that it is the same
whichever web process answers and however many workers there are."""

import datetime as dt
import functools
import os
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db.models import Count, Q
from kombu.transport.redis import PRIORITY_STEPS, Channel

from repotraffic.budget.gates import token_gate
from repotraffic.integrations.github.client import github_token_key
from repotraffic.metrics.models import CollectionOutcomeCount
from repotraffic.repositories.models import Repository
from repotraffic.users.selectors import server_tokens

# The threshold: a day's collection plus half a day of retries, missed.
STALE_AFTER = dt.timedelta(hours=36)
# What names a token in labels: this many hex digits of its gate key (a SHA-256 of the
# API URL and the token), as the admin shows it; never the token nor the whole digest.
TOKEN_LABEL_DIGITS = 8
# A broker that does not answer within this must not hold the scrape up.
_BROKER_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class OutcomeCount:
    outcome: str  # "succeeded" or "failed"
    reason: str  # a failure's cause (GitHubErrorCause, "internal_error"); "" for a success
    count: int


def collection_outcome_counts() -> list[OutcomeCount]:
    rows = CollectionOutcomeCount.objects.order_by("outcome", "reason")
    return [OutcomeCount(*row) for row in rows.values_list("outcome", "reason", "count")]


@dataclass(frozen=True)
class RepositoryFigures:
    tracked: int
    # Without a successful collection for more than STALE_AFTER: the last success is
    # older, or there was none and the repository was added before that.
    stale: int


def repository_figures(*, now: dt.datetime) -> RepositoryFigures:
    """In one query. A repository made without its collection state (bulk_create) reads
    as never collected."""
    cutoff = now - STALE_AFTER
    stale = Q(collection__last_success_at__lt=cutoff) | Q(
        collection__last_success_at__isnull=True, created_at__lt=cutoff
    )
    figures = Repository.objects.aggregate(tracked=Count("pk"), stale=Count("pk", filter=stale))
    return RepositoryFigures(tracked=figures["tracked"], stale=figures["stale"])


@dataclass(frozen=True)
class TokenFigures:
    token: str  # the masked label: TOKEN_LABEL_DIGITS of its gate key
    kind: str  # "server" (one of GITHUB_TOKEN's) or "user" (a user's own, or an installation's)
    remaining: int | None  # what GitHub last said is left of the current hour
    reset: float | None  # when that hour resets (epoch seconds)
    paused: bool  # held back everywhere after a rate limit


def github_token_figures(*, now: float) -> list[TokenFigures]:
    """Every token used in its current hour, or paused, as its gate knows it."""
    server_keys = {github_token_key(token=token) for token in server_tokens()}
    return [
        TokenFigures(
            token=state.token_key[:TOKEN_LABEL_DIGITS],
            kind="server" if state.token_key in server_keys else "user",
            remaining=state.remaining,
            reset=state.reset,
            paused=state.paused_until is not None,
        )
        for state in token_gate().token_states(now=now)
    ]


def queue_names() -> list[str]:
    """The queue the tasks go to (Celery's default; no task is routed elsewhere)."""
    return [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")]


@functools.cache
def _broker_redis(url: str) -> "redis.Redis":
    return redis.Redis.from_url(
        url, socket_timeout=_BROKER_TIMEOUT_SECONDS, socket_connect_timeout=_BROKER_TIMEOUT_SECONDS
    )


def queue_depths_known() -> bool:
    """Whether the broker's queues can be read from here: Redis or the filesystem, not
    memory:// (which lives inside one process)."""
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "filesystem"))


def queue_depths() -> dict[str, int]:
    """Messages waiting in each queue, not yet taken by a worker (see queue_depths_known;
    empty for another broker)."""
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        # kombu keeps a queue as a list, and one more per priority step it was sent with.
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}
        prefix = str(options.get("global_keyprefix", ""))
        pipeline = _broker_redis(url).pipeline(transaction=False)
        for queue in queue_names():
            for step in PRIORITY_STEPS:
                pipeline.llen(f"{prefix}{queue}{Channel.sep}{step}" if step else prefix + queue)
        lengths = iter(pipeline.execute())
        return {queue: sum(next(lengths) for _ in PRIORITY_STEPS) for queue in queue_names()}
    if url.startswith("filesystem"):
        # kombu's filesystem transport: one file per message, <time>_<id>.<queue>.msg, in
        # data_folder_in until a worker takes it.
        folder = str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        try:
            names = [entry.name for entry in os.scandir(folder)]
        except FileNotFoundError:  # nothing was ever queued
            names = []
        return {
            queue: sum(1 for name in names if name.endswith(f".{queue}.msg"))
            for queue in queue_names()
        }
    return {}
