"""Turning what people paste into a canonical GitHub repository.

Accepted: with or without a scheme (http/https), `www.`, a trailing slash, a `.git`
suffix, the SSH form `git@github.com:owner/name.git`, and links to a page inside the
repository (`/tree/main`, `/issues/3`, ...), which are reduced to the repository.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from repotraffic.common.exceptions import ApplicationError

_HOSTS = {"github.com", "www.github.com"}
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_SSH = re.compile(r"git@github\.com:(?P<path>.*)", re.IGNORECASE)
# First path segments that are GitHub's own pages, not an account.
_RESERVED_OWNERS = {
    "about", "apps", "collections", "contact", "customer-stories", "enterprise",
    "events", "explore", "features", "issues", "login", "logout", "marketplace",
    "new", "notifications", "organizations", "orgs", "pricing", "pulls", "search",
    "settings", "sponsors", "topics", "trending", "users",
}  # fmt: skip
URL_MAX_LENGTH = 2000


@dataclass(frozen=True)
class GitHubRepositoryRef:
    owner: str
    name: str

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"


def _bad(url: str, reason: str) -> ApplicationError:
    return ApplicationError(f"{url!r} is not a GitHub repository URL: {reason}.")


def github_url_parse(*, url: str) -> GitHubRepositoryRef:
    text = url.strip()
    if not text:
        raise ApplicationError("url must not be empty.")
    if len(text) > URL_MAX_LENGTH:
        raise ApplicationError(f"url must be at most {URL_MAX_LENGTH} characters.")
    if any(ch.isspace() for ch in text):
        raise _bad(url, "it contains spaces")

    ssh = _SSH.fullmatch(text)
    if ssh:
        path = ssh.group("path")
    else:
        if "://" not in text:
            text = f"https://{text}"
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise _bad(url, "it cannot be read as a URL") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise _bad(url, "only http and https links are accepted")
        if parts.username or parts.password or port is not None:
            raise _bad(url, "it must not contain a user name, password or port")
        if (parts.hostname or "").lower() not in _HOSTS:
            raise _bad(url, "the host must be github.com")
        path = parts.path

    segments = [segment for segment in path.split("/") if segment]
    if len(segments) < 2:
        raise _bad(url, "it needs both an owner and a repository name, as in github.com/owner/name")
    owner, name = segments[0], segments[1]
    if name.lower().endswith(".git"):
        name = name[: -len(".git")]

    if not _OWNER.fullmatch(owner):
        raise _bad(
            url,
            f"the owner {owner!r} must be 1 to 39 letters, digits or single hyphens, "
            "not starting or ending with a hyphen",
        )
    if owner.lower() in _RESERVED_OWNERS:
        raise _bad(url, f"{owner!r} is a GitHub page, not an account")
    if not _NAME.fullmatch(name) or name in (".", ".."):
        raise _bad(
            url,
            f"the repository name {name!r} must be 1 to 100 letters, digits, '.', '-' or '_'",
        )
    return GitHubRepositoryRef(owner=owner, name=name)


def github_owner_parse(*, owner: str) -> str:
    """A GitHub account name (a user or an organization) as typed, trimmed; a name GitHub
    would not allow is refused with the reason."""
    text = owner.strip()
    if not _OWNER.fullmatch(text):
        raise ApplicationError(
            f"owner {owner!r} is not a GitHub account name: 1 to 39 letters, digits or "
            "single hyphens, not starting or ending with a hyphen."
        )
    return text
