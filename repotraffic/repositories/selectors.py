import uuid

from django.db.models import QuerySet

from repotraffic.common.lookups import model_get_by_fields
from repotraffic.repositories.models import Repository, TrackedOwner
from repotraffic.users.models import User


def repository_list(*, user: User) -> QuerySet[Repository]:
    return Repository.objects.filter(user=user).order_by("created_at", "id")


def repository_get(*, user: User, repository_id: uuid.UUID | str) -> Repository | None:
    """The user's repository, or None: another user's repository is indistinguishable
    from one that does not exist."""
    try:
        repository_uuid = uuid.UUID(str(repository_id))
    except ValueError:
        return None
    return model_get_by_fields(Repository, id=repository_uuid, user=user.id)


def tracked_owner_list(*, user: User) -> QuerySet[TrackedOwner]:
    """The owners whose new repositories the daily run adds for the user, oldest first."""
    return TrackedOwner.objects.filter(user=user).order_by("created_at", "id")


def tracked_owner_user_ids() -> list[int]:
    """The users who auto-track some owner, each once."""
    return list(
        TrackedOwner.objects.order_by("user_id").values_list("user_id", flat=True).distinct()
    )
