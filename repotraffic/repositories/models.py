import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from repotraffic.common.models import BaseModel
from repotraffic.users.models import User


def collection_pending_q() -> Q:
    """Repository.collection_pending as a query filter."""
    return Q(collection_requested_at__isnull=False) & (
        Q(last_success_at__isnull=True) | Q(last_success_at__lt=F("collection_requested_at"))
    )


class Repository(BaseModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="repositories")
    owner = models.CharField(max_length=39)
    name = models.CharField(max_length=100)

    # Collection status, written by the traffic collection.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    # The collection lease: held by one running collection (its random owner id), so two
    # never run at once for this repository, whichever process or machine they run on.
    # The holder renews it while it runs; one left by a crash expires on its own.
    collection_lease_owner = models.CharField(max_length=32, blank=True, default="", editable=False)
    collection_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    # When a collection was last asked for (queued). Until one succeeds after it, the
    # request is pending, and a worker that starts queues it again: a queued task lost
    # with a killed worker is not lost for good.
    collection_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The UTC days that successful collections have covered (GitHub's window, today-14 ..
    # today, of each), both inclusive; null until the first success. Only ever widens.
    # GitHub leaves days without traffic out, so a day in here without a row had none.
    collected_from = models.DateField(null=True, blank=True, editable=False)
    collected_until = models.DateField(null=True, blank=True, editable=False)
    # When this repository's traffic rows or collected range last changed: the version
    # of its cached JSON.
    traffic_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "repositories"
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                "user", Lower("owner"), Lower("name"), name="repositories_user_repo_ci_unique"
            ),
        ]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def traffic_version(self) -> float:
        """What keys cached traffic JSON: it moves with every change of the rows."""
        return self.traffic_updated_at.timestamp() if self.traffic_updated_at else 0

    @property
    def collection_pending(self) -> bool:
        """A collection was requested and none has succeeded since."""
        requested = self.collection_requested_at
        if requested is None:
            return False
        return self.last_success_at is None or self.last_success_at < requested

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"
