import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from repotraffic.common.exceptions import ApplicationError
from repotraffic.installations.selectors import github_credential_get
from repotraffic.integrations.github.client import (
    GitHubError,
    RepositoryInfo,
    github_error_wait_answer,
    github_repository_get,
)
from repotraffic.repositories.models import Repository
from repotraffic.repositories.selectors import repository_get
from repotraffic.repositories.signals import repository_created
from repotraffic.repositories.urls_parse import github_url_parse
from repotraffic.users.models import User
from repotraffic.users.selectors import GitHubTokenChoice


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
    stored is GitHub's (its case; the new name after a rename). Sends repository_created
    inside the creating transaction (the traffic app queues the first collection)."""
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
                repository_created.send(sender=Repository, repository=repository)
            return repository
        except IntegrityError:
            # Another request added it between our check and our insert.
            existing = _existing_repository(user=user, owner=info.owner, name=info.name)
            if existing is None:
                raise
    raise _already_tracked(existing)


_CREDENTIAL_WORDS = {
    "own": "your GitHub token",
    "server": "the server's GitHub token",
    "installation": "your GitHub App installation",
}


def _repository_access_check(*, user: User, owner: str, name: str) -> RepositoryInfo:
    """Ask GitHub, within a few seconds, whether the credential that would collect the
    repository can read its traffic: an installation the user connected on the owner's
    account, their own token, or the server's (github_credential_get). Every refusal in
    words the user can act on."""
    choice: GitHubTokenChoice | None = None
    try:
        choice = github_credential_get(user=user, owner=owner, name=name, interactive=True)
        if choice.token is None:
            raise ApplicationError(choice.refusal)
        return github_repository_get(token=choice.token, owner=owner, name=name, interactive=True)
    except GitHubError as error:
        # No choice: GitHub minted no token for the user's installation on the owner.
        whose = _CREDENTIAL_WORDS["installation" if choice is None else choice.source]
        waited = github_error_wait_answer(error, what=f"check {owner}/{name}")
        if waited is not None:
            raise waited from None
        raise ApplicationError(
            f"Cannot track {owner}/{name} with {whose}: {error.message}."
        ) from None


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
