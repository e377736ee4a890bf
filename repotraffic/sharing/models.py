import uuid

from django.db import models

from repotraffic.common.models import BaseModel
from repotraffic.repositories.models import Repository
from repotraffic.users.models import User


class ShareLink(BaseModel):
    """A read-only link to a user's chart pages: all of their repositories, or one.

    It opens /share/<key>/... only; it is no API credential."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="share_links")
    # Null: every repository of the user, including those they track later.
    repository = models.ForeignKey(
        Repository,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="share_links",
    )
    # SHA-256 of the key. The key itself is shown once and never stored.
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(max_length=100, blank=True, default="")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return self.label or str(self.id)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
