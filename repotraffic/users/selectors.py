import functools
import hashlib
import hmac
import logging
from dataclasses import dataclass

from django.conf import settings

from repotraffic.common.lookups import model_get_by_fields
from repotraffic.users.crypto import secret_decrypt
from repotraffic.users.models import User, email_key
from repotraffic.users.tokens import api_token_digest

logger = logging.getLogger(__name__)


def user_token_digest(*, token: str) -> str | None:
    """What an API token is looked up by: its SHA-256 digest, so the index comparison
    runs on a value an attacker cannot steer byte by byte. None for a value that cannot
    be a token."""
    if not token or len(token) > 256:
        return None
    return api_token_digest(token)


def user_token_verify(*, user: User | None, digest: str) -> User | None:
    """The user a lookup by `digest` found, once its digest is checked in constant time
    too; for lookups that join the user to more (traffic.repository_selectors)."""
    if user is None or not hmac.compare_digest(user.token_digest, digest):
        return None
    return user


def user_get_by_email(*, email: str) -> User | None:
    """The user with this email, in any case or Unicode form (email_key), or None."""
    return User.objects.filter(email_key=email_key(email.strip())).first()


def user_get_by_token(*, token: str) -> User | None:
    """The user owning an API token, or None."""
    digest = user_token_digest(token=token)
    if digest is None:
        return None
    return user_token_verify(user=model_get_by_fields(User, token_digest=digest), digest=digest)


@dataclass(frozen=True)
class GitHubTokenChoice:
    """The token that acts for a user at GitHub, or why there is none."""

    token: str | None
    # "own", "server", "installation" (a GitHub App installation's: installations/
    # selectors.py github_credential_get) or "" (none)
    source: str
    refusal: str = ""  # when token is None: what the user can do about it


SERVER_TOKEN_POLICIES = ("everyone", "trusted", "nobody")


@functools.lru_cache(maxsize=4)
def _server_tokens_parse(value: str) -> tuple[str, ...]:
    return tuple(token for token in (part.strip() for part in value.split(",")) if token)


def server_tokens() -> tuple[str, ...]:
    """The server's GitHub tokens: GITHUB_TOKEN holds one, or several separated by
    commas (a pool: each has its own hourly budget and its own gate)."""
    return _server_tokens_parse(settings.GITHUB_TOKEN or "")


def server_token_pick(*, key: str) -> str | None:
    """The server token that acts on `key` (a repository's owner/name, in any case):
    always the same one for the same key, and keys spread evenly over the pool, so each
    token carries its share of the repositories and the create check asks GitHub with
    the token that will collect. None when the server has no token."""
    tokens = server_tokens()
    if not tokens:
        return None
    if len(tokens) == 1:
        return tokens[0]
    digest = hashlib.sha256(key.casefold().encode("utf-8", "surrogatepass")).digest()
    return tokens[int.from_bytes(digest[:8], "big") % len(tokens)]


def user_github_token_get(*, user: User, repository_key: str = "") -> GitHubTokenChoice:
    """The user's own token when they set one; otherwise the server's, where
    REPOTRAFFIC_SERVER_TOKEN_FOR lets this user use it: of a pool, the one that acts on
    `repository_key` (owner/name; server_token_pick). Collection and the access check at
    create both go through here, so one policy governs both."""
    if user.github_token_encrypted:
        token = secret_decrypt(user.github_token_encrypted)
        if token:
            return GitHubTokenChoice(token=token, source="own")
        logger.warning(
            "the GitHub token of user %s cannot be decrypted (was REPOTRAFFIC_ENCRYPTION_KEY "
            "changed?)",
            user.id,
        )
    policy = settings.REPOTRAFFIC_SERVER_TOKEN_FOR
    allowed = policy == "everyone" or (policy == "trusted" and user.trusted)
    server = server_token_pick(key=repository_key)
    if allowed and server:
        return GitHubTokenChoice(token=server, source="server")
    if not server or policy == "nobody":
        why = "this server has no GitHub token for its users"
    else:
        why = "this server lends its GitHub token only to users its operator trusts"
    own = (
        "your own GitHub token cannot be read any more (the server's encryption key changed)"
        if user.github_token_encrypted
        else "you have not set a GitHub token of your own"
    )
    return GitHubTokenChoice(
        token=None,
        source="",
        refusal=f"no usable GitHub token: {own}, and {why}; set yours with "
        "POST /api/users/github-token (push access to the repository needed), "
        "or ask the operator",
    )
