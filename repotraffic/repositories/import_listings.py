"""What an import reads at GitHub: the user's credentials that list repositories, and
their lists merged into one.

The credentials are the user's own token (the server's only on a one-person server,
REPOTRAFFIC_SERVER_TOKEN_FOR=everyone) and the GitHub App installations they connected.
One owner is listed by the installation the user connected on that account, when there
is one, as github_credential_get then collects its repositories through it; otherwise by
the own token. Every owner is listed by the own token and by each installation. Each
credential has its own REPOTRAFFIC_IMPORT_PAGES pages; an import someone waits for has
IMPORT_SECONDS for all of them.

A credential that cannot list (an installation removed or suspended, a token revoked,
GitHub slow or rate limited) is reported in words the user can act on, and what the
others listed is kept: the caller decides whether nothing listed is an error.
"""

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings

from repotraffic.common.exceptions import ApplicationError
from repotraffic.installations.selectors import installation_list
from repotraffic.integrations.github.client import (
    GitHubError,
    ListedRepository,
    RepositoryListing,
    github_app_configured,
    github_error_wait_answer,
    github_installation_token_get,
    github_repositories_list,
)
from repotraffic.users.models import User
from repotraffic.users.selectors import user_github_token_get

# An import someone waits for asks GitHub for no further page after this long (over
# every credential; each still reads its first page): a slow GitHub then gives a
# shorter answer that says so, not a request the client gives up on.
IMPORT_SECONDS = 15.0

OWN = "own"
SERVER = "server"
INSTALLATION = "installation"


@dataclass(frozen=True)
class ImportCredential:
    """A credential that lists repositories: a token ("own" or "server") or a GitHub App
    installation the user connected, whose token is minted when it lists."""

    kind: str  # OWN, SERVER or INSTALLATION
    token: str | None = field(default=None, repr=False)
    installation_id: int | None = None
    account: str = ""  # the installation's account login

    @property
    def key(self) -> str:
        return "token" if self.installation_id is None else f"installation:{self.installation_id}"

    @property
    def words(self) -> str:
        if self.kind == INSTALLATION:
            return f"GitHub App installation {self.installation_id} on {self.account}"
        return "your GitHub token" if self.kind == OWN else "the server's GitHub token"


@dataclass(frozen=True)
class CredentialListing:
    """What one credential listed, as far as its budget went; or why it listed nothing
    (`error`, with the HTTP status that fits)."""

    credential: ImportCredential
    source: str = ""  # "user" (GET /user/repos) or "installation"; "" when it failed
    complete: bool = True
    pages_read: int = 0
    out_of_time: bool = False
    error: ApplicationError | None = None

    @property
    def truncated(self) -> bool:
        return self.error is None and not self.complete

    @property
    def error_message(self) -> str:
        return "" if self.error is None else self.error.message


@dataclass(frozen=True)
class ImportCandidate:
    """A repository some credential listed, with the one whose words explain a refusal."""

    repository: ListedRepository
    credential: ImportCredential


@dataclass(frozen=True)
class ImportListing:
    candidates: list[ImportCandidate]  # each repository once, in the credentials' order
    listings: list[CredentialListing]  # each credential once, in the order asked

    def refusal(self) -> ApplicationError | None:
        """The error to answer when no credential listed anything, else None: the one
        credential's own, or every credential's words with the first one's status."""
        errors = [listing.error for listing in self.listings if listing.error is not None]
        if not errors or len(errors) < len(self.listings):
            return None
        if len(errors) == 1:
            return errors[0]
        return ApplicationError(
            "; ".join(error.message for error in errors),
            status_code=errors[0].status_code,
            headers=errors[0].headers,
        )


def _own_credential_get(*, user: User) -> ImportCredential:
    """The user's own token. The server's token is listed only on a one-person server
    (REPOTRAFFIC_SERVER_TOKEN_FOR=everyone): elsewhere its list would show a user the
    names of repositories, private ones included, that only the operator's token can
    see, where a create needs the name to be known already."""
    choice = user_github_token_get(user=user)
    if choice.token is None:
        raise ApplicationError(choice.refusal)
    lent_to = settings.REPOTRAFFIC_SERVER_TOKEN_FOR
    if choice.source == SERVER and lent_to != "everyone":
        raise ApplicationError(
            "An import lists what your own GitHub credential can push to, and you have "
            "none: set your own token with POST /api/users/github-token (or connect a "
            "GitHub App installation on the owner's account), then import again. The "
            "server's token is lent for repositories you name one by one "
            "(POST /api/repos/create).",
            status_code=403,
        )
    return ImportCredential(kind=OWN if choice.source == OWN else SERVER, token=choice.token)


def import_credentials_get(
    *, user: User, owners: Sequence[str | None]
) -> list[list[ImportCredential] | ApplicationError]:
    """For each owner (None: every owner), in order, the credentials that list its
    repositories, or why the user has none. Only the user's own connections count:
    another user's connection on the same account is theirs alone."""
    connections = (
        [
            ImportCredential(
                kind=INSTALLATION,
                installation_id=connection.installation_id,
                account=connection.account_login,
            )
            for connection in installation_list(user=user)
        ]
        if github_app_configured()  # without the app, collection ignores them too
        else []
    )
    own: ImportCredential | ApplicationError | None = None
    plans: list[list[ImportCredential] | ApplicationError] = []
    for owner in owners:
        if owner is not None:
            on_owner = [item for item in connections if item.account.lower() == owner.lower()]
            if on_owner:
                plans.append(on_owner[:1])  # the oldest, as github_credential_get
                continue
        if own is None:
            try:
                own = _own_credential_get(user=user)
            except ApplicationError as refusal:
                own = refusal
        if isinstance(own, ImportCredential):
            plans.append([own, *connections] if owner is None else [own])
        elif owner is None and connections:
            plans.append(list(connections))  # no token of their own: not a failure
        else:
            plans.append(own)
    return plans


def _listing_error(*, credential: ImportCredential, error: GitHubError) -> ApplicationError:
    """A credential's failure to list, with the status that fits (429 with Retry-After
    for a rate limit, 503 when GitHub did not answer)."""
    through = "" if credential.kind != INSTALLATION else f" through {credential.words}"
    waited = github_error_wait_answer(error, what=f"list your repositories{through}")
    if waited is not None:
        return waited
    return ApplicationError(
        f"Could not list the repositories {credential.words} can reach: {error.message}."
    )


def _credential_list(
    *,
    credential: ImportCredential,
    created_after: dt.datetime | None,
    max_seconds: float | None,
    interactive: bool,
) -> RepositoryListing:
    token = credential.token
    if credential.installation_id is not None:
        token = github_installation_token_get(
            installation_id=credential.installation_id, interactive=interactive
        ).token
    return github_repositories_list(
        token=token,
        max_pages=settings.REPOTRAFFIC_IMPORT_PAGES,
        created_after=created_after,
        max_seconds=max_seconds,
        interactive=interactive,
        installation=credential.installation_id is not None,
    )


def import_listing_fetch(
    *,
    credentials: Sequence[ImportCredential],
    created_after: dt.datetime | None,
    interactive: bool,
) -> ImportListing:
    """What each credential lists (each once), merged by full name whatever its case. A
    repository one token's list says it cannot push to is kept from another credential
    that may: an installation's list, which does not say, or another token's."""
    started = time.monotonic()
    listings: list[CredentialListing] = []
    merged: dict[str, ImportCandidate] = {}
    seen: set[str] = set()
    for credential in credentials:
        if credential.key in seen:
            continue
        seen.add(credential.key)
        max_seconds = None
        if interactive:
            max_seconds = max(0.0, IMPORT_SECONDS - (time.monotonic() - started))
        try:
            listing = _credential_list(
                credential=credential,
                created_after=created_after,
                max_seconds=max_seconds,
                interactive=interactive,
            )
        except GitHubError as error:
            failure = _listing_error(credential=credential, error=error)
            listings.append(CredentialListing(credential=credential, error=failure))
            continue
        listings.append(
            CredentialListing(
                credential=credential,
                source=listing.source,
                complete=listing.complete,
                pages_read=listing.pages_read,
                out_of_time=listing.out_of_time,
            )
        )
        for item in listing.repositories:
            key = item.full_name.lower()
            known = merged.get(key)
            if known is None or (
                known.repository.can_read_traffic is False and item.can_read_traffic is not False
            ):
                merged[key] = ImportCandidate(repository=item, credential=credential)
    return ImportListing(candidates=list(merged.values()), listings=listings)
