"""Release downloads: each collection keeps the day's cumulative `download_count` of
every release asset GitHub lists (GET .../releases: one request for up to 100 releases,
up to TRAFFIC_RELEASE_PAGES in all). A day's downloads are the difference between two
collected days (release_selectors); nothing is stored twice for one day."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction

from repotraffic.integrations.github.client import ReleaseList, github_releases_fetch
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Release, ReleaseAssetDay

logger = logging.getLogger(__name__)


def release_downloads_store(
    *, repository: Repository, releases: ReleaseList, fetched_on: dt.date
) -> int:
    """Keep the day's download count of every asset: one short transaction, two bulk
    upserts (the releases' tag, name and publication; the assets' counts). A second
    fetch on the same UTC day keeps the larger count (nothing is lowered). Drafts are
    left out: nobody can download them. Returns the number of asset rows written."""
    published = [release for release in releases.releases if release.published_at is not None]
    if not published:
        return 0
    with transaction.atomic(savepoint=False):
        if not Repository.objects.select_for_update().filter(id=repository.id).exists():
            return 0  # deleted while we were fetching
        Release.objects.bulk_create(
            [
                Release(
                    repository=repository,
                    github_id=release.id,
                    tag=release.tag_name,
                    name=release.name,
                    published_at=release.published_at,
                )
                for release in published
            ],
            update_conflicts=True,
            unique_fields=["repository", "github_id"],
            update_fields=["tag", "name", "published_at"],
        )
        release_pks = dict(
            Release.objects.filter(
                repository=repository, github_id__in=[release.id for release in published]
            ).values_list("github_id", "id")
        )
        stored = dict(
            ReleaseAssetDay.objects.filter(repository=repository, date=fetched_on).values_list(
                "asset_id", "download_count"
            )
        )
        # By asset id: one upsert may not touch a row twice.
        reported = {
            asset.id: ReleaseAssetDay(
                repository=repository,
                release_id=release_pks[release.id],
                date=fetched_on,
                asset_id=asset.id,
                asset_name=asset.name,
                download_count=asset.download_count,
            )
            for release in published
            for asset in release.assets
        }
        rows = [
            row
            for asset_id, row in reported.items()
            if row.download_count > stored.get(asset_id, -1)
        ]
        if rows:
            ReleaseAssetDay.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["repository", "date", "asset_id"],
                update_fields=["release", "asset_name", "download_count"],
            )
    return len(rows)


def release_downloads_fetch(*, repository: Repository, token: str) -> ReleaseList:
    """The releases step's request: GitHub's releases with their assets' download counts
    (dated by GitHub's clock). Raises GitHubError."""
    releases = github_releases_fetch(
        token=token,
        owner=repository.owner,
        name=repository.name,
        max_pages=settings.TRAFFIC_RELEASE_PAGES,
    )
    if not releases.complete:
        logger.warning(
            "%s has more releases than TRAFFIC_RELEASE_PAGES=%d pages of 100: the oldest "
            "are not counted",
            repository.full_name,
            settings.TRAFFIC_RELEASE_PAGES,
        )
    return releases
