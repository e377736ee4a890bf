import hmac
import uuid

from django.db.models import QuerySet

from repotraffic.sharing.keys import share_key_digest
from repotraffic.sharing.models import ShareLink
from repotraffic.users.models import User

# Far longer than any key we make; a longer one is not worth hashing.
_KEY_MAX_LENGTH = 256


def share_link_list(*, user: User) -> QuerySet[ShareLink]:
    """The user's share links, revoked ones included, oldest first."""
    return ShareLink.objects.filter(user=user).order_by("created_at", "id")


def share_link_get(*, user: User, share_link_id: uuid.UUID | str) -> ShareLink | None:
    """The user's share link, or None: another user's is indistinguishable from none."""
    try:
        link_uuid = uuid.UUID(str(share_link_id))
    except ValueError:
        return None
    return ShareLink.objects.filter(id=link_uuid, user=user).first()


def share_link_get_by_key(*, key: str) -> ShareLink | None:
    """The live share link of a key, with its user and repository, in one query; None
    for an unknown or revoked key.

    As for API tokens, only the SHA-256 digest is looked up, so the index comparison
    runs on a value an attacker cannot steer byte by byte; the final check is
    constant-time as well.
    """
    if not key or len(key) > _KEY_MAX_LENGTH:
        return None
    digest = share_key_digest(key)
    link = ShareLink.objects.select_related("user", "repository").filter(key_digest=digest).first()
    if link is None or not hmac.compare_digest(link.key_digest, digest):
        return None
    return link if link.is_live else None
