"""What the single-repository page shows: its traffic by day, week and month, its
referrers and popular pages, its stars and forks, its release downloads, and when its
collection is next tried; all of it for one date range, in a bounded number of queries.

The charts read one JSON document (`RepositoryPage.chart_json`), parallel arrays per
series as uPlot takes them, so the browser never converts rows to columns.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from config.env import crontab_parse
from repotraffic.common.dates import DateRange
from repotraffic.dashboard.selectors import (
    RepositoryTraffic,
    traffic_chart_from_columns,
    traffic_empty_message,
)
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Collection, PopularSnapshot, Release, TrafficDay
from repotraffic.traffic.popular_selectors import (
    PopularItem,
    repository_snapshot_list,
    traffic_popular_list,
)
from repotraffic.traffic.release_selectors import ReleaseDownloadsReport, release_downloads_list
from repotraffic.traffic.selectors import (
    collection_get,
    traffic_columns_many,
    traffic_months,
    traffic_weeks,
)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Referrers and pages whose rolling series the page carries for its chart (the table
# lists them all).
POPULAR_CHARTED = 10


@dataclass(frozen=True)
class NextAttempt:
    """When the repository's collection is next tried, and why then, in plain words:
    `when` says the moment against the page's clock ("today at 22:30 UTC")."""

    at: dt.datetime | None
    reason: str
    when: str = ""


@dataclass(frozen=True)
class RepositoryPage:
    traffic: RepositoryTraffic
    weeks: list[dict[str, Any]]
    referrers: list[PopularItem]
    paths: list[PopularItem]
    snapshots: list[dict[str, Any]]
    downloads: ReleaseDownloadsReport
    releases: list[Release]  # published in the range, oldest first: the chart's markers
    next_attempt: NextAttempt
    chart_json: str

    @property
    def failing(self) -> bool:
        return bool(self.traffic.collection.last_error)


def _seconds(day: dt.date) -> int:
    return (day - _EPOCH.date()).days * 86_400


def _in_range(queryset, field: str, date_range: DateRange):
    if date_range.start:
        queryset = queryset.filter(**{f"{field}__gte": date_range.start})
    if date_range.end:
        queryset = queryset.filter(**{f"{field}__lte": date_range.end})
    return queryset


def collection_next_attempt(*, collection: Collection, now: dt.datetime) -> NextAttempt:
    """A collection running now ends its lease; otherwise the next scheduled daily run
    (TRAFFIC_FETCH_SCHEDULE) asks for every collection again. A request still pending
    and not tried is queued by the dispatch within minutes, as its token's hour allows."""
    if collection.lease_until is not None and collection.lease_until > now:
        return NextAttempt(at=now, reason="A collection is running now.")
    untried = collection.pending and (
        collection.last_attempt_at is None
        or (
            collection.requested_at is not None
            and collection.last_attempt_at < collection.requested_at
        )
    )
    if untried:
        return NextAttempt(
            at=None, reason="Requested and waiting for a worker: within minutes once one runs."
        )
    # The setting was checked at start by the same parser; read here with `now` as the
    # schedule's clock.
    schedule = crontab_parse(
        "TRAFFIC_FETCH_SCHEDULE", settings.TRAFFIC_FETCH_SCHEDULE, nowfun=lambda: now
    )
    at = (now + schedule.remaining_estimate(now)).replace(microsecond=0)
    daily = settings.TRAFFIC_FETCH_SCHEDULE.split()[2:] == ["*", "*", "*"]
    return NextAttempt(
        at=at,
        reason=(
            "It comes with the daily collection."
            if daily
            else "It comes with the scheduled collection."
        ),
        when=_moment_words(at, now=now),
    )


def _moment_words(at: dt.datetime, *, now: dt.datetime) -> str:
    """Say "today at 22:30 UTC", "tomorrow at 22:30 UTC" or "on Monday 30 November at
    06:00 UTC" (with the year when it is not this one)."""
    at, now = at.astimezone(dt.UTC), now.astimezone(dt.UTC)
    days = (at.date() - now.date()).days
    clock = at.strftime("%H:%M UTC")
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    year = "" if at.year == now.year else f" {at.year}"
    return f"on {at:%A} {at.day} {at:%B}{year} at {clock}"


def _popular_chart(items: list[PopularItem]) -> list[dict[str, Any]]:
    return [
        {
            "name": item.name,
            "x": [_seconds(point.date) for point in item.series],
            "count": [point.count for point in item.series],
            "uniques": [point.uniques for point in item.series],
        }
        for item in items[:POPULAR_CHARTED]
    ]


def _periods_chart(periods: list[dict[str, Any]], *, first_key: str) -> dict[str, Any]:
    def first_day(period: dict[str, Any]) -> dt.date:
        text = period[first_key]
        return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")

    return {
        "x": [_seconds(first_day(period)) for period in periods],
        **{
            metric: [period[metric] for period in periods]
            for metric in ("views", "unique_views", "clones", "unique_clones")
        },
        "partial": [index for index, period in enumerate(periods) if period["partial"]],
    }


def repository_page_get(*, repository: Repository, date_range: DateRange) -> RepositoryPage:
    """Everything the page shows of the range. Queries: the collection, the traffic days,
    the complete weeks, the referrers and the pages (two each), the snapshots, the
    release downloads (up to two), the releases; one more only when the range holds no
    day (does the repository have traffic elsewhere?)."""
    collection = collection_get(repository=repository)
    columns = traffic_columns_many(repositories=[repository], date_range=date_range)[repository.id]
    chart = traffic_chart_from_columns(columns=columns)
    has_history = len(columns) > 0 or collection.collected_from is not None
    if not has_history and (date_range.start or date_range.end):
        has_history = TrafficDay.objects.filter(repository_id=repository.id).exists()
    traffic = RepositoryTraffic(
        repository=repository,
        collection=collection,
        chart=chart,
        rows=columns.as_rows(),
        empty_message=traffic_empty_message(
            collection=collection, chart=chart, has_history=has_history
        ),
    )
    weeks = traffic_weeks(repository=repository, columns=columns) if len(columns) else []
    months = traffic_months(columns=columns)
    referrers = traffic_popular_list(
        repository=repository, kind=PopularSnapshot.Kind.REFERRER, date_range=date_range
    )
    paths = traffic_popular_list(
        repository=repository, kind=PopularSnapshot.Kind.PATH, date_range=date_range
    )
    snapshots = repository_snapshot_list(repository=repository, date_range=date_range)
    downloads = release_downloads_list(repository=repository, date_range=date_range)
    releases = list(
        _in_range(
            Release.objects.filter(repository=repository, published_at__isnull=False),
            "published_at__date",
            date_range,
        ).order_by("published_at")
    )
    data = {
        "days": json.loads(chart.json),
        "weeks": _periods_chart(weeks, first_key="week"),
        "months": _periods_chart(months, first_key="month"),
        "releases": [
            [int(release.published_at.timestamp()), release.tag]
            for release in releases
            if release.published_at
        ],
        "referrers": _popular_chart(referrers),
        "paths": _popular_chart(paths),
        "stars": {
            "x": [_seconds(row["date"]) for row in snapshots],
            "stars": [row["stars"] for row in snapshots],
            "forks": [row["forks"] for row in snapshots],
        },
        "downloads": {
            "x": [_seconds(point.date) for point in downloads.totals],
            "downloads": [point.downloads for point in downloads.totals],
            "total": [point.total for point in downloads.totals],
        },
    }
    return RepositoryPage(
        traffic=traffic,
        weeks=weeks,
        referrers=referrers,
        paths=paths,
        snapshots=snapshots,
        downloads=downloads,
        releases=releases,
        next_attempt=collection_next_attempt(collection=collection, now=timezone.now()),
        chart_json=json.dumps(data, separators=(",", ":")),
    )
