"""Daily snapshots besides the traffic: GitHub's top-10 lists (referring sites, popular
pages) and the repository's own counts (stars, forks, watchers, open issues)."""

import datetime as dt

from django.db import transaction

from repotraffic.integrations.github.client import PopularEntry, PopularLists, RepositoryInfo
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import PopularSnapshot, RepositorySnapshot


def traffic_popular_store(
    *, repository: Repository, lists: PopularLists, fetched_on: dt.date
) -> int:
    """Keep the day's snapshot of both lists: one short transaction, one bulk upsert.

    Each entry's figures are GitHub's rolling 14-day totals as of the fetch. A second
    fetch on the same UTC day keeps the larger of each figure (nothing reported is
    lowered); an entry that left the list keeps the day's earlier snapshot.
    Returns the number of rows written. Runs after every network call is done.
    """
    day = fetched_on
    reported: dict[tuple[str, str], PopularEntry] = {}
    for kind, entries in (
        (str(PopularSnapshot.Kind.REFERRER), lists.referrers),
        (str(PopularSnapshot.Kind.PATH), lists.paths),
    ):
        for entry in entries:
            reported[(kind, entry.name)] = entry
    if not reported:
        return 0
    with transaction.atomic(savepoint=False):
        stored: dict[tuple[str, str], tuple[int, int]] = {
            (str(row_kind), row_name): (row_count, row_uniques)
            for row_kind, row_name, row_count, row_uniques in PopularSnapshot.objects.filter(
                repository=repository, date=day
            ).values_list("kind", "name", "count", "uniques")
        }
        rows = []
        for (kind, name), entry in reported.items():
            count, uniques = stored.get((kind, name), (0, 0))
            figures = (max(count, entry.count), max(uniques, entry.uniques))
            if stored.get((kind, name)) == figures:
                continue
            rows.append(
                PopularSnapshot(
                    repository=repository,
                    kind=kind,
                    date=day,
                    name=name,
                    title=entry.title,
                    count=figures[0],
                    uniques=figures[1],
                )
            )
        if rows:
            PopularSnapshot.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["repository", "kind", "date", "name"],
                update_fields=["title", "count", "uniques"],
            )
    return len(rows)


def repository_snapshot_store(
    *, repository: Repository, info: RepositoryInfo, fetched_on: dt.date
) -> None:
    """Keep the day's stars, forks, watchers and open issues; a second collection the
    same UTC day keeps the larger of each."""
    day = fetched_on
    reported = {
        "stars": info.stars,
        "forks": info.forks,
        "watchers": info.watchers,
        "open_issues": info.open_issues,
    }
    with transaction.atomic(savepoint=False):
        stored = (
            RepositorySnapshot.objects.filter(repository=repository, date=day)
            .values(*reported)
            .first()
        )
        figures = {key: max(value, (stored or {}).get(key, 0)) for key, value in reported.items()}
        if figures != stored:
            RepositorySnapshot.objects.bulk_create(
                [RepositorySnapshot(repository=repository, date=day, **figures)],
                update_conflicts=True,
                unique_fields=["repository", "date"],
                update_fields=list(figures),
            )
