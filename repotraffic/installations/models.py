from django.db import models

from repotraffic.common.models import BaseModel
from repotraffic.users.models import User


class GitHubAppInstallation(BaseModel):
    """An installation of the server's GitHub App that a user connected, once GitHub
    showed that they control its account: the repositories of that account are collected
    with the installation's tokens. No token is stored: each process mints its own
    (integrations/github/app_tokens.py)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="github_app_installations"
    )
    installation_id = models.BigIntegerField(help_text="GitHub's number for the installation.")
    # The user or organization it is installed on, as GitHub spells its login.
    account_login = models.CharField(max_length=39)
    account_type = models.CharField(max_length=12)  # "User" or "Organization"
    # "all" of the account's repositories, or "selected" ones, when it was connected.
    repository_selection = models.CharField(max_length=8)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "installation_id"], name="installation_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_login} ({self.installation_id})"
