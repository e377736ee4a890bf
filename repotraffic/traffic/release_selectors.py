"""Release downloads over time, from the assets' cumulative counts of each collected day.

A point's `total` is the cumulative count on that day and `downloads` the exact
difference from the previous collected day, which `days` says how far back it lies (1:
the day before; more after days without a collection, the difference covering them
all). An asset's first collected day has `downloads` and `days` null: nothing earlier is
known. GitHub's count never drops unless an asset is deleted or GitHub errs: a lower
count is reported as 0 downloads and the total stays at the highest count seen, so the
downloads of a series always add up to its last total minus its first.

A release's points and the repository's totals add up their assets' points of each day:
`downloads` sums the known differences (null when none is known) and `days` is the
longest they span. An asset first seen on a day adds to the total but not to the
downloads, since its downloads before that day are unknown.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max

from repotraffic.common.dates import DateRange
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Release, ReleaseAssetDay


@dataclass(frozen=True)
class DownloadPoint:
    date: dt.date
    total: int
    downloads: int | None  # since the previous collected day; None on the first
    days: int | None  # how many days that difference spans; None on the first


@dataclass(frozen=True)
class AssetDownloads:
    id: int
    name: str
    series: list[DownloadPoint]


@dataclass(frozen=True)
class ReleaseDownloads:
    tag: str
    name: str
    published_at: dt.datetime | None
    assets: list[AssetDownloads]
    series: list[DownloadPoint]


@dataclass(frozen=True)
class ReleaseDownloadsReport:
    releases: list[ReleaseDownloads]
    totals: list[DownloadPoint]


def release_downloads_series(
    *, counts: list[tuple[dt.date, int]], before: tuple[dt.date, int] | None = None
) -> list[DownloadPoint]:
    """One asset's points from its (date, count) rows, oldest first. `before` is the
    last collected day before them and the highest count seen up to it, if any."""
    points = []
    previous = before
    for day, count in counts:
        if previous is None:
            total, downloads, days = count, None, None
        else:
            total = max(previous[1], count)
            downloads, days = total - previous[1], (day - previous[0]).days
        points.append(DownloadPoint(date=day, total=total, downloads=downloads, days=days))
        previous = (day, total)
    return points


def _points_sum(series: list[list[DownloadPoint]]) -> list[DownloadPoint]:
    by_day: dict[dt.date, list[DownloadPoint]] = defaultdict(list)
    for points in series:
        for point in points:
            by_day[point.date].append(point)
    summed = []
    for day in sorted(by_day):
        points = by_day[day]
        known = [point for point in points if point.downloads is not None]
        summed.append(
            DownloadPoint(
                date=day,
                total=sum(point.total for point in points),
                downloads=sum(point.downloads or 0 for point in known) if known else None,
                days=max(point.days or 0 for point in known) if known else None,
            )
        )
    return summed


def release_downloads_list(
    *, repository: Repository, date_range: DateRange
) -> ReleaseDownloadsReport:
    """Every release with an asset counted in the range, newest published first, each
    asset's series, the release's and the repository's. Two queries (one without a
    start): the range's rows with their releases, and each asset's last collected day
    and highest count before the start, so the range's first differences are exact."""
    rows = ReleaseAssetDay.objects.filter(repository=repository)
    if date_range.start:
        rows = rows.filter(date__gte=date_range.start)
    if date_range.end:
        rows = rows.filter(date__lte=date_range.end)
    counts: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    names: dict[int, str] = {}
    asset_release: dict[int, int] = {}
    releases: dict[int, Release] = {}
    for row in rows.select_related("release").order_by("asset_id", "date"):
        counts[row.asset_id].append((row.date, row.download_count))
        names[row.asset_id] = row.asset_name  # its latest name in the range
        asset_release[row.asset_id] = row.release_id
        releases[row.release_id] = row.release
    before: dict[int, tuple[dt.date, int]] = {}
    if date_range.start and counts:
        before = {
            asset_id: (last, peak)
            for asset_id, last, peak in ReleaseAssetDay.objects.filter(
                repository=repository, date__lt=date_range.start, asset_id__in=list(counts)
            )
            .values("asset_id")
            .annotate(last=Max("date"), peak=Max("download_count"))
            .values_list("asset_id", "last", "peak")
        }
    assets_of: dict[int, list[AssetDownloads]] = defaultdict(list)
    for asset_id, asset_counts in counts.items():
        assets_of[asset_release[asset_id]].append(
            AssetDownloads(
                id=asset_id,
                name=names[asset_id],
                series=release_downloads_series(counts=asset_counts, before=before.get(asset_id)),
            )
        )
    report = []
    for release_pk, assets in assets_of.items():
        release = releases[release_pk]
        assets.sort(key=lambda asset: (asset.name, asset.id))
        report.append(
            ReleaseDownloads(
                tag=release.tag,
                name=release.name,
                published_at=release.published_at,
                assets=assets,
                series=_points_sum([asset.series for asset in assets]),
            )
        )
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    report.sort(key=lambda release: (release.published_at or epoch, release.tag), reverse=True)
    totals = _points_sum([asset.series for release in report for asset in release.assets])
    return ReleaseDownloadsReport(releases=report, totals=totals)
