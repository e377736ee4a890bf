"""Tracking many repositories at once: an import of every repository the user's GitHub
credentials can push to (of one owner, or of every owner), and auto-tracking, which the
daily run repeats for the repositories created at GitHub since. Which credentials list
what, and how their lists merge, is import_listings.py's.

The same rules as repository_create, without a request per repository: GitHub's list
says what a user token may do in each repository (`permissions`), so one it cannot push
to is refused as create refuses it. An installation's list does not say; as create
accepts what GitHub does not refuse, such a repository is added and its first
collection (through that installation: github_credential_get) tells whether the
installation may read its traffic. The per-user limit holds: the user's row is locked
while the import writes, so two imports, or an import and the daily run, cannot both
take the last places.
"""

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from repotraffic.common.exceptions import ApplicationError, NotFoundError
from repotraffic.repositories.import_listings import (
    IMPORT_SECONDS,
    CredentialListing,
    ImportCandidate,
    ImportCredential,
    ImportListing,
    import_credentials_get,
    import_listing_fetch,
)
from repotraffic.repositories.models import Repository, TrackedOwner
from repotraffic.repositories.services import repositories_touch
from repotraffic.repositories.signals import repository_created
from repotraffic.repositories.urls_parse import github_owner_parse
from repotraffic.users.models import User

logger = logging.getLogger(__name__)

PAGE_SIZE = 100  # repositories in a page of GitHub's lists (client.py asks for 100)
MIXED = "mixed"  # `credential` or `source` when several kinds listed


@dataclass(frozen=True)
class ImportRefusal:
    full_name: str
    cause: str  # NO_PUSH_ACCESS, LIMIT or CREATE_ALLOWANCE
    reason: str  # in words: what the user can do about it


NO_PUSH_ACCESS = "no_push_access"
LIMIT = "limit"
CREATE_ALLOWANCE = "create_allowance"


def _truncation_note(listing: CredentialListing) -> str:
    if listing.complete:
        return ""
    if listing.out_of_time:
        return (
            f"GitHub answered too slowly to list more than {listing.pages_read * PAGE_SIZE} "
            f"repositories within {IMPORT_SECONDS:g} seconds: the others were not "
            "considered; import again, or one owner at a time"
        )
    return (
        f"GitHub lists more than the {listing.pages_read * PAGE_SIZE} repositories read "
        "(REPOTRAFFIC_IMPORT_PAGES pages of 100): the others were not considered; "
        "import one owner at a time, or ask the operator to raise it"
    )


@dataclass(frozen=True)
class RepositoryImport:
    """What an import did, and what each credential listed (`listings`, failures
    included). `complete` is False when a credential's REPOTRAFFIC_IMPORT_PAGES (or the
    time) ran out before its list did."""

    added: list[Repository]
    already_tracked: list[Repository]
    refused: list[ImportRefusal]
    listings: list[CredentialListing]
    tracked_owner: TrackedOwner | None = None

    @property
    def listed(self) -> list[CredentialListing]:
        return [listing for listing in self.listings if listing.error is None]

    @property
    def complete(self) -> bool:
        return all(listing.complete for listing in self.listed)

    @property
    def pages_read(self) -> int:
        return sum(listing.pages_read for listing in self.listings)

    @property
    def credential(self) -> str:
        """Whose credentials listed: "own", "server", "installation" or "mixed"."""
        kinds = {listing.credential.kind for listing in self.listed}
        return kinds.pop() if len(kinds) == 1 else MIXED

    @property
    def source(self) -> str:
        """Which lists: "user" (a user token's), "installation" or "mixed"."""
        sources = {listing.source for listing in self.listed}
        return sources.pop() if len(sources) == 1 else MIXED

    @property
    def truncation_note(self) -> str:
        """What a page or time budget left out, per credential when several listed."""
        several = len(self.listings) > 1
        return "; ".join(
            f"{listing.credential.words}: {note}" if several else note
            for listing in self.listed
            if (note := _truncation_note(listing))
        )

    @property
    def note(self) -> str:
        """What was not considered, and why: budgets that ran out, credentials that
        could not list (each in words the user can act on)."""
        failures = [listing.error.message for listing in self.listings if listing.error]
        return "; ".join(part for part in (self.truncation_note, *failures) if part)


@dataclass
class _Sorted:
    added: list[Repository] = field(default_factory=list)
    already_tracked: list[Repository] = field(default_factory=list)
    refused: list[ImportRefusal] = field(default_factory=list)


def _no_push_reason(*, credential: ImportCredential, full_name: str, owner: str) -> str:
    return (
        f"{credential.words} can see {full_name} but has no push access to it, and "
        f"reading traffic needs it: ask an admin of {owner} for write access, set the "
        "token of someone who has it (POST /api/users/github-token), or connect a GitHub "
        f"App installation on {owner}"
    )


def _limit_reason(*, limit: int) -> str:
    return (
        f"you track {limit} repositories, the most this server allows "
        "(REPOTRAFFIC_MAX_REPOSITORIES_PER_USER): delete some first, or ask the operator"
    )


_ALLOWANCE_REASON = (
    "this import used up your allowance of repository creates "
    "(REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE): import again later to add it"
)


def _repositories_add(
    *, user: User, listed: Sequence[ImportCandidate], added_max: int | None
) -> _Sorted:
    """Adds the listed repositories the user does not track yet, in the list's order,
    while the per-user limit and `added_max` allow; sends repository_created for each
    inside the transaction, as repository_create does."""
    for attempt in (1, 2):
        result = _Sorted()
        try:
            with transaction.atomic():
                # Serialises this user's imports: the limit below counts what is there.
                User.objects.select_for_update().filter(id=user.id).values_list("id").first()
                tracked = {
                    repository.full_name.lower(): repository
                    for repository in Repository.objects.filter(user=user)
                }
                limit = settings.REPOTRAFFIC_MAX_REPOSITORIES_PER_USER
                room = limit - len(tracked)
                new: dict[str, Repository] = {}
                for candidate in listed:
                    item = candidate.repository
                    key = item.full_name.lower()
                    if key in tracked:
                        result.already_tracked.append(tracked[key])
                    elif key in new:
                        continue  # listed twice
                    elif item.can_read_traffic is False:
                        reason = _no_push_reason(
                            credential=candidate.credential,
                            full_name=item.full_name,
                            owner=item.owner,
                        )
                        result.refused.append(ImportRefusal(item.full_name, NO_PUSH_ACCESS, reason))
                    elif room <= len(new):
                        reason = _limit_reason(limit=limit)
                        result.refused.append(ImportRefusal(item.full_name, LIMIT, reason))
                    elif added_max is not None and len(new) >= added_max:
                        result.refused.append(
                            ImportRefusal(item.full_name, CREATE_ALLOWANCE, _ALLOWANCE_REASON)
                        )
                    else:
                        new[key] = Repository(user=user, owner=item.owner, name=item.name)
                result.added = Repository.objects.bulk_create(list(new.values()))
                for repository in result.added:
                    repository_created.send(sender=Repository, repository=repository)
                if result.added:
                    repositories_touch(user_id=user.id)
            return result
        except IntegrityError:
            # A create of one of them committed between our read and our insert.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def repositories_import(
    *,
    user: User,
    owner: str | None,
    auto_track: bool = False,
    added_max: int | None = None,
) -> RepositoryImport:
    """Track every repository of `owner` (every owner: None) that the user's credentials
    can push to, as GitHub lists them; at most `added_max` new ones (the API's create
    allowance; None: no cap). One owner is listed by the GitHub App installation the
    user connected on its account, if any, else by their own token (or the server's
    where policy allows); every owner by their own token and every installation. A
    credential that fails is in the answer's `listings`; when none listed, the error.

    With `auto_track`, the daily run adds from now on the repositories of `owner` (or of
    every owner) created at GitHub after this import asked for the list."""
    if owner is not None:
        owner = github_owner_parse(owner=owner)
    started = timezone.now()
    (credentials,) = import_credentials_get(user=user, owners=[owner])
    if isinstance(credentials, ApplicationError):
        raise credentials
    listing = import_listing_fetch(credentials=credentials, created_after=None, interactive=True)
    refusal = listing.refusal()
    if refusal is not None:
        raise refusal
    listed = [
        candidate
        for candidate in listing.candidates
        if owner is None or candidate.repository.owner.lower() == owner.lower()
    ]
    result = _repositories_add(user=user, listed=listed, added_max=added_max)
    tracked_owner = None
    if auto_track:
        tracked_owner = _tracked_owner_set(
            user=user, owner=owner or TrackedOwner.EVERY_OWNER, created_after=started
        )
    return RepositoryImport(
        added=result.added,
        already_tracked=result.already_tracked,
        refused=result.refused,
        listings=listing.listings,
        tracked_owner=tracked_owner,
    )


def _tracked_owner_set(*, user: User, owner: str, created_after: dt.datetime) -> TrackedOwner:
    """Remember the owner for auto-tracking (once, whatever its case)."""
    try:
        with transaction.atomic():
            tracked, _ = TrackedOwner.objects.update_or_create(
                user=user,
                owner__iexact=owner,
                defaults={"created_after": created_after, "last_error": ""},
                create_defaults={"owner": owner, "created_after": created_after},
            )
    except IntegrityError:  # a concurrent import remembered it first
        tracked = TrackedOwner.objects.get(user=user, owner__iexact=owner)
    return tracked


def tracked_owner_delete(*, user: User, owner: str | None) -> TrackedOwner:
    """Stop auto-tracking `owner` (every owner: None); what was added stays tracked."""
    key = TrackedOwner.EVERY_OWNER if owner is None else github_owner_parse(owner=owner)
    tracked = TrackedOwner.objects.filter(user=user, owner__iexact=key).first()
    if tracked is None:
        what = "every owner" if owner is None else key
        raise NotFoundError(f"You do not auto-track {what}.")
    TrackedOwner.objects.filter(id=tracked.id).delete()
    return tracked


def _wanted(*, item: ImportCandidate, tracked_owners: Sequence[TrackedOwner]) -> bool:
    """Whether an auto-tracked owner asks for the repository: its owner (or every owner),
    and created at GitHub after that owner's last run."""
    repository = item.repository
    return repository.created_at is not None and any(
        tracked.owner == TrackedOwner.EVERY_OWNER
        or tracked.owner.lower() == repository.owner.lower()
        for tracked in tracked_owners
        if repository.created_at > tracked.created_after
    )


def tracked_owners_import(*, user_id: int) -> RepositoryImport | None:
    """The daily run's auto-tracking for one user: adds the repositories created at
    GitHub since the last run, of the owners they chose, that their credentials can
    push to, each owner listed as an import lists it ("*": own token and every
    installation); then moves each owner's `created_after` on to when this run asked
    GitHub. An owner whose credential failed keeps its `created_after`, and the failure
    is its `last_error` (in words they can act on): the next run tries the same
    repositories again, while the other owners' go ahead. None when the user
    auto-tracks nothing, or when no credential listed anything."""
    user = User.objects.filter(id=user_id).first()
    tracked_owners = list(TrackedOwner.objects.filter(user_id=user_id))
    if user is None or not tracked_owners:
        return None
    started = timezone.now()
    plans = import_credentials_get(
        user=user,
        owners=[
            None if tracked.owner == TrackedOwner.EVERY_OWNER else tracked.owner
            for tracked in tracked_owners
        ],
    )
    credentials = [item for plan in plans if isinstance(plan, list) for item in plan]
    listing = ImportListing(candidates=[], listings=[])
    if credentials:
        listing = import_listing_fetch(
            credentials=credentials,
            created_after=min(tracked.created_after for tracked in tracked_owners),
            interactive=False,
        )
    failed = {item.credential.key: item.error.message for item in listing.listings if item.error}
    result = _Sorted()
    if len(failed) < len(listing.listings):
        listed = [
            item for item in listing.candidates if _wanted(item=item, tracked_owners=tracked_owners)
        ]
        result = _repositories_add(user=user, listed=listed, added_max=None)
    outcome = RepositoryImport(
        added=result.added,
        already_tracked=result.already_tracked,
        refused=result.refused,
        listings=listing.listings,
    )
    # Read-only repositories of an owner are expected, not a problem to report.
    problems = [
        f"{refusal.full_name} was not added: {refusal.reason}"
        for refusal in result.refused
        if refusal.cause != NO_PUSH_ACCESS
    ]
    if outcome.truncation_note:
        problems.append(outcome.truncation_note)
    moved_on: list[int] = []
    for tracked, plan in zip(tracked_owners, plans, strict=True):
        if isinstance(plan, ApplicationError):
            errors = [plan.message]
        else:
            errors = list(dict.fromkeys(failed[item.key] for item in plan if item.key in failed))
        if not errors:
            moved_on.append(tracked.id)
            continue
        logger.warning("auto-tracking of %s for user %s failed: %s", tracked.owner, user_id, errors)
        TrackedOwner.objects.filter(id=tracked.id).update(
            last_run_at=started, last_error="; ".join([*errors, *problems])[:2000]
        )
    TrackedOwner.objects.filter(id__in=moved_on).update(
        created_after=started, last_run_at=started, last_error="; ".join(problems)[:2000]
    )
    return outcome if outcome.listed else None


def tracked_owners_failure_record(*, user_id: int, error: str) -> None:
    """Record a failed auto-tracking run on the user's owners; their `created_after`
    stays, so the next run considers the same repositories again."""
    TrackedOwner.objects.filter(user_id=user_id).update(
        last_run_at=timezone.now(), last_error=error[:2000]
    )
