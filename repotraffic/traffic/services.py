import datetime as dt
import logging
import math
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from repotraffic.budget.services import DAILY_REQUESTS, daily_budget_spare
from repotraffic.installations.selectors import github_credential_get
from repotraffic.integrations.github.client import (
    GitHubError,
    GitHubErrorCause,
    PopularLists,
    ReleaseList,
    RepositoryInfo,
    StargazerList,
    TrafficWeeks,
    TrafficWindow,
    github_popular_fetch,
    github_repository_get,
    github_token_key,
    github_traffic_fetch,
    github_traffic_weeks_fetch,
)
from repotraffic.repositories.models import Repository
from repotraffic.traffic.collection_services import (
    collection_claim,
    collection_crash_record,
    collection_create,
    collection_record,
    collection_release,
)
from repotraffic.traffic.lease import collection_lease_kept
from repotraffic.traffic.merge import (
    GITHUB_WINDOW_DAYS,
    DayFigures,
    traffic_merge,
    traffic_window_days,
)
from repotraffic.traffic.models import Collection, TrafficDay
from repotraffic.traffic.popular_services import repository_snapshot_store, traffic_popular_store
from repotraffic.traffic.release_services import release_downloads_fetch, release_downloads_store
from repotraffic.traffic.selectors import collection_of, collections_due_count
from repotraffic.traffic.star_services import star_history_fetch, star_history_rebuild_store
from repotraffic.traffic.sum_services import traffic_sums_refresh
from repotraffic.traffic.week_services import (
    traffic_week_capture_due,
    traffic_weeks_store,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchOutcome:
    repository_id: uuid.UUID
    full_name: str
    days_reported: int = 0
    days_written: int = 0
    # Weekly answers took the daily ones' place today (_weeks_instead_of_days).
    weeks_only: bool = False
    weeks_written: int = 0
    error: GitHubError | None = None
    skipped: str = ""  # why nothing was attempted
    crash: str = ""  # an unexpected failure on our side
    # Skipped because another collection holds the repository's lease: when that lease
    # ends unless its holder renews it (it does while alive; a dead one's just expires).
    busy_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.skipped and not self.crash

    @property
    def summary(self) -> str:
        if self.crash:
            return f"{self.full_name}: FAILED, {self.crash}"
        if self.skipped:
            return f"{self.full_name}: skipped, {self.skipped}"
        if self.error is not None:
            return f"{self.full_name}: FAILED, {self.error.message}"
        if self.weeks_only:
            return (
                f"{self.full_name}: ok, weekly figures today ({self.weeks_written} weeks "
                "written); the days follow in the next daily answer"
            )
        return (
            f"{self.full_name}: ok, {self.days_reported} days reported, {self.days_written} written"
        )


# A stored day's columns, in DayFigures' order.
_FIGURES = ("views", "unique_views", "clones", "unique_clones", "partial")


class CollectionLeaseLost(Exception):
    """The collection's lease lapsed and another collection took the repository over:
    that one stores its answer, this one must not."""


def _collection_lock(*, repository: Repository, lease_owner: str | None) -> Collection | None:
    """In a transaction: lock the repository's collection state, whose lease a claim
    would take over (PostgreSQL; SQLite's IMMEDIATE transaction already serialises
    writers). None if the repository, and so its state, was deleted while we were
    fetching. With `lease_owner`, raises CollectionLeaseLost if the lease is another's."""
    collection = Collection.objects.select_for_update().filter(pk=repository.id).first()
    if collection is None:
        return None
    collection.repository = repository  # it is the repository's collection_of now
    if lease_owner is not None and collection.lease_owner != lease_owner:
        raise CollectionLeaseLost(repository.full_name)
    return collection


def traffic_store(
    *,
    repository: Repository,
    reported: dict[dt.date, DayFigures],
    fetched_at: dt.datetime,
    fetched_on: dt.date | None = None,
    lease_owner: str | None = None,
    locked: Collection | None = None,
) -> int:
    """Merge one response into stored history: one short transaction, one bulk upsert.

    `reported` comes from traffic_window_days, which has judged each day partial or not.
    Also widens the repository's collected range to the window GitHub answered for (and
    to any day it reported beyond it): inside that range a day without a row had no
    traffic. Moves `traffic_updated_at` when a row or the range changed. The repository
    then holds its collection state as stored (collection_of).
    Returns the number of rows written. Runs after every network call is done.
    With `lease_owner`, raises CollectionLeaseLost (and writes nothing) if the repository's
    collection lease is no longer that owner's. `locked`: the collection state, already
    locked by the caller's transaction (_collection_lock).
    """
    # The window ends on the UTC date GitHub answered on (its Date header, so its clock,
    # not ours); without one, on the date of `fetched_at`.
    fetched_on = fetched_on or fetched_at.astimezone(dt.UTC).date()
    window = [fetched_on - dt.timedelta(days=GITHUB_WINDOW_DAYS), fetched_on, *reported]
    # Inside the caller's transaction when it locked the state; else its own (or a
    # savepoint), so that a lost lease leaves the caller's transaction usable.
    with transaction.atomic(savepoint=locked is None):
        collection = locked or _collection_lock(repository=repository, lease_owner=lease_owner)
        if collection is None:
            return 0
        stored_range = (collection.collected_from, collection.collected_until)
        collected_from = min(day for day in (stored_range[0], *window) if day is not None)
        collected_until = max(day for day in (stored_range[1], *window) if day is not None)
        rows = TrafficDay.objects.filter(repository=repository, date__in=list(reported))
        stored = {row[0]: DayFigures(*row[1:]) for row in rows.values_list("date", *_FIGURES)}
        merged = traffic_merge(stored=stored, reported=reported)
        if merged:
            TrafficDay.objects.bulk_create(
                [
                    TrafficDay(
                        repository=repository,
                        date=day,
                        views=figures.views,
                        unique_views=figures.unique_views,
                        clones=figures.clones,
                        unique_clones=figures.unique_clones,
                        partial=figures.partial,
                        updated_at=fetched_at,
                    )
                    for day, figures in merged.items()
                ],
                update_conflicts=True,
                unique_fields=["repository", "date"],
                update_fields=[*_FIGURES, "updated_at"],
            )
            traffic_sums_refresh(repository_id=repository.id, days=merged)
        if merged or (collected_from, collected_until) != stored_range:
            changes = {
                "collected_from": collected_from,
                "collected_until": collected_until,
                "traffic_updated_at": fetched_at,
            }
            Collection.objects.filter(pk=repository.id).update(**changes)
            for field, value in changes.items():
                setattr(collection, field, value)
    return len(merged)


def traffic_fetch(*, repository_id: uuid.UUID, only_if_requested: bool = False) -> FetchOutcome:
    """Collect one repository's traffic from GitHub and merge it into its history.

    Holds the repository's collection lease meanwhile (TRAFFIC_COLLECTION_LEASE_SECONDS,
    renewed while it runs); if another collection holds it, skips with `busy_until`.
    With `only_if_requested`, skips a repository without a pending request: a collection
    that succeeded since the last request (another worker's) already did the job.
    A failure at GitHub is recorded in the repository's collection state, in words its
    owner can act on, and never touches stored traffic.
    """
    repository = (
        Repository.objects.select_related("user", "collection").filter(id=repository_id).first()
    )
    if repository is None:
        return FetchOutcome(repository_id=repository_id, full_name="?", skipped="deleted")
    try:
        collection = repository.collection
    except Collection.DoesNotExist:  # a repository made without one (bulk_create)
        collection = collection_create(repository=repository)
    if only_if_requested and not collection.pending:
        return FetchOutcome(
            repository_id=repository.id,
            full_name=repository.full_name,
            skipped="no collection requested since its last success",
        )
    lease = dt.timedelta(seconds=settings.TRAFFIC_COLLECTION_LEASE_SECONDS)
    owner = collection_claim(repository_id=repository.id, lease=lease)
    if owner is None:
        busy_until = (
            Collection.objects.filter(pk=repository.id)
            .values_list("lease_until", flat=True)
            .first()
        )
        return FetchOutcome(
            repository_id=repository.id,
            full_name=repository.full_name,
            skipped="another collection of it is running",
            busy_until=busy_until or timezone.now(),
        )
    try:
        with collection_lease_kept(repository_id=repository.id, owner=owner, lease=lease):
            return _traffic_fetch_claimed(repository=repository, lease_owner=owner)
    except Exception:
        collection_crash_record()
        raise
    finally:
        collection_release(repository_id=repository.id, owner=owner)


def _recently_collected(*, repository: Repository, fetched_on: dt.date) -> bool:
    """Whether yesterday's (or today's) daily answers are stored. GitHub's daily windows
    overlap by 13 days, so a day without the per=day answers then loses nothing: every
    day they hold is in the next day's window too (today's partial bucket included).
    On the day the weekly answers are due (week_services) they take the daily answers'
    place, which keeps a repository at six requests a day. A first collection, or one
    after a gap, asks for both."""
    collected_until = collection_of(repository).collected_until
    return collected_until is not None and collected_until >= fetched_on - dt.timedelta(days=1)


@dataclass
class _Answers:
    """What GitHub answered in one collection, before any of it is stored."""

    info: RepositoryInfo
    today: dt.date  # GitHub's date when it answered the first request
    window: TrafficWindow | None = None  # None on a weeks-only day
    popular: PopularLists | None = None
    releases: ReleaseList | None = None
    weeks: TrafficWeeks | None = None
    stargazers: StargazerList | None = None
    error: GitHubError | None = None  # the failure that cut the asking short


def _answers_fetch(*, repository: Repository, token: str) -> _Answers:
    """Every request of one collection, in turn. A failure of the first two (the
    repository, the traffic) raises GitHubError; a later one ends the asking and is
    kept in `error`, with what was answered before it."""
    # First the repository itself: its counts for the day's snapshot, and proof that the
    # token still may read its traffic (a refusal costs no further request).
    info = github_repository_get(token=token, owner=repository.owner, name=repository.name)
    today = info.fetched_on or timezone.now().astimezone(dt.UTC).date()
    answers = _Answers(info=info, today=today)
    weeks_due = traffic_week_capture_due(repository=repository, fetched_on=today)
    if not (weeks_due and _recently_collected(repository=repository, fetched_on=today)):
        answers.window = github_traffic_fetch(
            token=token, owner=repository.owner, name=repository.name
        )
    try:
        answers.popular = github_popular_fetch(
            token=token, owner=repository.owner, name=repository.name
        )
        # The release assets' download counts: one request up to 100 releases.
        answers.releases = release_downloads_fetch(repository=repository, token=token)
        # GitHub's weekly uniques, asked for about once a week (week_services).
        if weeks_due:
            answers.weeks = github_traffic_weeks_fetch(
                token=token, owner=repository.owner, name=repository.name
            )
        # Once: the star history before the first collection, within the page budget and
        # the token's backfill allowance (star_services; a rebuild that does not fit waits).
        answers.stargazers = star_history_fetch(
            repository=repository, token=token, stars_total=info.stars
        )
    except GitHubError as error:
        answers.error = error
    return answers


# A first collection asks for the weekly views and clones besides the daily requests.
FIRST_COLLECTION_REQUESTS = DAILY_REQUESTS + 2


def _first_collection_budget_check(*, repository: Repository, token_key: str) -> None:
    """A first collection goes ahead only where the token's hour can spare it beside the
    daily collections still due on that token (budget.services.daily_budget_spare);
    else it is RATE_LIMITED until the hour resets, and its task tries again then."""
    due = collections_due_count(token_key=token_key, exclude=repository.id)
    spare = daily_budget_spare(
        token_key=token_key, requests=FIRST_COLLECTION_REQUESTS, daily_due=due
    )
    if spare.fits:
        return
    retry_at = dt.datetime.fromtimestamp(math.ceil(spare.reset or time.time()), tz=dt.UTC)
    raise GitHubError(
        GitHubErrorCause.RATE_LIMITED,
        f"the first collection waits for its GitHub token's next hour, from "
        f"{retry_at:%Y-%m-%d %H:%M} UTC: what is left of this one is kept for the daily "
        f"collection of {due} repositories on the same token; it is retried then",
        retry_at=retry_at,
    )


def _traffic_fetch_claimed(*, repository: Repository, lease_owner: str) -> FetchOutcome:
    attempted_at = timezone.now()
    # The same policy as at create, applied on every run: a user who lost the operator's
    # trust, or removed their own token, is told so; stored data stays as it is. A GitHub
    # App installation the user connected on the owner's account goes first; one GitHub
    # mints no token for any more (removed, suspended) is a failure recorded like others.
    token_key = ""
    try:
        choice = github_credential_get(
            user=repository.user, owner=repository.owner, name=repository.name
        )
        if choice.token is None:
            raise GitHubError(GitHubErrorCause.NO_TOKEN, choice.refusal)
        token_key = github_token_key(token=choice.token)
        if collection_of(repository).last_success_at is None:
            _first_collection_budget_check(repository=repository, token_key=token_key)
        answers = _answers_fetch(repository=repository, token=choice.token)
    except GitHubError as error:
        collection_record(
            repository=repository,
            attempted_at=attempted_at,
            error=error.message,
            cause=error.cause.value,
            token_key=token_key,
        )
        return FetchOutcome(
            repository_id=repository.id, full_name=repository.full_name, error=error
        )
    # Every answer is in: one short transaction stores them all (nothing is open during
    # network I/O). What came before a failure is kept; the run counts as failed, so it
    # is retried.
    fetched_at = timezone.now()
    reported: dict[dt.date, DayFigures] = {}
    written = weeks_written = 0
    fetched_on = answers.today
    window = answers.window
    try:
        with transaction.atomic():
            collection = _collection_lock(repository=repository, lease_owner=lease_owner)
            if collection is None:
                return FetchOutcome(
                    repository_id=repository.id, full_name=repository.full_name, skipped="deleted"
                )
            if window is not None:
                answered = [d for d in (window.views_fetched_on, window.clones_fetched_on) if d]
                fetched_on = max(answered) if answered else fetched_at.astimezone(dt.UTC).date()
                reported = traffic_window_days(window=window, fetched_on=fetched_on)
                written = traffic_store(
                    repository=repository,
                    reported=reported,
                    fetched_at=fetched_at,
                    fetched_on=fetched_on,
                    locked=collection,
                )
            repository_snapshot_store(
                repository=repository, info=answers.info, fetched_on=answers.today
            )
            if answers.popular is not None:
                traffic_popular_store(
                    repository=repository,
                    lists=answers.popular,
                    fetched_on=answers.popular.fetched_on or fetched_on,
                )
            if answers.releases is not None:
                release_downloads_store(
                    repository=repository,
                    releases=answers.releases,
                    fetched_on=answers.releases.fetched_on,
                )
            if answers.weeks is not None:
                weeks_written = traffic_weeks_store(
                    repository=repository, weeks=answers.weeks, fetched_at=fetched_at
                )
            if answers.stargazers is not None:
                star_history_rebuild_store(
                    repository=repository,
                    listing=answers.stargazers,
                    stars_total=answers.info.stars,
                )
    except CollectionLeaseLost:
        logger.warning(
            "the collection lease of %s lapsed and was taken over; its answer is not stored",
            repository.full_name,
        )
        return FetchOutcome(
            repository_id=repository.id,
            full_name=repository.full_name,
            skipped="another collection took it over",
        )
    collection_record(
        repository=repository,
        attempted_at=attempted_at,
        token_key=token_key,
        error=answers.error.message if answers.error else "",
        cause=answers.error.cause.value if answers.error else "",
    )
    return FetchOutcome(
        repository_id=repository.id,
        full_name=repository.full_name,
        days_reported=len(reported),
        days_written=written,
        weeks_only=window is None,
        weeks_written=weeks_written,
        error=answers.error,
    )
