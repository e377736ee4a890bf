import hashlib
import secrets


def api_token_generate() -> str:
    """128 random bits as 32 hex characters."""
    return secrets.token_hex(16)


def api_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
