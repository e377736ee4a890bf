"""What GitHub's answers mean, for client.py: the one error type, and words the
repository owner can act on. Other code imports these names from client.py.
"""

import datetime as dt
import enum
import json
import math

_PUSH_MESSAGES = (
    "must have push access",
    "resource not accessible by personal access token",
    "resource not accessible by integration",
)


class GitHubErrorCause(enum.StrEnum):
    NO_TOKEN = "no_token"  # noqa: S105 (a cause, not a secret)
    BAD_CREDENTIALS = "bad_credentials"
    NO_PUSH_ACCESS = "no_push_access"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    MALFORMED = "malformed"


_TRANSIENT = {GitHubErrorCause.UNAVAILABLE, GitHubErrorCause.RATE_LIMITED}


class GitHubError(Exception):
    """A failure talking to GitHub, with a message the repository owner can act on."""

    def __init__(
        self, cause: GitHubErrorCause, message: str, *, retry_at: dt.datetime | None = None
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self.message = message
        self.retry_at = retry_at

    @property
    def transient(self) -> bool:
        return self.cause in _TRANSIENT

    def __reduce__(
        self,
    ) -> tuple[type["GitHubError"], tuple[GitHubErrorCause, str], dict[str, dt.datetime | None]]:
        # Exception pickles only `args`; a Celery result or a process pool needs it all.
        return (self.__class__, (self.cause, self.message), {"retry_at": self.retry_at})

    def __repr__(self) -> str:
        return f"GitHubError({self.cause.value!r}, {self.message!r}, retry_at={self.retry_at!r})"


class NoUserError(GitHubError):
    """GET /user refused a GitHub App installation token, which belongs to no user."""


def body_message(*, body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    # GitHub's own words help the owner, but a hostile proxy could send anything.
    return " ".join(message.split())[:200] if isinstance(message, str) else ""


def is_push_refusal(said: str) -> bool:
    return any(words in said for words in _PUSH_MESSAGES)


def rate_limited_error(*, until: float) -> GitHubError:
    retry_at = dt.datetime.fromtimestamp(math.ceil(until), tz=dt.UTC)
    return GitHubError(
        GitHubErrorCause.RATE_LIMITED,
        f"GitHub's rate limit for this token is used up until {retry_at:%Y-%m-%d %H:%M:%S} UTC; "
        "will retry after that",
        retry_at=retry_at,
    )


def status_error(
    *, status: int, body: str, subject: str, repo: str | None, what: str = "traffic"
) -> GitHubError:
    """Maps a final, non-transient answer to the cause the owner can act on. `what` the
    request reads of `repo`, for a refusal's words."""
    said = body_message(body=body)
    said_part = f": {said}" if said else ""
    if status == 401:
        return GitHubError(
            GitHubErrorCause.BAD_CREDENTIALS,
            f"GitHub rejected the token (HTTP 401{said_part}): it is wrong, expired or revoked; "
            "create a new token and save it again",
        )
    if status == 403 and repo is not None:
        if is_push_refusal(said.lower()):
            return GitHubError(
                GitHubErrorCause.NO_PUSH_ACCESS,
                f"the token has no push access to {repo}: grant Administration: read "
                "(fine-grained token or GitHub App) or the repo scope (classic token)",
            )
        return GitHubError(
            GitHubErrorCause.NO_PUSH_ACCESS,
            f"GitHub refused the token access to {repo}'s {what} (HTTP 403{said_part}): "
            "the token needs push access (Administration: read for a fine-grained token or "
            "GitHub App, the repo scope for a classic token) and, for an organization with "
            "SAML single sign-on, authorization for that organization",
        )
    if status == 403:
        no_user = "resource not accessible by integration" in said.lower()
        return (NoUserError if no_user else GitHubError)(
            GitHubErrorCause.BAD_CREDENTIALS,
            f"GitHub refused to say whose token this is (HTTP 403{said_part}): "
            "use a personal access token",
        )
    if status == 404 and repo is not None:
        return GitHubError(
            GitHubErrorCause.NOT_FOUND,
            f"{repo} was not found, or it is private and the token cannot see it",
        )
    return GitHubError(
        GitHubErrorCause.MALFORMED,
        f"GitHub answered HTTP {status}{said_part} for {subject}, which repotraffic does not "
        "expect; check that GITHUB_API_URL points at the GitHub REST API",
    )


def malformed(*, subject: str, detail: str) -> GitHubError:
    return GitHubError(
        GitHubErrorCause.MALFORMED,
        f"GitHub sent an answer for {subject} that repotraffic cannot read ({detail}); "
        "if this persists, check that GITHUB_API_URL points at the GitHub REST API",
    )
