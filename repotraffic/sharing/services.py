import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from repotraffic.common.exceptions import ApplicationError, NotFoundError
from repotraffic.repositories.models import Repository
from repotraffic.repositories.selectors import repository_get
from repotraffic.sharing.keys import share_key_digest, share_key_generate
from repotraffic.sharing.models import ShareLink
from repotraffic.sharing.selectors import share_link_get
from repotraffic.users.models import User

LABEL_MAX_LENGTH = 100


@dataclass(frozen=True)
class ShareLinkCreated:
    share_link: ShareLink
    key: str  # shown once; only its digest is stored


def share_link_create(
    *, user: User, repository_id: uuid.UUID | str | None = None, label: str = ""
) -> ShareLinkCreated:
    """A read-only link to the pages of one of the user's repositories, or of all of
    them (repository_id None), within REPOTRAFFIC_MAX_SHARE_LINKS_PER_USER live links."""
    label = label.strip()
    if len(label) > LABEL_MAX_LENGTH:
        raise ApplicationError(f"label must be at most {LABEL_MAX_LENGTH} characters.")
    repository: Repository | None = None
    if repository_id is not None:
        repository = repository_get(user=user, repository_id=repository_id)
        if repository is None:
            raise NotFoundError(f"You have no repository with id {repository_id}.")
    key = share_key_generate()
    limit = settings.REPOTRAFFIC_MAX_SHARE_LINKS_PER_USER
    with transaction.atomic():
        # Holds the user's row (PostgreSQL; SQLite's IMMEDIATE transactions queue every
        # writer anyway), so two requests at once cannot both take the last place.
        User.objects.select_for_update().filter(id=user.id).values_list("id").first()
        live = ShareLink.objects.filter(user=user, revoked_at__isnull=True).count()
        if live >= limit:
            raise ApplicationError(
                f"You have {live} live share links, the most allowed ({limit}): "
                "revoke one you no longer need first.",
                status_code=403,
            )
        share_link = ShareLink.objects.create(
            user=user, repository=repository, key_digest=share_key_digest(key), label=label
        )
    return ShareLinkCreated(share_link=share_link, key=key)


def share_link_revoke(*, user: User, share_link_id: uuid.UUID | str) -> ShareLink:
    """Revoke the user's share link: its pages answer 404 from now on. Revoking it
    again changes nothing."""
    share_link = share_link_get(user=user, share_link_id=share_link_id)
    if share_link is None:
        raise NotFoundError(f"You have no share link with id {share_link_id}.")
    if share_link.revoked_at is None:
        now = timezone.now()
        revoked = ShareLink.objects.filter(id=share_link.id, revoked_at__isnull=True).update(
            revoked_at=now, updated_at=now
        )
        if revoked:
            share_link.revoked_at = now
        else:  # revoked by another request in between: keep its time
            share_link.refresh_from_db(fields=["revoked_at", "updated_at"])
    return share_link
