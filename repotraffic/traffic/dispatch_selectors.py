"""Reads of the dispatch (dispatch_services): which pending collections each GitHub token
still has to queue, and in which order."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, F, Q

from repotraffic.traffic.models import Collection, collection_pending_q

# Ids read per query, and so marked as queued per UPDATE.
_PAGE = 2000


def collection_queued_q() -> Q:
    """On Collection: a task was queued for its current request (queued_at is not older
    than requested_at). Such a repository is not queued again until a new request, or
    until its task hands it back (dispatch_services.collection_queued_release)."""
    return Q(queued_at__isnull=False, queued_at__gte=F("requested_at"))


@dataclass(frozen=True)
class TokenDue:
    """One budget key's pending collections (token_key "" for those no collection has
    chosen a credential for yet): `due` are not queued; `queued` are queued and not tried
    yet, so what they will spend is still to come out of the token's hour."""

    token_key: str
    due: int
    queued: int


def collections_due_by_token() -> list[TokenDue]:
    """Every budget key with pending collections not queued yet, by key; one query."""
    queued = collection_queued_q()
    untried = Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=F("queued_at"))
    rows = (
        Collection.objects.filter(collection_pending_q())
        .values("token_key")
        .annotate(due=Count("pk", filter=~queued), queued=Count("pk", filter=queued & untried))
        .order_by("token_key")
    )
    return [TokenDue(**row) for row in rows if row["due"]]


def repository_ids_due(*, token_key: str, limit: int | None = None) -> Iterator[list[uuid.UUID]]:
    """Pages of the repositories whose last collection used `token_key` and whose pending
    collection is not queued: at most `limit` of them (None: all), in the order the
    dispatch queues them. First the ones collected before, oldest success first (each of
    them is a daily collection the token owes); then the ones never collected, by id:
    a first collection does not take what the daily ones need of the hour (its own check,
    traffic.services._first_collection_budget_check, defers it when the hour is short).
    Keyset-paged on Collection alone: each page is one short query, whatever the total.
    """
    due = Collection.objects.filter(collection_pending_q(), token_key=token_key).exclude(
        collection_queued_q()
    )
    left = limit
    collected = (
        due.filter(last_success_at__isnull=False)
        .order_by("last_success_at", "pk")
        .values_list("last_success_at", "pk")
    )
    last = None
    while left is None or left > 0:
        size = _PAGE if left is None else min(_PAGE, left)
        after = collected
        if last is not None:
            after = collected.filter(
                Q(last_success_at__gt=last[0]) | Q(last_success_at=last[0], pk__gt=last[1])
            )
        rows = list(after[:size])
        if rows:
            yield [pk for _, pk in rows]
        if left is not None:
            left -= len(rows)
        if len(rows) < size:
            break
        last = rows[-1]
    never = due.filter(last_success_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    last_pk = None
    while left is None or left > 0:
        size = _PAGE if left is None else min(_PAGE, left)
        page = list((never if last_pk is None else never.filter(pk__gt=last_pk))[:size])
        if page:
            yield page
        if left is not None:
            left -= len(page)
        if len(page) < size:
            return
        last_pk = page[-1]
