from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from repotraffic.common.exceptions import ApplicationError
from repotraffic.integrations.github.client import (
    GitHubError,
    GitHubErrorCause,
    github_token_check,
)
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.models import User, email_key
from repotraffic.users.tokens import api_token_digest, api_token_generate

EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True)
class UserCreated:
    user: User
    token: str  # shown once; only its digest is stored


def email_normalize(email: str) -> str:
    """Trim, and lower-case the domain (the local part is the mail server's business)."""
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    return f"{local}@{domain.lower()}"


def user_register(*, email: str) -> UserCreated:
    """Sign-up through the API: open unless REPOTRAFFIC_REGISTRATION=closed, when only
    an operator creates users (`manage.py user_create`)."""
    if settings.REPOTRAFFIC_REGISTRATION == "closed":
        raise ApplicationError(
            "This server does not take sign-ups: ask its operator for an account.",
            status_code=403,
        )
    return user_create(email=email)


def user_create(*, email: str) -> UserCreated:
    email = email_normalize(email)
    if not email:
        raise ApplicationError("email must not be empty.")
    if len(email) > EMAIL_MAX_LENGTH:
        raise ApplicationError(f"email must be at most {EMAIL_MAX_LENGTH} characters.")
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(f"{email!r} is not a valid email address.") from None

    token = api_token_generate()
    try:
        # The unique email_key (NFKC, case-folded) decides races between two requests.
        with transaction.atomic():
            user = User.objects.create(email=email, token_digest=api_token_digest(token))
    except IntegrityError:
        raise ApplicationError(f"A user with the email {email!r} already exists.") from None
    return UserCreated(user=user, token=token)


GITHUB_TOKEN_MAX_LENGTH = 255


def user_github_token_set(*, user: User, token: str) -> User:
    """Check a GitHub token against GitHub, then keep it encrypted for the user's
    repositories. It is never shown again."""
    token = token.strip()
    if not token:
        raise ApplicationError("token must not be empty.")
    if len(token) > GITHUB_TOKEN_MAX_LENGTH or any(
        ch.isspace() or not ch.isprintable() for ch in token
    ):
        raise ApplicationError("token does not look like a GitHub token.")
    try:
        # Someone waits on this request: a short, bounded check (see its docstring).
        login = github_token_check(token=token, interactive=True)
    except GitHubError as error:
        if error.cause in (GitHubErrorCause.UNAVAILABLE, GitHubErrorCause.RATE_LIMITED):
            raise ApplicationError(
                f"Could not check the token: {error.message}", status_code=503
            ) from None
        raise ApplicationError(f"GitHub refused the token: {error.message}") from None
    user.github_token_encrypted = secret_encrypt(token)
    user.github_login = login[: User._meta.get_field("github_login").max_length]
    user.save(update_fields=["github_token_encrypted", "github_login", "updated_at"])
    return user


def user_trust_set(*, email: str, trusted: bool) -> User:
    """Let a user collect with the server's GitHub token, or stop them (an operator's
    decision: REPOTRAFFIC_SERVER_TOKEN_FOR=trusted)."""
    user = User.objects.filter(email_key=email_key(email_normalize(email))).first()
    if user is None:
        raise ApplicationError(f"There is no user with the email {email!r}.", status_code=404)
    if user.trusted != trusted:
        user.trusted = trusted
        user.save(update_fields=["trusted", "updated_at"])
    return user


def user_github_token_delete(*, user: User) -> User:
    user.github_token_encrypted = ""
    user.github_login = ""
    user.save(update_fields=["github_token_encrypted", "github_login", "updated_at"])
    return user
