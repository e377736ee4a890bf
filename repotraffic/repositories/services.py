import math
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from repotraffic.common.exceptions import ApplicationError
from repotraffic.integrations.github.client import (
    GitHubError,
    GitHubErrorCause,
    RepositoryInfo,
    github_repository_get,
)
from repotraffic.repositories.models import Repository, collection_pending_q
from repotraffic.repositories.selectors import repository_get
from repotraffic.repositories.urls_parse import github_url_parse
from repotraffic.users.models import User
from repotraffic.users.selectors import user_github_token_get


def repositories_touch(*, user_id: int) -> None:
    """Record that a user's repositories changed, which retires their cached list.

    Every write to a repository that the list shows must call this."""
    User.objects.filter(id=user_id).update(repositories_changed_at=timezone.now())


def _existing_repository(*, user: User, owner: str, name: str) -> Repository | None:
    return Repository.objects.filter(user=user, owner__iexact=owner, name__iexact=name).first()


def _already_tracked(existing: Repository) -> ApplicationError:
    return ApplicationError(f"You already track {existing.url} (id {existing.id}).")


def repository_create(*, user: User, url: str) -> Repository:
    """Track a repository, once GitHub has confirmed that the token which will collect it
    (the user's own, or the server's where policy allows) can read its traffic.

    The URL is checked first, then what needs no request (already tracked, the
    per-user limit, a usable token), then GitHub, outside any transaction. The name
    stored is GitHub's (its case; the new name after a rename)."""
    ref = github_url_parse(url=url)
    existing = _existing_repository(user=user, owner=ref.owner, name=ref.name)
    if existing is not None:
        raise _already_tracked(existing)
    limit = settings.REPOTRAFFIC_MAX_REPOSITORIES_PER_USER
    if Repository.objects.filter(user=user).count() >= limit:
        raise ApplicationError(
            f"You track {limit} repositories, the most this server allows "
            "(REPOTRAFFIC_MAX_REPOSITORIES_PER_USER): delete one first, or ask the operator.",
            status_code=403,
        )
    info = _repository_access_check(user=user, owner=ref.owner, name=ref.name)
    existing = _existing_repository(user=user, owner=info.owner, name=info.name)
    if existing is None:
        try:
            with transaction.atomic():
                repository = Repository.objects.create(user=user, owner=info.owner, name=info.name)
                repositories_touch(user_id=user.id)
                transaction.on_commit(lambda: _first_collection_queue(repository.id))
            return repository
        except IntegrityError:
            # Another request added it between our check and our insert.
            existing = _existing_repository(user=user, owner=info.owner, name=info.name)
            if existing is None:
                raise
    raise _already_tracked(existing)


def _repository_access_check(*, user: User, owner: str, name: str) -> RepositoryInfo:
    """Ask GitHub, within a few seconds, whether the token that would collect the
    repository can read its traffic; every refusal in words the user can act on."""
    choice = user_github_token_get(user=user)
    if choice.token is None:
        raise ApplicationError(choice.refusal)
    try:
        return github_repository_get(token=choice.token, owner=owner, name=name, interactive=True)
    except GitHubError as error:
        whose = "your GitHub token" if choice.source == "own" else "the server's GitHub token"
        if error.cause == GitHubErrorCause.RATE_LIMITED:
            wait = 60
            if error.retry_at is not None:
                wait = max(1, math.ceil((error.retry_at - timezone.now()).total_seconds()))
            raise ApplicationError(
                f"Could not check {owner}/{name}: {error.message}.",
                status_code=429,
                headers={"Retry-After": str(wait)},
            ) from None
        if error.cause in (GitHubErrorCause.UNAVAILABLE, GitHubErrorCause.MALFORMED):
            raise ApplicationError(
                f"Could not check {owner}/{name}: {error.message}", status_code=503
            ) from None
        raise ApplicationError(
            f"Cannot track {owner}/{name} with {whose}: {error.message}."
        ) from None


def _first_collection_queue(repository_id: uuid.UUID) -> None:
    """Collect a new repository at once, so its owner sees 14 days straight away."""
    from repotraffic.traffic.tasks import traffic_fetch_repository_queue

    traffic_fetch_repository_queue(repository_id=repository_id)


def repository_delete(*, user: User, repository_id: uuid.UUID | str) -> uuid.UUID:
    """Delete the user's repository and all its traffic in one transaction."""
    repository = repository_get(user=user, repository_id=repository_id)
    if repository is None:
        raise ApplicationError(f"You have no repository with id {repository_id}.")
    with transaction.atomic():
        deleted, _ = Repository.objects.filter(id=repository.id, user=user).delete()
        if deleted:
            repositories_touch(user_id=user.id)
    if not deleted:  # a concurrent delete won
        raise ApplicationError(f"You have no repository with id {repository_id}.")
    return repository.id


def repository_collection_record(
    *, repository: Repository, attempted_at: datetime, error: str = ""
) -> None:
    """Record the outcome of one collection: a success clears the last error."""
    changes: dict[str, datetime | str] = {
        "last_attempt_at": attempted_at,
        "updated_at": timezone.now(),
    }
    if error:
        changes.update(last_error=error, last_error_at=attempted_at)
    else:
        changes.update(last_success_at=attempted_at, last_error="")
    with transaction.atomic():
        Repository.objects.filter(id=repository.id).update(**changes)
        repositories_touch(user_id=repository.user_id)
    for field, value in changes.items():
        setattr(repository, field, value)


def repository_collection_claim(*, repository_id: uuid.UUID, lease: timedelta) -> str | None:
    """Take the repository's collection lease for `lease`: the new owner id, or None if
    another collection holds a lease that has not expired.

    One conditional UPDATE, so it is atomic on SQLite and PostgreSQL alike and works
    across workers on different machines. The owner renews the lease while it collects
    (repository_collection_renew); a lease left by a killed worker expires after `lease`.
    """
    now = timezone.now()
    owner = uuid.uuid4().hex
    free = Q(collection_lease_until__isnull=True) | Q(collection_lease_until__lte=now)
    claimed = Repository.objects.filter(free, id=repository_id).update(
        collection_lease_owner=owner, collection_lease_until=now + lease
    )
    return owner if claimed == 1 else None


def repository_collection_renew(*, repository_id: uuid.UUID, owner: str, lease: timedelta) -> bool:
    """Extend the owner's lease to `lease` from now; False if it is no longer theirs."""
    renewed = Repository.objects.filter(id=repository_id, collection_lease_owner=owner).update(
        collection_lease_until=timezone.now() + lease
    )
    return renewed == 1


def repository_collection_release(*, repository_id: uuid.UUID, owner: str) -> bool:
    """Give the lease back; False (and nothing changed) if it is no longer the owner's."""
    released = Repository.objects.filter(id=repository_id, collection_lease_owner=owner).update(
        collection_lease_owner="", collection_lease_until=None
    )
    return released == 1


def repository_collection_request(*, repository_id: uuid.UUID) -> None:
    """Record that a collection of the repository was asked for (before it is queued)."""
    Repository.objects.filter(id=repository_id).update(collection_requested_at=timezone.now())


def repositories_collection_request_all() -> int:
    """The scheduled run: every repository's collection is asked for, in one UPDATE."""
    return Repository.objects.update(collection_requested_at=timezone.now())


def repositories_collection_request_stale(*, stale_after: timedelta) -> int:
    """Ask for the collection of the repositories without a success for `stale_after`,
    leaving a request still pending as it is; in one UPDATE."""
    cutoff = timezone.now() - stale_after
    stale = Q(last_success_at__isnull=True) | Q(last_success_at__lt=cutoff)
    return (
        Repository.objects.filter(stale)
        .exclude(collection_pending_q())
        .update(collection_requested_at=timezone.now())
    )
