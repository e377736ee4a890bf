import unicodedata

from django.db import models

from repotraffic.common.models import BaseModel


def email_key(email: str) -> str:
    """What makes two emails the same person's: NFKC, then Unicode case folding.

    The database compares these bytes as they are, so SQLite and PostgreSQL agree;
    their own lower() do not (SQLite folds ASCII only), and the Kelvin sign or a dotted
    capital I made two users on one and one on the other."""
    return unicodedata.normalize("NFKC", email).casefold()


class User(BaseModel):
    """Someone who uses the API. Not a Django login: the admin uses auth.User."""

    email = models.EmailField(max_length=254)
    # email_key(email): unique, so the same address in another case or Unicode form
    # cannot sign up twice.
    email_key = models.CharField(max_length=1024, unique=True, editable=False)
    # May collect with the server's GitHub token where REPOTRAFFIC_SERVER_TOKEN_FOR is
    # "trusted": set by an operator (admin, or `manage.py user_trust`).
    trusted = models.BooleanField(
        default=False, help_text="May use the server's GitHub token (operators decide)."
    )
    # SHA-256 of the API token. The token itself is shown once and never stored.
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The user's own GitHub token, Fernet-encrypted; empty means "use the server's".
    github_token_encrypted = models.TextField(blank=True, default="", editable=False)
    github_login = models.CharField(max_length=39, blank=True, default="")
    # Moved by every write to the user's repositories: the version of the cached list.
    repositories_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return self.email

    @property
    def is_authenticated(self) -> bool:
        # DRF's IsAuthenticated asks this of request.user.
        return True

    def save(self, *args: object, **kwargs: object) -> None:
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if isinstance(update_fields, list | tuple | set) and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)  # type: ignore[arg-type]  # Model.save's own keywords

    @property
    def has_github_token(self) -> bool:
        return bool(self.github_token_encrypted)
