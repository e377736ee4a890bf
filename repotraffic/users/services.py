from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from repotraffic.common.exceptions import ApplicationError
from repotraffic.users.models import User
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
        # The case-insensitive unique constraint decides races between two requests.
        with transaction.atomic():
            user = User.objects.create(email=email, token_digest=api_token_digest(token))
    except IntegrityError:
        raise ApplicationError(f"A user with the email {email!r} already exists.") from None
    return UserCreated(user=user, token=token)
