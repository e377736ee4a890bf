"""A GitHub App for tests: RSA keys made once per test process (no PEM secret is
committed), and the settings and fake GitHub that share one. Plain functions, imported
by the test modules that need an app."""

import base64
import functools
import json
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from repotraffic.integrations.github import app_tokens
from repotraffic.integrations.github.fake import FakeGitHub

APP_ID = 4242


@functools.cache
def app_key(name: str = "the app's") -> rsa.RSAPrivateKey:
    """An RSA key, the same for a name for the whole test process (making one takes a
    tenth of a second)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def github_app_use(*, fake: FakeGitHub, settings: Any, app_id: int = APP_ID) -> None:
    """The server's GitHub App (settings) and the fake's are one; no token is held yet."""
    key = app_key()
    settings.GITHUB_APP_ID = app_id
    settings.GITHUB_APP_PRIVATE_KEY = pem(key)
    fake.set_app(app_id=app_id, public_key=key.public_key())
    app_tokens.installation_tokens_forget()


def jwt_signed(*, key: rsa.RSAPrivateKey, claims: dict[str, Any], alg: str = "RS256") -> str:
    """A JWT of the test's making, to see what the fake refuses."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = ".".join(
        part(json.dumps(item).encode()) for item in ({"alg": alg, "typ": "JWT"}, claims)
    )
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{part(signature)}"
