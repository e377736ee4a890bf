"""Encryption at rest for users' GitHub tokens (Fernet: AES-128-CBC with HMAC-SHA256)."""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@cache
def _fernet(key: str, secret_key: str) -> Fernet:
    if key:
        return Fernet(key.encode())
    # Development only: production.py refuses to start without REPOTRAFFIC_ENCRYPTION_KEY.
    derived = hashlib.sha256(f"repotraffic-github-tokens:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def fernet() -> Fernet:
    return _fernet(settings.REPOTRAFFIC_ENCRYPTION_KEY, settings.SECRET_KEY)


def secret_encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def secret_decrypt(encrypted: str) -> str | None:
    """The plain text, or None when the key changed since it was encrypted."""
    try:
        return fernet().decrypt(encrypted.encode()).decode()
    except InvalidToken:
        return None
