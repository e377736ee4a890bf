"""What the overview (/users/<token>/repos) shows: one row per repository with its totals,
its change against the previous period and a sparkline, and one chart of the total
across them, from a bounded number of queries whatever the number of repositories.

Views and clones are summed by bucket (day, week or month, by the range's length) in SQL.
Unique visitors and cloners are never summed: GitHub counts a person once a day, so a sum
over days, or over repositories, would count them again.
"""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast

from repotraffic.common.dates import DateRange
from repotraffic.repositories.models import Repository
from repotraffic.repositories.selectors import repository_list
from repotraffic.traffic.models import RepositorySnapshot, TrafficDay, TrafficSum
from repotraffic.traffic.selectors import collection_of
from repotraffic.users.models import User

DAY, WEEK, MONTH = "day", "week", "month"
# Days up to about 90 days, weeks up to about 2 years, months beyond.
DAYS_UP_TO = 92
WEEKS_UP_TO = 731
OVERVIEW_CACHE_SECONDS = 24 * 3600
_EPOCH = dt.date(1970, 1, 1)
_PREVIOUS = -1  # the bucket of every row of the previous period


class _Annotations(TypedDict):
    first_day: dt.date | None  # of its rows
    last_day: dt.date | None
    stars: int | None  # of its latest snapshot


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    OverviewRepository = WithAnnotations[Repository, _Annotations]
else:
    OverviewRepository = Repository

STATUS_OK, STATUS_NEVER, STATUS_FAILING = "ok", "never collected", "failing"
# Failing first, then those never collected, then the rest.
_STATUS_RANK = {STATUS_FAILING: 0, STATUS_NEVER: 1, STATUS_OK: 2}


@dataclass(frozen=True)
class Change:
    """A figure against the previous period of equal length. `percent` is None when it
    cannot be said: `label` then says why ("new": nothing then, something now; "n/a": the
    repository was not tracked then)."""

    percent: float | None
    label: str

    @property
    def sort_key(self) -> str:
        """For sorting in the browser (a JavaScript number): "new" above any growth,
        "n/a" below any fall."""
        if self.percent is not None:
            return f"{self.percent:.2f}"
        return "Infinity" if self.label == "new" else "-Infinity"


@dataclass(frozen=True)
class OverviewRow:
    repository: Repository
    views: int
    clones: int
    change: Change  # of views
    stars: int | None  # the latest snapshot's; None before the first
    status: str
    error: str
    sparkline: list[int]  # views per bucket of the range

    @property
    def status_rank(self) -> int:
        return _STATUS_RANK[self.status]


@dataclass(frozen=True)
class Overview:
    """The rows (failing first, then by views) and the combined chart's data:
    {"interval": ..., "dates": [first day of each bucket], "views": [...],
    "clones": [...], "partial": [bool, ...]}."""

    rows: list[OverviewRow]
    interval: str
    start: dt.date | None
    end: dt.date | None
    previous_start: dt.date | None
    chart: dict[str, Any] = field(default_factory=dict)

    @property
    def days(self) -> int:
        """The length of the range, and of the previous period."""
        if self.start is None or self.end is None:
            return 0
        return (self.end - self.start).days + 1


def interval_for(*, days: int) -> str:
    if days <= DAYS_UP_TO:
        return DAY
    if days <= WEEKS_UP_TO:
        return WEEK
    return MONTH


class _BucketOf(Func):
    """The bucket a date falls in, as an integer: days since 1970-01-01, weeks (Monday
    first) since then, or months since year 0. Plain arithmetic on both databases, not
    Django's Trunc functions, which SQLite runs as a Python callback per row."""

    output_field = IntegerField()

    def __init__(self, expression: Any, *, interval: str) -> None:
        super().__init__(expression)
        self.interval = interval

    def _sql(self, day_number: str, month_number: str, compiler, connection) -> tuple[str, list]:
        expression_sql, params = compiler.compile(self.source_expressions[0])
        if self.interval == MONTH:
            return month_number.format(date=expression_sql), params * 2
        days = day_number.format(date=expression_sql)
        if self.interval == WEEK:
            # 1970-01-01 was a Thursday: 3 days later than its week's Monday.
            return f"(({days}) + 3) / 7", params
        return days, params

    def as_sqlite(self, compiler, connection, **extra):
        # Dates are stored as YYYY-MM-DD text.
        return self._sql(
            "CAST(julianday({date}) - 2440587.5 AS INTEGER)",
            "(CAST(substr({date}, 1, 4) AS INTEGER) * 12"
            " + CAST(substr({date}, 6, 2) AS INTEGER) - 1)",
            compiler,
            connection,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self._sql(
            "({date} - DATE '1970-01-01')",
            "(CAST(EXTRACT(YEAR FROM {date}) AS INTEGER) * 12"
            " + CAST(EXTRACT(MONTH FROM {date}) AS INTEGER) - 1)",
            compiler,
            connection,
        )


def _bucket_key(day: dt.date, interval: str) -> int:
    """The same integer as _BucketOf, in Python."""
    if interval == MONTH:
        return day.year * 12 + day.month - 1
    days = (day - _EPOCH).days
    return (days + 3) // 7 if interval == WEEK else days


def _bucket_first_day(key: int, interval: str) -> dt.date:
    if interval == MONTH:
        return dt.date(key // 12, key % 12 + 1, 1)
    if interval == WEEK:
        return _EPOCH + dt.timedelta(days=key * 7 - 3)
    return _EPOCH + dt.timedelta(days=key)


@dataclass
class _Buckets:
    """One repository's sums over the range by bucket, and over the previous period."""

    views: dict[int, int] = field(default_factory=dict)
    clones: dict[int, int] = field(default_factory=dict)
    partial: set[int] = field(default_factory=set)
    previous_views: int = 0


def repositories_overview_get(*, user: User, date_range: DateRange) -> Overview:
    """The overview of the user's repositories in `date_range` (unbounded ends: from their
    first day, up to their last). Three queries: the repositories (with their collection
    state, first and last day and latest stars), then the sums of those whose sums are not
    cached, in one grouped query."""
    repositories: list[OverviewRepository] = list(
        repository_list(user=user)
        .select_related("collection")
        .annotate(
            first_day=Subquery(
                TrafficDay.objects.filter(repository_id=OuterRef("pk"))
                .order_by("date")
                .values("date")[:1]
            ),
            last_day=Subquery(
                TrafficDay.objects.filter(repository_id=OuterRef("pk"))
                .order_by("-date")
                .values("date")[:1]
            ),
            stars=Subquery(
                RepositorySnapshot.objects.filter(repository_id=OuterRef("pk"))
                .order_by("-date")
                .values("stars")[:1]
            ),
        )
    )
    # The range, within the first and last day of any row or collected range (a collected
    # day without a row had no traffic): a start in 1900 draws no century of zeros.
    first = min((day for day in map(_earliest, repositories) if day), default=None)
    last = max((day for day in map(_latest, repositories) if day), default=None)
    start = max(day for day in (date_range.start, first) if day) if first else None
    end = min(day for day in (date_range.end, last) if day) if last else None
    if start is None or end is None or start > end:
        rows = [_row(repository, _Buckets(), [], None) for repository in repositories]
        return Overview(
            rows=_default_order(rows), interval=DAY, start=start, end=end, previous_start=None
        )
    length = (end - start).days + 1
    interval = interval_for(days=length)
    previous_start = start - dt.timedelta(days=length)
    sums = _sums_cached(
        repositories=repositories,
        start=start,
        end=end,
        previous_start=previous_start,
        interval=interval,
    )
    keys = list(range(_bucket_key(start, interval), _bucket_key(end, interval) + 1))
    rows = [
        _row(repository, sums[repository.id], keys, previous_start) for repository in repositories
    ]
    return Overview(
        rows=_default_order(rows),
        interval=interval,
        start=start,
        end=end,
        previous_start=previous_start,
        chart=_combined_chart(
            sums=list(sums.values()), keys=keys, interval=interval, start=start, end=end
        ),
    )


def _default_order(rows: list[OverviewRow]) -> list[OverviewRow]:
    return sorted(
        rows,
        key=lambda row: (_STATUS_RANK[row.status], -row.views, row.repository.full_name.lower()),
    )


def _row(
    repository: OverviewRepository, sums: _Buckets, keys: list[int], previous_start: dt.date | None
) -> OverviewRow:
    collection = collection_of(repository)
    if collection.last_error:
        status = STATUS_FAILING
    elif collection.last_success_at is None and _earliest(repository) is None:
        # Not "never" with rows or a collected range: stored before successes were
        # recorded, or seeded.
        status = STATUS_NEVER
    else:
        status = STATUS_OK
    views = sum(sums.views.values())
    return OverviewRow(
        repository=repository,
        views=views,
        clones=sum(sums.clones.values()),
        change=_change(
            now=views,
            before=sums.previous_views,
            tracked_before=_tracked_before(repository, previous_start),
        ),
        stars=repository.stars,
        status=status,
        error=collection.last_error,
        sparkline=[sums.views.get(key, 0) for key in keys] if views else [],
    )


def _tracked_before(repository: OverviewRepository, previous_start: dt.date | None) -> bool:
    """Whether the repository has figures for the previous period: it had rows or was
    collected on its first day or before (a collected day without a row had no traffic)."""
    earliest = _earliest(repository)
    return previous_start is not None and earliest is not None and earliest <= previous_start


def _earliest(repository: OverviewRepository) -> dt.date | None:
    days = [day for day in (repository.first_day, collection_of(repository).collected_from) if day]
    return min(days, default=None)


def _latest(repository: OverviewRepository) -> dt.date | None:
    days = [day for day in (repository.last_day, collection_of(repository).collected_until) if day]
    return max(days, default=None)


def _change(*, now: int, before: int, tracked_before: bool) -> Change:
    if not tracked_before:
        return Change(None, "n/a")
    if before == 0:
        return Change(None, "new") if now else Change(0.0, "±0%")
    percent = (now - before) * 100 / before
    return Change(percent, f"{percent:+.0f}%")


def _sums_cached(
    *,
    repositories: Sequence[Repository],
    start: dt.date,
    end: dt.date,
    previous_start: dt.date,
    interval: str,
) -> dict[uuid.UUID, _Buckets]:
    """Each repository's sums from the cache, under its traffic version (which moves with
    every change of its rows), the missing ones from one grouped query and cached."""
    keys = {
        repository.id: (
            f"overview-sums-1:{repository.id}:{collection_of(repository).traffic_version}:"
            f"{start}:{end}:{interval}"
        )
        for repository in repositories
    }
    cached = cache.get_many(list(keys.values()))
    sums = {id_: cached[key] for id_, key in keys.items() if key in cached}
    missing = [repository for repository in repositories if repository.id not in sums]
    if missing:
        built = _sums_query(
            repositories=missing,
            start=start,
            end=end,
            previous_start=previous_start,
            interval=interval,
        )
        cache.set_many(
            {keys[id_]: buckets for id_, buckets in built.items()},
            timeout=OVERVIEW_CACHE_SECONDS,
        )
        sums.update(built)
    return sums


def _sums_query(
    *,
    repositories: Sequence[Repository],
    start: dt.date,
    end: dt.date,
    previous_start: dt.date,
    interval: str,
) -> dict[uuid.UUID, _Buckets]:
    """Views and clones summed per repository and bucket over the range, and views over
    the previous period (bucket -1), in one query (_sums_parts)."""
    by_text: dict[str, uuid.UUID] = {}
    for repository in repositories:
        by_text[repository.id.hex] = by_text[str(repository.id)] = repository.id
    sums = {repository.id: _Buckets() for repository in repositories}
    parts = _sums_parts(
        repositories=repositories,
        start=start,
        end=end,
        previous_start=previous_start,
        interval=interval,
    )
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    # Straight from the cursor: Django's converters per row were a fifth of the time.
    # Ids come as uuids from PostgreSQL, as hex text from SQLite.
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        read = cursor.fetchall()
    for key, bucket, views, clones, partial in read:
        buckets = sums.get(key if isinstance(key, uuid.UUID) else by_text[key])
        if buckets is None:  # read by user, already cached
            continue
        if bucket == _PREVIOUS:
            buckets.previous_views += views
            continue
        # Each bucket of the range comes from one part.
        buckets.views[bucket] = views
        buckets.clones[bucket] = clones
        if partial:
            buckets.partial.add(bucket)
    return sums


_SUMS_COLUMNS = ("key", "bucket", "views_sum", "clones_sum", "partial_any")
# Past this many ids x parts, the query reads the user's repositories by a subquery
# (SQLite takes at most 32,766 parameters).
_IDS_IN_QUERY = 10_000


def _sums_parts(
    *,
    repositories: Sequence[Repository],
    start: dt.date,
    end: dt.date,
    previous_start: dt.date,
    interval: str,
) -> list[QuerySet]:
    """The SELECTs whose UNION ALL gives every (repository, bucket, views, clones,
    partial) row of the overview, each reading as few rows as it can:
    - a range by day: its days, a row each;
    - a range by week or month: the whole buckets from their sums (TrafficSum), a row a
      bucket; the days of a bucket the range holds only part of, added by repository;
    - the previous period (one total): its whole months from their sums, and the days
      before and after them, added by repository.
    Grouped by repository alone: SQLite then reads the index in order and sorts nothing
    (a GROUP BY on a bucket expression sorted every row: 415 ms for 547,500 days)."""
    ids = [repository.id for repository in repositories]
    days_spans: list[tuple[int, dt.date, dt.date]] = []  # (bucket, first, last) of days
    sums_spans: list[tuple[str, int | None, dt.date, dt.date]] = []  # (period, bucket, ...)
    if interval == DAY:
        days_of_range = (start, end)
    else:
        days_of_range = None
        whole = []
        for key in range(_bucket_key(start, interval), _bucket_key(end, interval) + 1):
            first, last = _bucket_first_day(key, interval), _bucket_first_day(key + 1, interval)
            if first >= start and last - dt.timedelta(days=1) <= end:
                whole.append(first)
            else:
                days_spans.append((key, max(first, start), min(last - dt.timedelta(days=1), end)))
        if whole:
            sums_spans.append((interval, None, whole[0], whole[-1]))
    # The previous period: its whole months, and the days around them.
    months = []
    month = _bucket_key(previous_start, MONTH)
    while _bucket_first_day(month + 1, MONTH) <= start:
        if _bucket_first_day(month, MONTH) >= previous_start:
            months.append(_bucket_first_day(month, MONTH))
        month += 1
    if months:
        sums_spans.append((MONTH, _PREVIOUS, months[0], months[-1]))
        after_months = _bucket_first_day(_bucket_key(months[-1], MONTH) + 1, MONTH)
        previous_days = [(previous_start, months[0]), (after_months, start)]
    else:
        previous_days = [(previous_start, start)]
    for first, following in previous_days:
        if first < following:
            days_spans.append((_PREVIOUS, first, following - dt.timedelta(days=1)))

    parts = len(days_spans) + len(sums_spans) + (days_of_range is not None)
    if len(ids) * parts <= _IDS_IN_QUERY:
        of_repositories: Any = ids
    else:
        of_repositories = Repository.objects.filter(user_id=repositories[0].user_id).values("id")
    days = TrafficDay.objects.filter(repository_id__in=of_repositories).order_by()
    sums = TrafficSum.objects.filter(repository_id__in=of_repositories).order_by()
    selects: list[QuerySet] = []
    if days_of_range is not None:
        selects.append(
            days.filter(date__gte=days_of_range[0], date__lte=days_of_range[1])
            .annotate(
                key=F("repository_id"),
                bucket=_BucketOf("date", interval=DAY),
                views_sum=F("views"),
                clones_sum=F("clones"),
                partial_any=Cast("partial", IntegerField()),
            )
            .values_list(*_SUMS_COLUMNS)
        )
    for period, bucket, first, last in sums_spans:
        rows = sums.filter(period=period, start__gte=first, start__lte=last)
        if bucket is None:  # a row a bucket
            selects.append(
                rows.annotate(
                    key=F("repository_id"),
                    bucket=_BucketOf("start", interval=period),
                    views_sum=Cast("views", BigIntegerField()),
                    clones_sum=Cast("clones", BigIntegerField()),
                    partial_any=Cast("partial", IntegerField()),
                ).values_list(*_SUMS_COLUMNS)
            )
        else:
            selects.append(_added_by_repository(rows, bucket=bucket))
    for bucket, first, last in days_spans:
        selects.append(
            _added_by_repository(days.filter(date__gte=first, date__lte=last), bucket=bucket)
        )
    return selects


def _added_by_repository(rows: QuerySet, *, bucket: int) -> QuerySet:
    """The rows' views and clones added up by repository, as one bucket's."""
    return (
        rows.values("repository_id")
        .annotate(
            key=F("repository_id"),
            bucket=Value(bucket),
            # PostgreSQL's SUM of a bigint is a numeric; every part reads as a bigint.
            views_sum=Cast(Sum("views"), BigIntegerField()),
            clones_sum=Cast(Sum("clones"), BigIntegerField()),
            partial_any=Max(Cast("partial", IntegerField())),
        )
        .values_list(*_SUMS_COLUMNS)
    )


def _combined_chart(
    *, sums: list[_Buckets], keys: list[int], interval: str, start: dt.date, end: dt.date
) -> dict[str, Any]:
    """The total across repositories per bucket. A bucket is partial when a repository's
    day in it may still grow, or when the range holds only part of it."""
    views: dict[int, int] = defaultdict(int)
    clones: dict[int, int] = defaultdict(int)
    partial: set[int] = set()
    for buckets in sums:
        for key, value in buckets.views.items():
            views[key] += value
        for key, value in buckets.clones.items():
            clones[key] += value
        partial |= buckets.partial
    if interval != DAY:
        first, last = keys[0], keys[-1]
        if _bucket_first_day(first, interval) < start:
            partial.add(first)
        following = _bucket_first_day(last + 1, interval)
        if following - dt.timedelta(days=1) > end:
            partial.add(last)
    return {
        "interval": interval,
        "dates": [_bucket_first_day(key, interval).isoformat() for key in keys],
        "views": [views.get(key, 0) for key in keys],
        "clones": [clones.get(key, 0) for key in keys],
        "partial": [key in partial for key in keys],
    }
