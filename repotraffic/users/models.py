from django.db import models
from django.db.models.functions import Lower

from repotraffic.common.models import BaseModel


class User(BaseModel):
    """Someone who uses the API. Not a Django login: the admin uses auth.User."""

    email = models.EmailField(max_length=254)
    # SHA-256 of the API token. The token itself is shown once and never stored.
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The user's own GitHub token, Fernet-encrypted; empty means "use the server's".
    github_token_encrypted = models.TextField(blank=True, default="", editable=False)
    github_login = models.CharField(max_length=39, blank=True, default="")
    # Moved by every write to the user's repositories: the version of the cached list.
    repositories_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="users_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_authenticated(self) -> bool:
        # DRF's IsAuthenticated asks this of request.user.
        return True

    @property
    def has_github_token(self) -> bool:
        return bool(self.github_token_encrypted)
