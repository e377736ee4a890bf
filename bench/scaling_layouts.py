"""The layouts of traffic_trafficday that bench/scaling_pg.py compares, and what it
measures on each: bytes per row, the app's reads (pages touched, server and app time),
its daily upsert (time and WAL) and vacuum. Also the helpers both modules use."""

# Every SQL name built into a string here is one of this module's own.
# ruff: noqa: S608

import dataclasses
import datetime as dt
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import scaling_seed as seed

NEXT = seed.END + dt.timedelta(days=1)  # the day the measured upserts collect
FETCHED_AT = seed.RUN_AT + dt.timedelta(days=1)
FIGURES = ("views", "unique_views", "clones", "unique_clones", "partial")
TABLE = "traffic_trafficday"


def first_row(pg: psycopg.Connection, sql: str, params: Any = None) -> tuple[Any, ...]:
    row = pg.execute(sql, params).fetchone()
    if row is None:
        raise RuntimeError(f"no row from {sql}")
    return row


def value(pg: psycopg.Connection, sql: str, params: Any = None) -> Any:
    return first_row(pg, sql, params)[0]


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def explain(pg: psycopg.Connection, sql: str) -> tuple[float, float, int]:
    """Planning ms, execution ms and pages touched (shared hit + read) of one query."""
    plan = value(pg, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)[0]
    top = plan["Plan"]
    return (
        plan["Planning Time"],
        plan["Execution Time"],
        top["Shared Hit Blocks"] + top["Shared Read Blocks"],
    )


def sizes(pg: psycopg.Connection, table: str = TABLE) -> dict[str, Any]:
    """Rows, and bytes per row of the heap (with its TOAST, free space and visibility
    maps) and of each index (by definition, summed over partitions)."""
    leaves = [
        row[0]
        for row in pg.execute(
            "SELECT relid::text FROM pg_partition_tree(%s::regclass) WHERE isleaf", [table]
        )
    ] or [table]
    rows = value(pg, f"SELECT count(*) FROM {table}") or 1
    heap = sum(value(pg, "SELECT pg_table_size(%s::regclass)", [leaf]) for leaf in leaves)
    indexes = {
        definition: float(size) / rows
        for definition, size in pg.execute(
            """SELECT regexp_replace(pg_get_indexdef(indexrelid), '^.* USING btree ', ''),
                 sum(pg_relation_size(indexrelid))
               FROM pg_index WHERE indrelid = ANY(%s::regclass[]) GROUP BY 1 ORDER BY 1""",
            [leaves],
        )
    }
    return {
        "rows": rows,
        "heap": heap / rows,
        "indexes": indexes,
        "total": heap / rows + sum(indexes.values()),
    }


@dataclasses.dataclass
class Samples:
    reads: list  # repositories, each with its collection state
    pages: list  # the 100 repositories of one user, for a few users
    batches: Iterator[list[uuid.UUID]]  # never the same repository twice


def samples_pick(*, traffic_repositories: int, batch: int) -> Samples:
    from repotraffic.repositories.models import Repository

    def pick(indexes: list[int]) -> list:
        ids = [uuid.UUID(seed.repository_id(i)) for i in indexes]
        found = {
            r.id: r for r in Repository.objects.select_related("collection").filter(id__in=ids)
        }
        return [found[i] for i in ids]

    quarter = traffic_repositories // 4
    reads = pick([k * quarter // 15 for k in range(15)])
    users = min(5, traffic_repositories // 100 // 2)
    pages = [pick(list(range(100 * k, 100 * k + 100))) for k in range(1, users + 1)]

    def batches() -> Iterator[list[uuid.UUID]]:
        first = traffic_repositories // 2
        while first + batch <= traffic_repositories:
            yield [uuid.UUID(seed.repository_id(i)) for i in range(first, first + batch)]
            first += batch
        raise RuntimeError("out of repositories for upserts: raise --traffic-repositories")

    return Samples(reads=reads, pages=pages, batches=batches())


def reads_measure(pg: psycopg.Connection, groups: list[list], *, start: dt.date | None) -> dict:
    """traffic_columns_many for each group of repositories: the SQL it sends, explained,
    and the call's own time (warm), medians."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from repotraffic.common.dates import DateRange
    from repotraffic.traffic.selectors import traffic_columns_many

    date_range = DateRange(start=start)
    planning, execution, pages, app = [], [], [], []
    for repositories in groups:
        with CaptureQueriesContext(connection) as captured:
            traffic_columns_many(repositories=repositories, date_range=date_range)
        plan_ms, exec_ms, touched = explain(pg, captured.captured_queries[-1]["sql"])
        planning.append(plan_ms)
        execution.append(exec_ms)
        pages.append(touched)
        started = time.perf_counter()
        traffic_columns_many(repositories=repositories, date_range=date_range)
        app.append((time.perf_counter() - started) * 1000)
    return {
        "pages": statistics.median(pages),
        "plan_ms": statistics.median(planning),
        "exec_ms": statistics.median(execution),
        "app_ms": statistics.median(app),
    }


def _reported(repositories: list) -> dict:
    """What GitHub answers on NEXT for each repository: D-14 .. D-2 as stored, D-1
    (stored partial) complete and a little higher, D new and partial."""
    from repotraffic.traffic.merge import DayFigures
    from repotraffic.traffic.models import TrafficDay

    reported: dict[uuid.UUID, dict[dt.date, DayFigures]] = {r.id: {} for r in repositories}
    rows = TrafficDay.objects.filter(
        repository__in=repositories, date__gte=NEXT - dt.timedelta(days=14)
    ).values_list("repository_id", "date", *FIGURES)
    for repository_id, day, *figures in rows:
        reported[repository_id][day] = DayFigures(*figures)
    for days in reported.values():
        yesterday = days[seed.END]
        days[seed.END] = dataclasses.replace(yesterday, views=yesterday.views + 1, partial=False)
        days[NEXT] = DayFigures(views=7, unique_views=3, clones=2, unique_clones=1, partial=True)
    return reported


def upserts_measure(pg: psycopg.Connection, samples: Samples, *, repeats: int) -> dict:
    """traffic_store, the collection's write of the daily traffic, for batches of
    repositories: ms and WAL bytes per repository, each batch right after a checkpoint
    (medians; WAL is the server's, so other work adds to it: the lowest is kept)."""
    from repotraffic.repositories.models import Repository
    from repotraffic.traffic.services import traffic_store

    per_repository, wal = [], []
    for _ in range(repeats):
        ids = next(samples.batches)
        repositories = list(Repository.objects.select_related("collection").filter(id__in=ids))
        reported = _reported(repositories)
        # After a checkpoint the first change of each page writes the whole page to the
        # WAL: at a million repositories, with checkpoints every few minutes, nearly
        # every page a daily run touches is a first change. So this WAL is the figure.
        pg.execute("CHECKPOINT")
        lsn = value(pg, "SELECT pg_current_wal_insert_lsn()")

        def store_all(repositories: list = repositories, reported: dict = reported) -> None:
            for repository in repositories:
                traffic_store(
                    repository=repository,
                    reported=reported[repository.id],
                    fetched_at=FETCHED_AT,
                    fetched_on=NEXT,
                )

        per_repository.append(timed(store_all) * 1000 / len(repositories))
        written = value(pg, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)", [lsn])
        wal.append(float(written) / len(repositories))
    return {"ms": statistics.median(per_repository), "wal_bytes": min(wal)}


def layout_measure(pg: psycopg.Connection, samples: Samples, *, vacuum: str, repeats: int) -> dict:
    from django.db import connection

    connection.close()  # the table under the name may be another one now
    result: dict[str, Any] = {"size": sizes(pg)}
    result["detail"] = reads_measure(pg, [[r] for r in samples.reads], start=None)
    result["recent"] = reads_measure(
        pg, [[r] for r in samples.reads], start=seed.END - dt.timedelta(days=29)
    )
    result["page"] = reads_measure(pg, samples.pages, start=None)
    result["upsert"] = upserts_measure(pg, samples, repeats=repeats)
    result["vacuum_s"] = timed(lambda: pg.execute(f"VACUUM (INDEX_CLEANUP ON) {vacuum}"))
    result["analyze_s"] = timed(lambda: pg.execute(f"ANALYZE {TABLE}"))
    return result


@contextmanager
def in_place(pg: psycopg.Connection, name: str) -> Iterator[None]:
    """`name` is traffic_trafficday for the app while the block runs."""
    pg.execute(f"ALTER TABLE {TABLE} RENAME TO scaling_plain")
    pg.execute(f"ALTER TABLE {name} RENAME TO {TABLE}")
    try:
        yield
    finally:
        pg.execute(f"ALTER TABLE {TABLE} RENAME TO {name}")
        pg.execute(f"ALTER TABLE scaling_plain RENAME TO {TABLE}")


def partitioned_copy(
    pg: psycopg.Connection, *, name: str, by: str, partitions: list[tuple[str, str]]
) -> float:
    """A copy of the (lean) table partitioned `by`, filled in its physical order (as
    collected), with the unique constraint and the foreign key. Seconds it took."""
    sequence = value(pg, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    started = time.perf_counter()
    pg.execute(
        f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        f"PARTITION BY {by}"
    )
    pg.execute(f"ALTER TABLE {name} ALTER COLUMN id SET DEFAULT nextval('{sequence}')")
    for suffix, bounds in partitions:
        pg.execute(f"CREATE TABLE {name}_{suffix} PARTITION OF {name} {bounds}")
    pg.execute(f"INSERT INTO {name} SELECT * FROM {TABLE}")
    pg.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_unique UNIQUE (repository_id, date)")
    pg.execute(
        f"ALTER TABLE {name} ADD CONSTRAINT {name}_repository FOREIGN KEY (repository_id) "
        "REFERENCES repositories_repository (id) DEFERRABLE INITIALLY DEFERRED"
    )
    pg.execute(f"VACUUM (ANALYZE) {name}")
    return time.perf_counter() - started


def months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    bounds, month = [], first.replace(day=1)
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        bounds.append((month, following))
        month = following
    return bounds


def layouts_measure(pg: psycopg.Connection, samples: Samples, *, days: int, repeats: int) -> dict:
    results: dict[str, Any] = {}
    built: dict[str, float] = {}

    def measure(label: str, vacuum: str = TABLE) -> None:
        print(f"  measuring {label}", flush=True)
        results[label] = layout_measure(pg, samples, vacuum=vacuum, repeats=repeats)

    measure("today")
    constraints, indexes = seed.table_constraints(pg, TABLE)
    for name, kind, _ in constraints:
        if kind == "p":
            pg.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        pg.execute(f"DROP INDEX {name}")
    measure("lean")

    built["covering"] = timed(
        lambda: pg.execute(
            f"CREATE UNIQUE INDEX scaling_covering ON {TABLE} (repository_id, date) "
            "INCLUDE (views, unique_views, clones, unique_clones, partial)"
        )
    )
    pg.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT traffic_day_unique")
    pg.execute(f"VACUUM (ANALYZE) {TABLE}")
    measure("covering")
    pg.execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT traffic_day_unique UNIQUE (repository_id, date)"
    )
    pg.execute("DROP INDEX scaling_covering")
    pg.execute(f"ANALYZE {TABLE}")

    hashed = [(f"p{k}", f"FOR VALUES WITH (MODULUS 16, REMAINDER {k})") for k in range(16)]
    built["hash16"] = partitioned_copy(
        pg, name="scaling_hash", by="HASH (repository_id)", partitions=hashed
    )
    with in_place(pg, "scaling_hash"):
        measure("hash16")
    pg.execute("DROP TABLE scaling_hash")

    first = seed.END - dt.timedelta(days=days - 1)
    spans = months(first, NEXT)
    monthly = [
        (f"m{start:%Y%m}", f"FOR VALUES FROM ('{start}') TO ('{end}')") for start, end in spans
    ]
    built["month"] = partitioned_copy(
        pg, name="scaling_month", by="RANGE (date)", partitions=monthly
    )
    hot = f"scaling_month_m{NEXT:%Y%m}"
    with in_place(pg, "scaling_month"):
        measure("month", vacuum=hot)
    closed = [
        f"scaling_month_m{start:%Y%m}"
        for start, end in spans
        if end <= NEXT - dt.timedelta(days=14)
    ]

    def cluster_closed() -> None:
        for partition in closed:
            index = value(
                pg,
                "SELECT indexrelid::regclass::text FROM pg_index "
                "WHERE indrelid = %s::regclass AND indisunique",
                [partition],
            )
            pg.execute(f"CLUSTER {partition} USING {index}")
        pg.execute("VACUUM (ANALYZE) scaling_month")

    built["month-sorted"] = timed(cluster_closed)
    built["month-sorted, per month"] = built["month-sorted"] / max(1, len(closed))
    with in_place(pg, "scaling_month"):
        measure("month-sorted", vacuum=hot)
    pg.execute("DROP TABLE scaling_month")

    built["clustered"] = timed(
        lambda: (
            pg.execute(f"CLUSTER {TABLE} USING traffic_day_unique"),
            pg.execute(f"VACUUM (ANALYZE) {TABLE}"),
        )
    )
    measure("clustered")
    return {
        "layouts": results,
        "built_s": built,
        "partitions": {"month": len(spans), "closed": len(closed)},
    }
