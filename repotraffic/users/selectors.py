import hmac

from repotraffic.common.lookups import model_get_by_fields
from repotraffic.users.models import User
from repotraffic.users.tokens import api_token_digest


def user_get_by_token(*, token: str) -> User | None:
    """The user owning an API token, or None.

    Only the SHA-256 digest is looked up, so the index comparison runs on a value an
    attacker cannot steer byte by byte; the final check is constant-time as well.
    """
    if not token or len(token) > 256:
        return None
    digest = api_token_digest(token)
    user = model_get_by_fields(User, token_digest=digest)
    if user is None or not hmac.compare_digest(user.token_digest, digest):
        return None
    return user
