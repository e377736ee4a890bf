"""Reading the daily snapshots back. GitHub's top-10 lists: per referrer or page, the
14-day figure over time; and the repository's counts (stars and the rest) per day.

The figures are GitHub's rolling 14-day totals on each day they were collected. They
are never summed across days (that would count each visit up to 14 times): a range's
leaders are ranked by the highest 14-day figure they reached in it.
"""

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import Max, Min

from repotraffic.common.dates import DateRange
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import (
    PopularSnapshot,
    RepositorySnapshot,
    StarHistory,
    StarHistoryDay,
)


@dataclass(frozen=True)
class PopularPoint:
    date: dt.date
    count: int  # the 14 days up to `date`
    uniques: int


@dataclass(frozen=True)
class PopularItem:
    name: str  # the referring site, or the page's path
    title: str  # the page's latest title; empty for a referrer
    first_seen: dt.date  # over all collected history, not only the range
    last_seen: dt.date
    peak: PopularPoint  # the highest 14-day count in the range (earliest such day)
    latest: PopularPoint  # the last day in the range
    series: list[PopularPoint]


def traffic_popular_list(
    *, repository: Repository, kind: str, date_range: DateRange
) -> list[PopularItem]:
    """Every referrer (kind "referrer") or page ("path") seen in the range, leaders first:
    by the highest 14-day count reached in the range, then by name. Two queries."""
    snapshots = PopularSnapshot.objects.filter(repository=repository, kind=kind)
    seen = {
        name: (first, last)
        for name, first, last in snapshots.values("name")
        .annotate(first=Min("date"), last=Max("date"))
        .values_list("name", "first", "last")
    }
    if date_range.start:
        snapshots = snapshots.filter(date__gte=date_range.start)
    if date_range.end:
        snapshots = snapshots.filter(date__lte=date_range.end)
    rows = snapshots.order_by("name", "date").values_list(
        "name", "title", "date", "count", "uniques"
    )
    items = []
    for name, group in groupby(rows, key=itemgetter(0)):
        points, title = [], ""
        for _, row_title, day, count, uniques in group:
            points.append(PopularPoint(date=day, count=count, uniques=uniques))
            title = row_title
        first_seen, last_seen = seen[name]
        items.append(
            PopularItem(
                name=name,
                title=title,
                first_seen=first_seen,
                last_seen=last_seen,
                peak=max(points, key=lambda point: (point.count, -point.date.toordinal())),
                latest=points[-1],
                series=points,
            )
        )
    items.sort(key=lambda item: (-item.peak.count, item.name))
    return items


def repository_snapshot_list(
    *, repository: Repository, date_range: DateRange
) -> list[dict[str, Any]]:
    """The repository's stars, forks, watchers and open issues on each collected day of
    the range, oldest first. One query."""
    snapshots = RepositorySnapshot.objects.filter(repository=repository)
    if date_range.start:
        snapshots = snapshots.filter(date__gte=date_range.start)
    if date_range.end:
        snapshots = snapshots.filter(date__lte=date_range.end)
    rows = snapshots.order_by("date").values("date", "stars", "forks", "watchers", "open_issues")
    return [dict(row) for row in rows]


def star_history_get(*, repository: Repository, date_range: DateRange) -> dict[str, Any] | None:
    """The star history rebuilt from the stargazer list (traffic.star_services), in the
    range, oldest first, with how it was rebuilt; None until it has been. Two queries."""
    history = StarHistory.objects.filter(repository=repository).first()
    if history is None:
        return None
    days = StarHistoryDay.objects.filter(repository=repository)
    if date_range.start:
        days = days.filter(date__gte=date_range.start)
    if date_range.end:
        days = days.filter(date__lte=date_range.end)
    return {
        "rebuilt_on": history.rebuilt_on,
        "stars_total": history.stars_total,
        "pages_total": history.pages_total,
        "pages_read": history.pages_read,
        "complete": history.complete,
        "items": [dict(row) for row in days.order_by("date").values("date", "stars")],
    }
