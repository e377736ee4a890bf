"""PostgreSQL at a million repositories, measured on a generated table (docs/scaling.md).

    .venv/bin/python bench/scaling_pg.py
        [--url postgres://postgres@127.0.0.1:5432/repotraffic_scaling]
        [--repositories 1000000] [--traffic-repositories 20000] [--days 1095]
        [--grow-repositories 2000] [--grow-days 365] [--other-repositories 1000]
        [--other-days 60] [--batch 300] [--repeats 3] [--json PATH] [--keep]

Creates its own database on the server (the URL's name plus a random suffix), runs the
app's migrations on it, and fills it with SQL (bench/scaling_seed.py): a million
repositories with their users and collection state, and the daily traffic of the first
20,000 over 3 years (21.9 million rows), written day after day as the daily collection
writes them. Then it measures the app's own code (the selectors and services, in this
process, with Django's ORM on that database) and EXPLAIN (ANALYZE, BUFFERS) of the SQL
they send, on each layout of traffic_trafficday in turn (bench/scaling_layouts.py):

today      the table as the migrations make it: an id primary key, UNIQUE (repository_id,
           date), and the foreign key's own index on repository_id;
lean       the same without the id key and the foreign key's index (unused by any query);
covering   lean, with the unique index covering the figures (INCLUDE), so reads are
           index-only;
hash16     lean, partitioned by hash of repository_id into 16;
month      lean, partitioned by range of date, one partition a month;
month-sorted  month, with every month GitHub can no longer revise (older than 14 days)
           rewritten in repository order (CLUSTER), once;
clustered  lean, the whole table rewritten in repository order (CLUSTER).

For each: bytes per row (heap and each index); a repository's whole detail (1,095 days,
what the collection renders and an unfiltered GET /api/repos/<id> reads), its last 30
days, and the all-repositories page's read of 100 repositories (traffic_columns_many):
pages touched (shared buffers hit + read: what a cold cache reads from disk), server and
app milliseconds; the daily upsert (traffic_store: 15 days, one new, one revised) of
batches of repositories, ms and WAL bytes per repository; VACUUM with index cleanup
after those upserts. Then, once: how a table grown day by day (inserts, revisions,
vacuum) compares in size with the bulk load; bytes per row of every other daily kind;
the stored detail JSON (render, store, WAL); and the scheduled run's two statements over
all million collection states. Medians of repeats; the machine is shared and noisy, so
compare ratios within one run. The database is dropped at the end unless --keep.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scaling_seed as seed
from scaling_layouts import (
    Samples,
    explain,
    first_row,
    layouts_measure,
    samples_pick,
    sizes,
    timed,
    value,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/repotraffic_scaling"


@contextmanager
def database(url: str, *, keep: bool) -> Iterator[str]:
    """A new database named after the URL's with a random suffix; dropped at the end
    unless `keep`. Yields its URL."""
    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'repotraffic_scaling'}_{uuid.uuid4().hex[:6]}"
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"kept database {name}")
        else:
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(url: str, var_dir: str) -> None:
    """Django on the benchmark's database; nothing can reach GitHub or a broker."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DJANGO_DEBUG="false",  # no query log: a million queries would fill it
        DATABASE_URL=url,
        CELERY_BROKER_URL="memory://",
        REPOTRAFFIC_GATE_URL="memory",
        REPOTRAFFIC_VAR_DIR=var_dir,
        GITHUB_API_URL="http://127.0.0.1:9",
        GITHUB_TOKEN="",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


def growth_measure(pg: psycopg.Connection, *, repositories: int, days: int) -> dict:
    """traffic_trafficday grown day by day (seed.grow_traffic_days) against the same
    rows bulk-loaded: how much larger production's heap and indexes are per row."""
    took = seed.grow_traffic_days(pg, repositories=repositories, days=days)
    grown = sizes(pg, "scaling_growth")
    pg.execute("VACUUM FULL scaling_growth")  # rewrites the heap and rebuilds every index
    packed = sizes(pg, "scaling_growth")
    pg.execute("DROP TABLE scaling_growth")
    return {"seconds": took, "grown": grown, "packed": packed}


def other_kinds_measure(pg: psycopg.Connection, *, repositories: int, days: int) -> dict:
    took = timed(lambda: seed.seed_other_kinds(pg, repositories=repositories, days=days))
    tables = [
        "traffic_repositorysnapshot",
        "traffic_popularsnapshot",
        "traffic_releaseassetday",
        "traffic_release",
        "traffic_trafficweek",
        "traffic_starhistoryday",
    ]
    return {"seconds": took, "sizes": {table: sizes(pg, table) for table in tables}}


def detail_json_measure(pg: psycopg.Connection, samples: Samples) -> dict:
    """The detail's traffic part that every collection renders and stores
    (TrafficDetailJson): its size, render and store times, and the WAL of storing it
    once and of replacing it the next day."""
    from django.db.models import F

    from repotraffic.traffic.detail_services import traffic_detail_json_store
    from repotraffic.traffic.models import Collection
    from repotraffic.traffic.repository_selectors import traffic_detail_render

    repositories = samples.reads
    lengths, render = [], []
    for repository in repositories:
        started = time.perf_counter()
        lengths.append(len(traffic_detail_render(repository=repository)))
        render.append((time.perf_counter() - started) * 1000)
    result: dict[str, Any] = {
        "bytes": statistics.median(lengths),
        "render_ms": statistics.median(render),
    }
    for label in ("store", "replace"):
        if label == "replace":  # the next day's collection moved the traffic version
            Collection.objects.filter(pk__in=[r.id for r in repositories]).update(
                traffic_updated_at=F("traffic_updated_at") + dt.timedelta(days=1)
            )
        lsn = value(pg, "SELECT pg_current_wal_insert_lsn()")
        took = timed(
            lambda: [
                traffic_detail_json_store(repository=repository) for repository in repositories
            ]
        )
        written = value(pg, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)", [lsn])
        result[f"{label}_ms"] = took * 1000 / len(repositories)
        result[f"{label}_wal_bytes"] = float(written) / len(repositories)
    pg.execute("VACUUM traffic_trafficdetailjson")
    result["table_bytes_per_row"] = sizes(pg, "traffic_trafficdetailjson")["total"]
    # The same texts compressed as TOAST would keep them with lz4 (the column is
    # STORAGE EXTERNAL, uncompressed, today).
    pg.execute("CREATE TEMPORARY TABLE scaling_lz4 (json text COMPRESSION lz4)")
    pg.execute("INSERT INTO scaling_lz4 SELECT json FROM traffic_trafficdetailjson")
    result["lz4_bytes"] = float(value(pg, "SELECT avg(pg_column_size(json)) FROM scaling_lz4"))
    pg.execute("DROP TABLE scaling_lz4")
    return result


def scheduled_run_measure(pg: psycopg.Connection, *, pages: int) -> dict:
    """The daily run's reads and writes of every collection state: the order it queues
    them in (collection_jobs_all, pages of 2,000; the first `pages`, with and without an
    index on the success time) and the one UPDATE that requests them all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from repotraffic.traffic.collection_services import collections_request_all
    from repotraffic.traffic.selectors import collection_jobs_all

    def first_pages() -> tuple[float, str]:
        ids = collection_jobs_all()
        with CaptureQueriesContext(connection) as captured:
            took = timed(lambda: [next(ids) for _ in range(2000 * pages)])
        return took / pages, captured.captured_queries[-1]["sql"]

    result: dict[str, Any] = {}
    result["page_s"], sql = first_pages()
    result["page_plan"] = explain(pg, sql)
    pg.execute(
        "CREATE INDEX scaling_collection_success "
        "ON traffic_collection (last_success_at, repository_id)"
    )
    pg.execute("ANALYZE traffic_collection")
    result["page_s_indexed"], sql = first_pages()
    result["page_plan_indexed"] = explain(pg, sql)
    # The same page read from the collection states alone, in the index's order (the
    # ORM's query orders by the repository's id, which the index cannot give).
    last = first_row(
        pg,
        "SELECT last_success_at, repository_id FROM traffic_collection "
        "ORDER BY last_success_at, repository_id OFFSET 2000 LIMIT 1",
    )
    result["page_plan_collection_only"] = explain(
        pg,
        value(
            pg,
            """SELECT format('SELECT repository_id FROM traffic_collection
                 WHERE last_success_at < now() AND (last_success_at, repository_id) > (%%L, %%L)
                 ORDER BY last_success_at, repository_id LIMIT 2000', %s::timestamptz, %s::uuid)""",
            list(last),
        ),
    )
    pg.execute("DROP INDEX scaling_collection_success")
    rows = value(pg, "SELECT count(*) FROM traffic_collection")
    result["collections"] = rows
    result["request_all_s"] = timed(collections_request_all)
    result["vacuum_s"] = timed(lambda: pg.execute("VACUUM (INDEX_CLEANUP ON) traffic_collection"))
    return result


def summary_print(results: dict) -> None:
    print("\n== traffic_trafficday layouts ==")
    print(
        f"{'layout':<13} {'B/row':>6} {'heap':>5} {'index':>6} | "
        f"{'detail pages':>12} {'ms':>5} {'app ms':>6} | {'30d pages':>9} {'ms':>5} | "
        f"{'page pages':>10} {'ms':>6} | {'upsert ms':>9} {'WAL B':>6} | {'vacuum s':>8}"
    )
    for label, r in results["layouts"]["layouts"].items():
        size, detail, recent, page = r["size"], r["detail"], r["recent"], r["page"]
        print(
            f"{label:<13} {size['total']:6.1f} {size['heap']:5.1f} "
            f"{size['total'] - size['heap']:6.1f} | {detail['pages']:12.0f} "
            f"{detail['exec_ms']:5.2f} {detail['app_ms']:6.2f} | {recent['pages']:9.0f} "
            f"{recent['exec_ms']:5.2f} | {page['pages']:10.0f} {page['exec_ms']:6.1f} | "
            f"{r['upsert']['ms']:9.2f} {r['upsert']['wal_bytes']:6.0f} | {r['vacuum_s']:8.2f}"
        )
    for label, r in results["layouts"]["layouts"].items():
        planning = (r["detail"]["plan_ms"], r["recent"]["plan_ms"], r["page"]["plan_ms"])
        indexes = ", ".join(f"{k}: {v:.1f}" for k, v in r["size"]["indexes"].items())
        print(
            f"  {label}: planning ms {planning[0]:.2f}/{planning[1]:.2f}/{planning[2]:.2f}; "
            + indexes
        )
    print(
        "built (s):", json.dumps({k: round(v, 1) for k, v in results["layouts"]["built_s"].items()})
    )
    growth = results["growth"]
    print("\n== grown day by day vs packed (bytes per row) ==")
    for state in ("grown", "packed"):
        s = growth[state]
        indexes = ", ".join(f"{k}: {v:.1f}" for k, v in s["indexes"].items())
        print(f"{state}: rows {s['rows']}, total {s['total']:.1f}, heap {s['heap']:.1f}; {indexes}")
    print("\n== other kinds (bytes per row, heap + indexes) ==")
    for table, s in results["other"]["sizes"].items():
        print(f"{table:<28} rows {s['rows']:>9} total {s['total']:6.1f} heap {s['heap']:6.1f}")
    print("\n== stored detail JSON (1,095 days) ==")
    print(json.dumps({k: round(v, 2) for k, v in results["detail_json"].items()}))
    print("\n== scheduled run over every collection state ==")
    run = results["scheduled_run"]
    print(
        f"collections {run['collections']}: collection_jobs_all {run['page_s']:.3f} s a page of "
        f"2,000 ({run['page_plan'][2]} pages touched), with an index "
        f"{run['page_s_indexed']:.3f} s ({run['page_plan_indexed'][2]}); from the collection "
        f"states alone, indexed: {run['page_plan_collection_only'][1]:.1f} ms "
        f"({run['page_plan_collection_only'][2]}); "
        f"collections_request_all {run['request_all_s']:.1f} s; vacuum {run['vacuum_s']:.1f} s"
    )
    print("\n== load ==")
    print(json.dumps({k: round(v, 1) for k, v in results["load_s"].items()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="server and database name prefix")
    parser.add_argument("--repositories", type=int, default=1_000_000)
    parser.add_argument("--traffic-repositories", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--grow-repositories", type=int, default=2000)
    parser.add_argument("--grow-days", type=int, default=365)
    parser.add_argument("--other-repositories", type=int, default=1000)
    parser.add_argument("--other-days", type=int, default=60)
    parser.add_argument("--batch", type=int, default=300, help="repositories per upsert batch")
    parser.add_argument("--repeats", type=int, default=3, help="upsert batches per layout")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    results: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as var_dir, database(args.url, keep=args.keep) as url:
        django_setup(url, var_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        with psycopg.connect(url, autocommit=True) as pg:
            pg.execute("SET maintenance_work_mem = '1GB'")
            pg.execute("SET work_mem = '256MB'")
            pg.execute("SET synchronous_commit = off")  # the load only: nothing is timed with it
            print("seeding", flush=True)
            load = {
                "repositories": seed.seed_repositories(
                    pg, repositories=args.repositories, days=args.days
                )
            }
            load.update(
                seed.load_traffic_days(pg, repositories=args.traffic_repositories, days=args.days)
            )
            pg.execute("RESET synchronous_commit")
            results["load_s"] = load
            samples = samples_pick(traffic_repositories=args.traffic_repositories, batch=args.batch)
            print("detail JSON", flush=True)
            results["detail_json"] = detail_json_measure(pg, samples)
            print("growth", flush=True)
            results["growth"] = growth_measure(
                pg, repositories=args.grow_repositories, days=args.grow_days
            )
            results["layouts"] = layouts_measure(pg, samples, days=args.days, repeats=args.repeats)
            print("other kinds, scheduled run", flush=True)
            results["other"] = other_kinds_measure(
                pg, repositories=args.other_repositories, days=args.other_days
            )
            results["scheduled_run"] = scheduled_run_measure(pg, pages=5)
            pg.execute("DROP TABLE IF EXISTS scaling_traffic_repositories")
    results["wall_s"] = time.perf_counter() - started
    summary_print(results)
    print(f"\nwall {results['wall_s']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
