import uuid

from django.db import IntegrityError, transaction

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.models import Repository
from repotraffic.repositories.urls_parse import github_url_parse
from repotraffic.users.models import User


def _existing_repository(*, user: User, owner: str, name: str) -> Repository | None:
    return Repository.objects.filter(user=user, owner__iexact=owner, name__iexact=name).first()


def repository_create(*, user: User, url: str) -> Repository:
    ref = github_url_parse(url=url)
    existing = _existing_repository(user=user, owner=ref.owner, name=ref.name)
    if existing is None:
        try:
            with transaction.atomic():
                repository = Repository.objects.create(user=user, owner=ref.owner, name=ref.name)
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


def repository_delete(*, user: User, repository_id: uuid.UUID) -> None:
    """Delete a repository and all its traffic in one transaction."""
    with transaction.atomic():
        deleted, _ = Repository.objects.filter(id=repository_id, user=user).delete()
    if not deleted:
        raise ApplicationError(f"You have no repository with id {repository_id}.")
