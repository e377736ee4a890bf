import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from repotraffic.integrations.github.client import GitHubError, github_traffic_fetch
from repotraffic.repositories.models import Repository
from repotraffic.repositories.services import (
    repository_collection_claim,
    repository_collection_record,
    repository_collection_release,
)
from repotraffic.traffic.merge import DayFigures, traffic_merge, traffic_window_days
from repotraffic.traffic.models import TrafficDay
from repotraffic.users.crypto import secret_decrypt

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchOutcome:
    repository_id: uuid.UUID
    full_name: str
    days_reported: int = 0
    days_written: int = 0
    error: GitHubError | None = None
    skipped: str = ""  # why nothing was attempted
    crash: str = ""  # an unexpected failure on our side

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
        return (
            f"{self.full_name}: ok, {self.days_reported} days reported, {self.days_written} written"
        )


def github_token_for(*, repository: Repository) -> str | None:
    """The owner's own token when they set one, otherwise the server's."""
    encrypted = repository.user.github_token_encrypted
    if encrypted:
        token = secret_decrypt(encrypted)
        if token:
            return token
        logger.warning(
            "the GitHub token of user %s cannot be decrypted (was REPOTRAFFIC_ENCRYPTION_KEY "
            "changed?); using the server's token",
            repository.user_id,
        )
    return settings.GITHUB_TOKEN or None


# GitHub's window: the 15 UTC days today-14 .. today (the oldest cut short, today in progress).
GITHUB_WINDOW_DAYS = 14


def traffic_store(
    *, repository: Repository, reported: dict[dt.date, DayFigures], fetched_at: dt.datetime
) -> int:
    """Merge one response into stored history: one short transaction, one bulk upsert.

    Also widens the repository's collected range to the window GitHub answered for (and
    to any day it reported beyond it): inside that range a day without a row had no
    traffic. Moves `traffic_updated_at` when a row or the range changed.
    Returns the number of rows written. Runs after every network call is done.
    """
    fetched_on = fetched_at.astimezone(dt.UTC).date()
    window = [fetched_on - dt.timedelta(days=GITHUB_WINDOW_DAYS), fetched_on, *reported]
    with transaction.atomic():
        # Lock the repository row (PostgreSQL; SQLite's IMMEDIATE transaction already
        # serialises writers) and give up if it was deleted while we were fetching.
        stored_range = (
            Repository.objects.select_for_update()
            .filter(id=repository.id)
            .values_list("collected_from", "collected_until")
            .first()
        )
        if stored_range is None:
            return 0
        collected_from = min(day for day in (stored_range[0], *window) if day is not None)
        collected_until = max(day for day in (stored_range[1], *window) if day is not None)
        rows = TrafficDay.objects.filter(repository=repository, date__in=list(reported))
        stored = {
            row[0]: DayFigures(*row[1:])
            for row in rows.values_list("date", "views", "unique_views", "clones", "unique_clones")
        }
        merged = traffic_merge(stored=stored, reported=reported)
        if merged:
            TrafficDay.objects.bulk_create(
                [
                    TrafficDay(
                        repository=repository,
                        date=day,
                        views=views,
                        unique_views=unique_views,
                        clones=clones,
                        unique_clones=unique_clones,
                        updated_at=fetched_at,
                    )
                    for day, (views, unique_views, clones, unique_clones) in (
                        (merged_day, figures.as_tuple()) for merged_day, figures in merged.items()
                    )
                ],
                update_conflicts=True,
                unique_fields=["repository", "date"],
                update_fields=["views", "unique_views", "clones", "unique_clones", "updated_at"],
            )
        if merged or (collected_from, collected_until) != stored_range:
            changes = {
                "collected_from": collected_from,
                "collected_until": collected_until,
                "traffic_updated_at": fetched_at,
            }
            Repository.objects.filter(id=repository.id).update(**changes)
            for field, value in changes.items():
                setattr(repository, field, value)
    return len(merged)


def traffic_fetch(
    *, repository_id: uuid.UUID, stale_after: dt.timedelta | None = None
) -> FetchOutcome:
    """Collect one repository's traffic from GitHub and merge it into its history.

    With `stale_after`, a repository that succeeded more recently is skipped.
    A failure at GitHub is recorded on the repository in words its owner can act on
    and never touches stored traffic.
    """
    repository = Repository.objects.select_related("user").filter(id=repository_id).first()
    if repository is None:
        return FetchOutcome(repository_id=repository_id, full_name="?", skipped="deleted")
    last_success = repository.last_success_at
    if stale_after is not None and last_success and last_success > timezone.now() - stale_after:
        return FetchOutcome(
            repository_id=repository.id, full_name=repository.full_name, skipped="collected lately"
        )
    if not repository_collection_claim(repository_id=repository.id):
        return FetchOutcome(
            repository_id=repository.id,
            full_name=repository.full_name,
            skipped="another collection of it is running",
        )
    try:
        return _traffic_fetch_claimed(repository=repository)
    finally:
        repository_collection_release(repository_id=repository.id)


def _traffic_fetch_claimed(*, repository: Repository) -> FetchOutcome:
    attempted_at = timezone.now()
    try:
        window = github_traffic_fetch(
            token=github_token_for(repository=repository),
            owner=repository.owner,
            name=repository.name,
        )
    except GitHubError as error:
        repository_collection_record(
            repository=repository, attempted_at=attempted_at, error=error.message
        )
        return FetchOutcome(
            repository_id=repository.id, full_name=repository.full_name, error=error
        )
    reported = traffic_window_days(window=window)
    written = traffic_store(repository=repository, reported=reported, fetched_at=timezone.now())
    repository_collection_record(repository=repository, attempted_at=attempted_at)
    return FetchOutcome(
        repository_id=repository.id,
        full_name=repository.full_name,
        days_reported=len(reported),
        days_written=written,
    )
