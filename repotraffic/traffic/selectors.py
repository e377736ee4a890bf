import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from repotraffic.common.dates import DateRange, month_first_day, month_following, week_first_day
from repotraffic.common.lookups import model_get_by_fields
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Collection, TrafficDay, TrafficWeek, collection_pending_q

METRICS = ("views", "unique_views", "clones", "unique_clones")
ALL_DATES = DateRange()


def collection_of(repository: Repository) -> Collection:
    """The repository's collection state: the one read with it (select_related
    ("collection"), collection_get) or else one query. A repository without one (made
    with bulk_create) reads as never collected: a Collection with every field at its
    default, not saved."""
    try:
        return repository.collection
    except Collection.DoesNotExist:
        return Collection(repository=repository)


def collection_get(*, repository: Repository) -> Collection:
    """The repository's collection state through a raw SELECT (common.lookups: the
    detail endpoint reads it on every request), kept on the repository, so that
    collection_of(repository) is that one too."""
    collection = model_get_by_fields(Collection, repository=repository.id) or Collection()
    collection.repository = repository  # a one-to-one: also caches it on the repository
    return collection


def _span_start(
    *, first_row: dt.date | None, repository: Repository, date_range: DateRange
) -> dt.date:
    start = collection_of(repository).collected_from
    if start is None or (first_row is not None and first_row < start):
        start = first_row
    if start is None:
        raise ValueError("a span needs a first row or a collected range")
    if date_range.start is not None and date_range.start > start:
        start = date_range.start
    return start


def _filtered(queryset: QuerySet[TrafficDay], date_range: DateRange) -> QuerySet[TrafficDay]:
    if date_range.start:
        queryset = queryset.filter(date__gte=date_range.start)
    if date_range.end:
        queryset = queryset.filter(date__lte=date_range.end)
    return queryset


@dataclass(frozen=True)
class SeriesTotals:
    """Totals of a series: views and clones summed, days counted. Unique visitors and
    cloners are not summed: GitHub counts a person once per day, so they never add up
    across days."""

    views: int
    clones: int
    days: int
    partial_days: int


@dataclass(frozen=True)
class TrafficColumns:
    """A gap-free daily series as one list per metric: day i is `start` + i days.

    `partial` lists the offsets, ascending, of the days whose figures may still be too
    low (TrafficDay.partial; a day without a row only at an edge of the collected range).
    """

    start: dt.date | None
    views: list[int]
    unique_views: list[int]
    clones: list[int]
    unique_clones: list[int]
    partial: list[int]

    def __len__(self) -> int:
        return len(self.views)

    @property
    def totals(self) -> SeriesTotals:
        return SeriesTotals(
            views=sum(self.views),
            clones=sum(self.clones),
            days=len(self),
            partial_days=len(self.partial),
        )

    def as_rows(self) -> list[dict[str, Any]]:
        """The same series in traffic_series's shape."""
        if self.start is None:  # only an empty series has no start
            return []
        start = self.start
        partial = set(self.partial)
        return [
            {
                "date": (start + dt.timedelta(days=offset)).isoformat(),
                "views": self.views[offset],
                "unique_views": self.unique_views[offset],
                "clones": self.clones[offset],
                "unique_clones": self.unique_clones[offset],
                "partial": offset in partial,
            }
            for offset in range(len(self))
        ]


def _columns(
    rows: Iterable[tuple[str, int, int, int, int, bool]],
    *,
    repository: Repository,
    date_range: DateRange,
) -> TrafficColumns:
    """Rows (date-sorted, already inside `date_range`) as columns, every other day of the
    span as zero.

    GitHub leaves days without traffic out of its responses, so inside the collected
    range a missing day means zero, not unknown; it is partial only at an edge of that
    range (the newest day was today when last collected, the oldest cut short). The span
    is the collected range widened to the rows (rows outside it predate the range being
    recorded), within `date_range`. Never collected and no rows: empty. Lists of ints,
    not a dict and a date object per row: for many repositories those were most of the
    all-repositories page's time.
    """
    metrics: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
    views, unique_views, clones, unique_clones = metrics
    partial: list[int] = []
    to_ordinal = dt.date.toordinal
    from_text = dt.date.fromisoformat
    collection = collection_of(repository)
    edges = sorted(
        {day.toordinal() for day in (collection.collected_from, collection.collected_until) if day}
    )
    # Ordinals: the first day (None until known), the next day to fill (once it is).
    start: int | None = None
    following = 0

    def zeros(*, start: int, following: int, until: int) -> None:
        """Days `following` .. `until` - 1, which have no row."""
        for metric in metrics:
            metric.extend([0] * (until - following))
        partial.extend(edge - start for edge in edges if following <= edge < until)

    for text, day_views, day_unique_views, day_clones, day_unique_clones, day_partial in rows:
        ordinal = to_ordinal(from_text(text))
        if start is None:
            first = _span_start(
                first_row=dt.date.fromordinal(ordinal), repository=repository, date_range=date_range
            )
            start = following = first.toordinal()
        if ordinal > following:
            zeros(start=start, following=following, until=ordinal)
        views.append(day_views)
        unique_views.append(day_unique_views)
        clones.append(day_clones)
        unique_clones.append(day_unique_clones)
        if day_partial:
            partial.append(ordinal - start)
        following = ordinal + 1
    if start is None:
        if collection.collected_from is None:
            return TrafficColumns(None, *metrics, partial)
        start = following = _span_start(
            first_row=None, repository=repository, date_range=date_range
        ).toordinal()
    until = collection.collected_until
    if until is not None and date_range.end is not None:
        until = min(until, date_range.end)
    if until is not None and until.toordinal() >= following:
        zeros(start=start, following=following, until=until.toordinal() + 1)
    return TrafficColumns(dt.date.fromordinal(start), *metrics, partial)


def traffic_columns_many(
    *, repositories: Iterable[Repository], date_range: DateRange = ALL_DATES
) -> dict[uuid.UUID, TrafficColumns]:
    """traffic_series for many repositories in one query, as columns, by repository id.
    Their collection state comes with them (select_related("collection")) or costs a
    query each."""
    # Ids and dates are read as text: a UUID and a date object per row were most of
    # the time for 100 repositories x 3 years. SQLite spells ids as hex, PostgreSQL
    # with dashes; both spell dates YYYY-MM-DD.
    repositories = list(repositories)
    by_text = {}
    for repository in repositories:
        by_text[repository.id.hex] = by_text[str(repository.id)] = repository
    ids = [repository.id for repository in repositories]
    rows = _filtered(TrafficDay.objects.filter(repository_id__in=ids), date_range)
    rows = rows.annotate(
        key=Cast("repository_id", CharField()), day=Cast("date", CharField())
    ).order_by("repository_id", "date")
    columns = {}
    columns_read = rows.values_list("key", "day", *METRICS, "partial")
    for key, group in groupby(columns_read, key=itemgetter(0)):
        repository = by_text[key]
        columns[repository.id] = _columns(
            (row[1:] for row in group), repository=repository, date_range=date_range
        )
    for repository in repositories:
        if repository.id not in columns:
            columns[repository.id] = _columns((), repository=repository, date_range=date_range)
    return columns


def traffic_series(
    *, repository: Repository, date_range: DateRange = ALL_DATES
) -> list[dict[str, Any]]:
    """Daily traffic of one repository, sorted by date, one entry for every day of its
    collected range (and of its rows) within `date_range`, days without a row as zero."""
    columns = traffic_columns_many(repositories=[repository], date_range=date_range)
    return columns[repository.id].as_rows()


def traffic_series_many(
    *, repositories: Iterable[Repository], date_range: DateRange = ALL_DATES
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """traffic_series for many repositories in one query, by repository id."""
    columns = traffic_columns_many(repositories=repositories, date_range=date_range)
    return {repository_id: series.as_rows() for repository_id, series in columns.items()}


def _periods(
    columns: TrafficColumns,
    *,
    period_of: Callable[[dt.date], dt.date],
    length: Callable[[dt.date], int],
) -> list[dict[str, Any]]:
    """The series summed by period (`period_of` a day: the period's first day): views and
    clones added, partial when a day of it is or the series holds only part of it."""
    if columns.start is None:
        return []
    partial_days = set(columns.partial)
    periods: dict[dt.date, dict[str, Any]] = {}
    for offset in range(len(columns)):
        first = period_of(columns.start + dt.timedelta(days=offset))
        entry = periods.setdefault(first, {"views": 0, "clones": 0, "days": 0, "partial": False})
        entry["views"] += columns.views[offset]
        entry["clones"] += columns.clones[offset]
        entry["days"] += 1
        entry["partial"] |= offset in partial_days
    for first, entry in periods.items():
        entry["whole"] = entry.pop("days") == length(first)
        entry["partial"] |= not entry["whole"]
    return [{"first": first, **entry} for first, entry in periods.items()]


def _month_length(first: dt.date) -> int:
    return (month_following(first) - first).days


def traffic_weeks(*, repository: Repository, columns: TrafficColumns) -> list[dict[str, Any]]:
    """The series by week (Monday 00:00 UTC): views and clones summed from the days shown,
    and GitHub's own weekly uniques where it gave them for the whole week (a complete
    TrafficWeek) and the series holds all of it; null otherwise, since daily uniques do
    not add up and GitHub never said. One query for the weeks."""
    periods = _periods(columns, period_of=week_first_day, length=lambda _: 7)
    whole = [period["first"] for period in periods if period["whole"]]
    uniques = (
        dict(
            (row[0], row[1:])
            for row in TrafficWeek.objects.filter(
                repository=repository, week__in=whole, complete=True
            ).values_list("week", "unique_views", "unique_clones")
        )
        if whole
        else {}
    )
    return [
        {
            "week": period["first"].isoformat(),
            "views": period["views"],
            "clones": period["clones"],
            "unique_views": uniques[period["first"]][0] if period["first"] in uniques else None,
            "unique_clones": uniques[period["first"]][1] if period["first"] in uniques else None,
            "partial": period["partial"],
        }
        for period in periods
    ]


def traffic_months(*, columns: TrafficColumns) -> list[dict[str, Any]]:
    """The series by calendar month (UTC): views and clones summed; no uniques at all, as
    GitHub gives no monthly uniques and daily or weekly ones do not add up."""
    periods = _periods(columns, period_of=month_first_day, length=_month_length)
    return [
        {
            "month": period["first"].isoformat()[:7],
            "views": period["views"],
            "clones": period["clones"],
            "unique_views": None,
            "unique_clones": None,
            "partial": period["partial"],
        }
        for period in periods
    ]


@dataclass(frozen=True)
class TrafficDetail:
    """The traffic part of a repository's detail: its collected range, the totals of the
    days shown, and those days, or their weeks or months (one of the three, by
    interval; repository_serializers.TrafficDetailSerializer and its variants)."""

    collected_from: dt.date | None
    collected_until: dt.date | None
    totals: SeriesTotals
    traffic: list[dict[str, Any]] | None = None
    weeks: list[dict[str, Any]] | None = None
    months: list[dict[str, Any]] | None = None


def traffic_detail(
    *, repository: Repository, date_range: DateRange = ALL_DATES, interval: str = "day"
) -> TrafficDetail:
    """The traffic part of a repository's detail: its collected range, the totals of the
    days within `date_range`, and those days (traffic_series), or for `interval` "week"
    or "month" their weeks or months instead."""
    columns = traffic_columns_many(repositories=[repository], date_range=date_range)
    series = columns[repository.id]
    collection = collection_of(repository)
    traffic = weeks = months = None
    if interval == "week":
        weeks = traffic_weeks(repository=repository, columns=series)
    elif interval == "month":
        months = traffic_months(columns=series)
    else:
        traffic = series.as_rows()
    return TrafficDetail(
        collected_from=collection.collected_from,
        collected_until=collection.collected_until,
        totals=series.totals,
        traffic=traffic,
        weeks=weeks,
        months=months,
    )


_ID_PAGE = 2000


@dataclass(frozen=True)
class CollectionJob:
    """A repository to collect, and its lane: the budget key of the credential it was
    last collected with (Collection.token_key), or "" when not known yet. Run by
    traffic.collection.traffic_fetch_many."""

    repository_id: uuid.UUID
    lane: str = ""


def _jobs_paged(queryset: QuerySet[Repository]) -> Iterator[CollectionJob]:
    """The queryset's repositories in id order as jobs, read one page at a time, each
    page its own short query.

    Not `.iterator()`: on SQLite its statement stays open until the last row is read, and
    that read transaction, held for a whole collection run, stops every WAL checkpoint, so
    the -wal file grew by about 50 KB per repository collected (470 MB for 10,000).
    """
    rows = queryset.order_by("pk").values_list("pk", "collection__token_key")
    last: uuid.UUID | None = None
    while True:
        page = list((rows if last is None else rows.filter(pk__gt=last))[:_ID_PAGE])
        yield from (CollectionJob(pk, lane or "") for pk, lane in page)
        if len(page) < _ID_PAGE:
            return
        last = page[-1][0]


def collection_jobs_all() -> Iterator[CollectionJob]:
    """Every repository once, in the order `manage.py fetch_traffic` collects them: those
    never collected first, then by their last success, oldest first; each in the lane of
    the credential it was last collected with (traffic.collection). A first collection
    goes ahead only where the token's hour can spare it beside the daily collections still
    due on it (budget.services.daily_budget_spare). When a token's hour runs short
    mid-run, the rest wait at its gate for the next hour (budget.gates). A repository
    collected while this is read is not given again. (The scheduled run queues each
    token's share of an hour instead: traffic.dispatch_selectors.repository_ids_due.)"""
    started = timezone.now()
    yield from _jobs_paged(Repository.objects.filter(collection__last_success_at__isnull=True))
    collected = (
        Repository.objects.filter(collection__last_success_at__lt=started)
        .order_by("collection__last_success_at", "pk")
        .values_list("collection__last_success_at", "pk", "collection__token_key")
    )
    last: tuple[dt.datetime | None, uuid.UUID] | None = None
    while True:
        after = collected
        if last is not None:
            after = collected.filter(
                Q(collection__last_success_at__gt=last[0])
                | Q(collection__last_success_at=last[0], pk__gt=last[1])
            )
        page = list(after[:_ID_PAGE])
        yield from (CollectionJob(pk, lane) for _, pk, lane in page)
        if len(page) < _ID_PAGE:
            return
        last = page[-1][:2]


def collections_due_count(*, token_key: str, exclude: uuid.UUID | None = None) -> int:
    """The repositories collected before whose requested collection has not succeeded
    yet and whose last collection used the token `token_key`: what the daily collection
    still needs of that token (budget.services.daily_budget_spare). First collections
    waiting for an hour are not counted: counted, they would hold each other back.
    `exclude`: the one being collected."""
    due = Collection.objects.filter(
        collection_pending_q(), token_key=token_key, last_success_at__isnull=False
    )
    if exclude is not None:
        due = due.exclude(pk=exclude)
    return due.count()
