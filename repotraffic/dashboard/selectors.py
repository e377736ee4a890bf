"""What the chart pages show, shaped from the repository and traffic selectors."""

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from repotraffic.common.dates import DateRange
from repotraffic.repositories.models import Repository
from repotraffic.repositories.selectors import repository_get
from repotraffic.sharing.selectors import share_link_get_by_key
from repotraffic.traffic.models import Collection, TrafficDay
from repotraffic.traffic.selectors import (
    METRICS,
    TrafficColumns,
    collection_get,
    traffic_series,
)
from repotraffic.users.models import User
from repotraffic.users.selectors import user_get_by_token

_EPOCH = dt.date(1970, 1, 1)
_SECONDS_PER_DAY = 86_400

EMPTY_PENDING = "No traffic collected yet, first collection pending."
EMPTY_FAILED = "No traffic collected yet: the last collection failed (see Last error)."
EMPTY_IN_RANGE = "No traffic in this date range."


@dataclass(frozen=True)
class TrafficTotals:
    """Of the shown days; the busiest is among the complete ones (a partial day's figures
    may still grow)."""

    views: int = 0
    clones: int = 0
    days: int = 0
    partial_days: int = 0
    first_date: str | None = None
    last_date: str | None = None
    busiest_date: str | None = None
    busiest_views: int = 0
    busiest_clones: int = 0


@dataclass(frozen=True)
class TrafficChart:
    """What one chart draws, as compact JSON text, and the totals beside it.

    The JSON holds parallel arrays, day i being `start` + i days (the series has no gaps):
    {"start": epoch seconds, "views": [...], "unique_views": [...], ..., "partial": [i, ...]},
    "partial" listing the indexes of the partial days.
    """

    json: str
    totals: TrafficTotals


@dataclass(frozen=True)
class RepositoryTraffic:
    """One repository's chart, totals, daily rows (when the page lists them), collection
    state and, without traffic, why."""

    repository: Repository
    collection: Collection
    chart: TrafficChart
    rows: list[dict[str, Any]] | None
    empty_message: str

    @property
    def totals(self) -> TrafficTotals:
        return self.chart.totals

    @property
    def chart_id(self) -> str:
        """The id of the script element holding the chart data."""
        return f"traffic-{self.repository.id}"


@dataclass(frozen=True)
class DatePreset:
    label: str
    query_string: str  # empty for "All"
    active: bool


@dataclass(frozen=True)
class PageGrant:
    """What the secret in a page URL opens: every repository of `user` (their API
    token, or a share link for all of them), or `repository` alone (a share link for
    that one)."""

    user: User
    repository: Repository | None = None

    @property
    def all_repositories(self) -> bool:
        return self.repository is None


def page_grant_by_token(*, token: str) -> PageGrant | None:
    """/users/<token>/...: the API token's owner, every repository."""
    user = user_get_by_token(token=token)
    return None if user is None else PageGrant(user=user)


def page_grant_by_share_key(*, key: str) -> PageGrant | None:
    """/share/<key>/...: what a live share link shares, in one query."""
    link = share_link_get_by_key(key=key)
    if link is None:
        return None
    if link.repository is not None and link.repository.user_id != link.user_id:
        return None  # never made so (share_link_create checks), never shown so
    return PageGrant(user=link.user, repository=link.repository)


def repository_for_page_get(*, grant: PageGrant | None, repository_id: str) -> Repository | None:
    """The repository, only if the grant opens it; None reveals nothing more."""
    if grant is None:
        return None
    if grant.repository is None:
        return repository_get(user=grant.user, repository_id=repository_id)
    try:
        wanted = uuid.UUID(repository_id)
    except ValueError:
        return None
    return grant.repository if grant.repository.id == wanted else None


def repository_traffic_get(*, repository: Repository, date_range: DateRange) -> RepositoryTraffic:
    collection = collection_get(repository=repository)
    rows = traffic_series(repository=repository, date_range=date_range)
    chart = traffic_chart_build(rows=rows)
    has_history = bool(rows) or collection.collected_from is not None
    if not has_history and (date_range.start or date_range.end):
        # Rows stored before collected ranges were recorded, outside this date range.
        has_history = TrafficDay.objects.filter(repository_id=repository.id).exists()
    return RepositoryTraffic(
        repository=repository,
        collection=collection,
        chart=chart,
        rows=rows,
        empty_message=traffic_empty_message(
            collection=collection, chart=chart, has_history=has_history
        ),
    )


def traffic_empty_message(*, collection: Collection, chart: TrafficChart, has_history: bool) -> str:
    """Why a repository shows no chart ("" when it shows one).

    A collected repository always has days to show (zeros when it had no traffic), unless
    the date range lies outside its collected range."""
    if chart.totals.days:
        return ""
    if has_history:
        return EMPTY_IN_RANGE
    # Not "pending" when a collection has run and failed: the error says what to do.
    return EMPTY_FAILED if collection.last_error else EMPTY_PENDING


def traffic_chart_build(*, rows: list[dict[str, Any]]) -> TrafficChart:
    chart = traffic_chart_data(rows=rows)
    return TrafficChart(
        json=json.dumps(chart, separators=(",", ":")),
        totals=traffic_totals(chart=chart, rows=rows),
    )


def traffic_chart_data(*, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The compact form the charts read: one start day and one array per metric."""
    start = None
    if rows:
        first = dt.date.fromisoformat(rows[0]["date"])
        start = (first - _EPOCH).days * _SECONDS_PER_DAY
    chart: dict[str, Any] = {"start": start}
    for metric in METRICS:
        chart[metric] = [row[metric] for row in rows]
    chart["partial"] = [index for index, row in enumerate(rows) if row["partial"]]
    return chart


def traffic_totals(
    *, chart: dict[str, Any], rows: list[dict[str, Any]] | None = None
) -> TrafficTotals:
    """Totals of the shown days. Uniques are left out: GitHub counts a visitor once per
    day, so a sum of daily uniques would count returning visitors again."""
    views, clones, partial = chart["views"], chart["clones"], chart["partial"]
    if not views:
        return TrafficTotals()
    first = _EPOCH + dt.timedelta(days=chart["start"] // _SECONDS_PER_DAY)

    def date(index: int) -> str:
        return (first + dt.timedelta(days=index)).isoformat()

    def complete(metric: list[int]) -> list[int]:
        """The metric with its partial days below any real figure (they are a few)."""
        if not partial:
            return metric
        masked = list(metric)
        for index in partial:
            masked[index] = -1
        return masked

    # The busiest day is the complete day with the most views (the most clones if no
    # complete day had views); the earliest wins a tie.
    complete_views = complete(views)
    busiest_metric = complete_views if max(complete_views) > 0 else complete(clones)
    busiest = busiest_metric.index(max(busiest_metric))
    has_traffic = busiest_metric[busiest] > 0
    return TrafficTotals(
        views=sum(views),
        clones=sum(clones),
        days=len(views),
        partial_days=len(partial),
        first_date=date(0),
        last_date=date(len(views) - 1),
        busiest_date=date(busiest) if has_traffic else None,
        busiest_views=views[busiest],
        busiest_clones=clones[busiest],
    )


def traffic_chart_from_columns(*, columns: TrafficColumns) -> TrafficChart:
    """The chart straight from columns: no dict per day (the all-repositories page)."""
    start = None
    if columns.start is not None:
        start = (columns.start - _EPOCH).days * _SECONDS_PER_DAY
    chart = {
        "start": start,
        **{metric: getattr(columns, metric) for metric in METRICS},
        "partial": columns.partial,
    }
    return TrafficChart(
        json=json.dumps(chart, separators=(",", ":")), totals=traffic_totals(chart=chart)
    )


_PRESETS = (
    ("Last 14 days", 14),
    ("30 days", 30),
    ("90 days", 90),
    ("1 year", 365),
)


def date_presets(*, today: dt.date, date_range: DateRange | None) -> list[DatePreset]:
    """Ranges ending today (UTC), then "All" (no bounds); none is active without a range."""
    presets = []
    for label, days in _PRESETS:
        preset = DateRange(start=today - dt.timedelta(days=days - 1), end=today)
        presets.append(DatePreset(label, urlencode(preset.as_query()), active=preset == date_range))
    presets.append(DatePreset("All", "", active=date_range == DateRange()))
    return presets
