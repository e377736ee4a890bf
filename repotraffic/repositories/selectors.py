import uuid

from django.db.models import QuerySet

from repotraffic.common.lookups import model_get_by_fields
from repotraffic.repositories.models import Repository
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
