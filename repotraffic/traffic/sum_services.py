"""Keeping TrafficSum (views and clones by week and by month) equal to the sums of the
TrafficDay rows it is made from. Every write of days calls traffic_sums_refresh in the
same transaction: traffic.services.traffic_store (a collection) and
traffic.archive_services (an import)."""

import datetime as dt
import uuid
from collections.abc import Iterable

from repotraffic.common.dates import month_first_day, month_following, week_first_day
from repotraffic.traffic.models import TrafficDay, TrafficSum

WEEK, MONTH = TrafficSum.Period.WEEK, TrafficSum.Period.MONTH
_Key = tuple[str, dt.date]  # (period, its first day)


def _periods_of(day: dt.date) -> tuple[_Key, _Key]:
    return (WEEK, week_first_day(day)), (MONTH, month_first_day(day))


def traffic_sums_add(
    rows: Iterable[tuple[dt.date, int, int, bool]], *, only: set[_Key] | None = None
) -> dict[_Key, list]:
    """(date, views, clones, partial) rows summed by week and by month: {(period, first
    day): [views, clones, partial]}. With `only`, just those periods."""
    sums: dict[_Key, list] = {}
    for day, views, clones, partial in rows:
        for key in _periods_of(day):
            if only is not None and key not in only:
                continue
            entry = sums.get(key)
            if entry is None:
                sums[key] = [views, clones, partial]
            else:
                entry[0] += views
                entry[1] += clones
                entry[2] = entry[2] or partial
    return sums


def traffic_sums_refresh(*, repository_id: uuid.UUID, days: Iterable[dt.date]) -> int:
    """Sum again, from the stored days, every week and month of the repository that
    holds one of `days` (days just written), and store those sums. Call it in the
    transaction that wrote the days. Returns the number of sums written."""
    periods = {key for day in days for key in _periods_of(day)}
    if not periods:
        return 0
    first = min(start for _, start in periods)
    last = max(
        start + dt.timedelta(days=6)
        if period == WEEK
        else month_following(start) - dt.timedelta(days=1)
        for period, start in periods
    )
    rows = TrafficDay.objects.filter(
        repository_id=repository_id, date__gte=first, date__lte=last
    ).values_list("date", "views", "clones", "partial")
    sums = traffic_sums_add(rows.order_by(), only=periods)
    # Days are never deleted, so every period here has a row now.
    _sums_store(repository_id=repository_id, sums=sums)
    return len(sums)


def traffic_sums_rebuild(*, repository_ids: Iterable[uuid.UUID]) -> int:
    """Every sum of these repositories from all their days (for data written without
    traffic_sums_refresh: a migration, a benchmark's seed). Returns the sums written."""
    written = 0
    for repository_id in repository_ids:
        rows = TrafficDay.objects.filter(repository_id=repository_id).values_list(
            "date", "views", "clones", "partial"
        )
        sums = traffic_sums_add(rows.order_by())
        TrafficSum.objects.filter(repository_id=repository_id).delete()
        _sums_store(repository_id=repository_id, sums=sums)
        written += len(sums)
    return written


def _sums_store(*, repository_id: uuid.UUID, sums: dict[_Key, list]) -> None:
    TrafficSum.objects.bulk_create(
        traffic_sums_objects(model=TrafficSum, repository_id=repository_id, sums=sums),
        update_conflicts=True,
        unique_fields=["repository", "period", "start"],
        update_fields=["views", "clones", "partial"],
        batch_size=1000,
    )


def traffic_sums_objects(
    *, model: type[TrafficSum], repository_id: uuid.UUID, sums: dict[_Key, list]
) -> list[TrafficSum]:
    """The sums (from traffic_sums_add) as unsaved rows of `model`: TrafficSum, or the
    model as a migration has it."""
    return [
        model(
            repository_id=repository_id,
            period=period,
            start=start,
            views=views,
            clones=clones,
            partial=partial,
        )
        for (period, start), (views, clones, partial) in sums.items()
    ]
