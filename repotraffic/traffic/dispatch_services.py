"""The dispatch: each GitHub token's pending collections are queued as its hour can pay
for them, so a token with more repositories than one hour pays for spreads its work over
the hours it needs, and nothing waits for a later hour in a worker's memory.

Every run (the daily run right after it asks for every collection, then beat every 10
minutes, traffic.tasks.traffic_fetch_due) queues, for each budget key
(Collection.token_key: the credential the repository's last collection used), the
pending collections not queued yet, as many as the token's hour can still pay for at
DAILY_REQUESTS each: what the gate knows is left of the hour (a full hour, 5,000, when
it does not know: a new token, or an hour that has reset), less
GITHUB_RATE_LIMIT_RESERVE, spread over the dispatches until the hour resets
(_hour_share), less what the ones queued and not tried yet will spend.
Nothing for a paused token. The order is fair: oldest success first, so the ones that
waited longest go first and each run's turn moves on (dispatch_selectors).

A repository is queued once per request: the run marks it (Collection.queued_at) and
skips it until the next request (the daily run), unless its task hands it back
(collection_queued_release): refused by the rate limit until a reset too far to wait
for, it ends, and a later run queues it again in its fair place. A collection that
fails otherwise is tried again at the next request, as before.

The repositories no collection has chosen a credential for yet (token_key "", such as
never collected ones whose task was lost, or made with bulk_create) are all queued,
once each: the dispatch cannot tell which token's hour they will use; their first
collection's own check defers them when that hour is short, and then they have a key.

Two runs at once (two beats, or the daily run meeting a worker's catch-up) may queue a
repository twice; harmless, as any task twice is (traffic.tasks).
"""

import datetime as dt
import math
import uuid
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from repotraffic.budget.gates import TokenState, token_gate
from repotraffic.budget.services import DAILY_REQUESTS
from repotraffic.traffic.dispatch_selectors import collections_due_by_token, repository_ids_due
from repotraffic.traffic.models import Collection, collection_pending_q

# A token's hour when the gate does not know it: GitHub's limit for a user's token. An
# installation's larger hour shows in its first answers, which the next run reads.
HOUR_UNKNOWN_REQUESTS = 5000
HOUR_SECONDS = 3600
# How often beat runs the dispatch (config/settings/base.py, "traffic-fetch-due").
DISPATCH_EVERY_SECONDS = 600


def _hour_share(*, state: TokenState | None, queued: int, now: float) -> int:
    """How many more daily collections the token's hour can pay for now, beside the
    `queued` ones not tried yet. `state`: what the gate knows of the token (None:
    nothing).

    Paced from GitHub's X-RateLimit-Remaining and X-RateLimit-Reset: what is left of the
    hour (less the reserve) is spread evenly over the dispatches until its reset, each
    queueing its part (DISPATCH_EVERY_SECONDS of the time left), and the last before the
    reset what remains. So an hour's requests are not all sent in its first minutes, in
    bursts GitHub's secondary limits answer with a pause, and an hour the gate does not
    know yet (it begins with its first request) is taken a sixth at a time."""
    if state is not None and state.paused_until is not None:
        return 0
    remaining, seconds_left = HOUR_UNKNOWN_REQUESTS, float(HOUR_SECONDS)
    if state is not None and state.remaining is not None:
        remaining = state.remaining
        if state.reset is not None and state.reset > now:
            seconds_left = state.reset - now
    spare = remaining - max(0, int(settings.GITHUB_RATE_LIMIT_RESERVE))
    paced = math.ceil(max(0, spare) * min(1.0, DISPATCH_EVERY_SECONDS / seconds_left))
    return max(0, paced // DAILY_REQUESTS - queued)


def collections_queued_mark(
    *, repository_ids: list[uuid.UUID], at: dt.datetime | None = None
) -> None:
    """Record that a task was queued for each of these repositories; one UPDATE."""
    if repository_ids:
        Collection.objects.filter(pk__in=repository_ids).update(queued_at=at or timezone.now())


def collection_queued_release(*, repository_id: uuid.UUID) -> None:
    """Hand the repository back to the dispatch: its task ended without collecting and
    the request is still pending, so a later run queues it again."""
    Collection.objects.filter(pk=repository_id).update(queued_at=None)


def collections_queued_release_pending() -> int:
    """Hand every pending collection back to the dispatch (a worker starting: the tasks a
    stopped one held may be gone with it); one UPDATE."""
    return Collection.objects.filter(collection_pending_q(), queued_at__isnull=False).update(
        queued_at=None
    )


def collections_dispatch(*, queue: Callable[[uuid.UUID], None]) -> int:
    """Queue (with `queue`, one call a repository) the pending collections each token's
    hour can pay for, and mark them queued: one UPDATE per page of ids. Returns how many
    were queued. Queries: one for the keys, at most one for the gate, then per token
    one per page (and one more where the collected ones run out), one UPDATE per page."""
    now = timezone.now()
    dues = collections_due_by_token()
    keys = [due.token_key for due in dues if due.token_key]
    states: dict[str, TokenState] = {}
    if keys:
        states = {
            state.token_key: state
            for state in token_gate().token_states(now=now.timestamp(), token_keys=keys)
        }
    count = 0
    for due in dues:
        limit = None
        if due.token_key:
            limit = _hour_share(
                state=states.get(due.token_key), queued=due.queued, now=now.timestamp()
            )
            if limit == 0:
                continue
        for page in repository_ids_due(token_key=due.token_key, limit=limit):
            queued: list[uuid.UUID] = []
            try:
                for repository_id in page:
                    queue(repository_id)
                    queued.append(repository_id)
            finally:  # a broker failing mid-page: what went is marked, the rest waits
                collections_queued_mark(repository_ids=queued, at=now)
            count += len(queued)
    return count
