"""Writes of a repository's collection state (traffic.Collection): its row, its lease,
the requests for a collection, and the outcome of each.

The lease and the requests are single conditional UPDATEs, so they are atomic on SQLite
and PostgreSQL alike and across workers on different machines.
"""

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from repotraffic.repositories.models import Repository
from repotraffic.repositories.services import repositories_touch
from repotraffic.traffic.detail_services import traffic_detail_json_refresh
from repotraffic.traffic.models import Collection, collection_pending_q
from repotraffic.traffic.selectors import collection_of
from repotraffic.traffic.signals import collection_finished


def collection_create(*, repository: Repository) -> Collection:
    """Give the repository its collection state, never collected nor requested; one
    INSERT that leaves an existing row as it is. Made with the repository (the
    repository_created receiver), and by its first collection if it was made without
    (bulk_create)."""
    collection = Collection(repository=repository)
    Collection.objects.bulk_create([collection], ignore_conflicts=True)
    return collection


def collection_claim(*, repository_id: uuid.UUID, lease: dt.timedelta) -> str | None:
    """Take the repository's collection lease for `lease`: the new owner id, or None if
    another collection holds a lease that has not expired.

    The owner renews the lease while it collects (collection_renew); a lease left by a
    killed worker expires after `lease`.
    """
    now = timezone.now()
    owner = uuid.uuid4().hex
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    claimed = Collection.objects.filter(free, repository_id=repository_id).update(
        lease_owner=owner, lease_until=now + lease
    )
    return owner if claimed == 1 else None


def collection_renew(*, repository_id: uuid.UUID, owner: str, lease: dt.timedelta) -> bool:
    """Extend the owner's lease to `lease` from now; False if it is no longer theirs."""
    renewed = Collection.objects.filter(repository_id=repository_id, lease_owner=owner).update(
        lease_until=timezone.now() + lease
    )
    return renewed == 1


def collection_release(*, repository_id: uuid.UUID, owner: str) -> bool:
    """Give the lease back; False (and nothing changed) if it is no longer the owner's."""
    released = Collection.objects.filter(repository_id=repository_id, lease_owner=owner).update(
        lease_owner="", lease_until=None
    )
    return released == 1


def collection_request(*, repository_id: uuid.UUID) -> None:
    """Record that a collection of the repository was asked for (before it is queued)."""
    Collection.objects.filter(repository_id=repository_id).update(requested_at=timezone.now())


def collections_request_all() -> int:
    """The scheduled run: every repository's collection is asked for, in one UPDATE."""
    return Collection.objects.update(requested_at=timezone.now())


def collections_request_stale(*, stale_after: dt.timedelta) -> int:
    """Ask for the collection of the repositories without a success for `stale_after`,
    leaving a request still pending as it is; in one UPDATE."""
    cutoff = timezone.now() - stale_after
    stale = Q(last_success_at__isnull=True) | Q(last_success_at__lt=cutoff)
    return (
        Collection.objects.filter(stale)
        .exclude(collection_pending_q())
        .update(requested_at=timezone.now())
    )


def collection_record(
    *,
    repository: Repository,
    attempted_at: dt.datetime,
    error: str = "",
    cause: str = "",
    token_key: str = "",
) -> None:
    """Record the outcome of one collection: a success clears the last error. The
    repositories list shows it, so its version moves too (repositories_touch). Then the
    detail's traffic part is rendered ahead of its first read if the collection changed
    it (a failed run may have stored traffic before it failed). `cause`: a failure's
    GitHubErrorCause value, which collection_finished carries to the metrics.
    `token_key`: the budget key of the credential it used, when one was chosen."""
    changes: dict[str, dt.datetime | str] = {"last_attempt_at": attempted_at}
    if token_key:
        changes["token_key"] = token_key
    if error:
        changes.update(last_error=error, last_error_at=attempted_at)
    else:
        changes.update(last_success_at=attempted_at, last_error="")
    with transaction.atomic():
        Collection.objects.filter(repository_id=repository.id).update(**changes)
        repositories_touch(user_id=repository.user_id)
        collection_finished.send(
            sender=Collection,
            outcome="failed" if error else "succeeded",
            reason=(cause or "unknown") if error else "",
        )
    collection = collection_of(repository)
    for field, value in changes.items():
        setattr(collection, field, value)
    traffic_detail_json_refresh(repository=repository)


def collection_crash_record() -> None:
    """Count a collection that failed on our side (an unexpected exception, which the
    caller raises again). Nothing is stored: a receiver's failure (a database that is
    gone) is logged, never raised over the original exception."""
    collection_finished.send_robust(sender=Collection, outcome="failed", reason="internal_error")
