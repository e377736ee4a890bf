import uuid
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.models import Repository
from repotraffic.repositories.selectors import repository_get
from repotraffic.repositories.urls_parse import github_url_parse
from repotraffic.users.models import User


def repositories_touch(*, user_id: int) -> None:
    """Record that a user's repositories changed, which retires their cached list.

    Every write to a repository that the list shows must call this."""
    User.objects.filter(id=user_id).update(repositories_changed_at=timezone.now())


def _existing_repository(*, user: User, owner: str, name: str) -> Repository | None:
    return Repository.objects.filter(user=user, owner__iexact=owner, name__iexact=name).first()


def repository_create(*, user: User, url: str) -> Repository:
    ref = github_url_parse(url=url)
    existing = _existing_repository(user=user, owner=ref.owner, name=ref.name)
    if existing is None:
        try:
            with transaction.atomic():
                repository = Repository.objects.create(user=user, owner=ref.owner, name=ref.name)
                repositories_touch(user_id=user.id)
                transaction.on_commit(lambda: _first_collection_queue(repository.id))
            return repository
        except IntegrityError:
            # Another request added it between our check and our insert.
            existing = _existing_repository(user=user, owner=ref.owner, name=ref.name)
            if existing is None:
                raise
    raise ApplicationError(
        f"You already track {existing.url} (id {existing.id}).",
    )


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


COLLECTION_LOCK_HOLD = timedelta(minutes=10)


def repository_collection_claim(*, repository_id: uuid.UUID) -> bool:
    """Take the repository's collection lock; False if another collection holds it.

    One conditional UPDATE, so it is atomic on SQLite and PostgreSQL alike and works
    across workers on different machines.
    """
    now = timezone.now()
    free = Q(collection_lock_until__isnull=True) | Q(collection_lock_until__lt=now)
    claimed = Repository.objects.filter(free, id=repository_id).update(
        collection_lock_until=now + COLLECTION_LOCK_HOLD
    )
    return claimed == 1


def repository_collection_release(*, repository_id: uuid.UUID) -> None:
    Repository.objects.filter(id=repository_id).update(collection_lock_until=None)
