import uuid

from django.db import models
from django.db.models.functions import Lower

from repotraffic.common.models import BaseModel
from repotraffic.users.models import User


class Repository(BaseModel):
    """A GitHub repository a user tracks. Its collection state (outcomes, lease, the
    collected range) is traffic.Collection's, `repository.collection`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="repositories")
    owner = models.CharField(max_length=39)
    name = models.CharField(max_length=100)

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
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"


class TrackedOwner(BaseModel):
    """An owner whose new repositories the daily run adds to the user's (auto-tracking,
    set by an import with auto_track): the repositories GitHub created after
    `created_after` that the user's credential can push to. EVERY_OWNER ("*", never a
    GitHub login) stands for every owner the credential reaches."""

    EVERY_OWNER = "*"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tracked_owners")
    owner = models.CharField(max_length=39)
    # Each successful run moves it on to when that run asked GitHub: a repository is
    # considered once, so one the user stopped tracking is never added back.
    created_after = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                "user", Lower("owner"), name="tracked_owners_user_owner_ci_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} for user {self.user_id}"
