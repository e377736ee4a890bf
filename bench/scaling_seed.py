"""The generated data of bench/scaling_pg.py, written with SQL (generate_series) into
the app's own migrated tables, in the order a daily collection writes it: day after day,
every repository's row of one day before the next day's.

Ids are md5('repo' || i)::uuid, as scattered as uuid4's. User u owns repositories
100(u-1) .. 100u-1 (the all-repositories page shows 100), which a day's rows scatter.
Every repository has a collection state, collected last night at END 22:30 UTC spread
over two hours; the first `traffic_repositories` have a daily row on every day of the
collected range (the upper bound: GitHub leaves out days without traffic, so quiet
repositories have fewer).
"""

# Every SQL name built into a string here is one of this module's own.
# ruff: noqa: S608

import datetime as dt
import hashlib
import time

import psycopg

END = dt.date(2026, 11, 26)  # the last collected day, a Thursday (as bench_collection's)
RUN_AT = dt.datetime(2026, 11, 26, 22, 30, tzinfo=dt.UTC)
DAY_COLUMNS = "date, views, unique_views, clones, unique_clones, updated_at, repository_id, partial"


def repository_id_sql(index: str) -> str:
    return f"md5('repo' || {index})::uuid"


def repository_id(index: int) -> str:
    """repository_id_sql's id of repository `index`, computed here."""
    return hashlib.md5(f"repo{index}".encode()).hexdigest()  # noqa: S324 (an id, not a secret)


# A zero of each type, for columns the inserts here do not name.
_ZEROS = {"boolean": "false", "date": "current_date", "uuid": "gen_random_uuid()"}
SEEDED_TABLES = (
    "users_user",
    "repositories_repository",
    "traffic_collection",
    "traffic_trafficday",
    "traffic_release",
    "traffic_repositorysnapshot",
    "traffic_popularsnapshot",
    "traffic_releaseassetday",
    "traffic_trafficweek",
    "traffic_starhistoryday",
)


def columns_default(pg: psycopg.Connection) -> None:
    """Gives every NOT NULL column of the seeded tables that has no default one: its
    type's zero ('', 0, false, now). Django keeps defaults in Python, so a column a
    later migration adds would otherwise fail these inserts, which name only the
    columns they fill."""
    for table, column, kind in pg.execute(
        """SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_name = ANY(%s) AND is_nullable = 'NO' AND column_default IS NULL
             AND is_identity = 'NO'""",
        [list(SEEDED_TABLES)],
    ).fetchall():
        if kind in ("integer", "bigint", "smallint", "numeric", "double precision", "real"):
            zero = "0"
        elif kind.startswith("timestamp"):
            zero = "now()"
        else:
            zero = _ZEROS.get(kind, "''")
        pg.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {zero}')


def seed_repositories(pg: psycopg.Connection, *, repositories: int, days: int) -> float:
    """Users, repositories and their collection state; the seconds it took."""
    columns_default(pg)
    started = time.perf_counter()
    start = END - dt.timedelta(days=days - 1)
    users = -(-repositories // 100)
    pg.execute(
        """INSERT INTO users_user (id, created_at, updated_at, email, token_digest,
             github_token_encrypted, github_login, repositories_changed_at, email_key, trusted)
           SELECT u, %(at)s, %(at)s, 'user' || u || '@example.com', md5('a' || u) || md5('b' || u),
             '', '', %(at)s, 'user' || u || '@example.com', false
           FROM generate_series(1, %(users)s::int) u""",
        {"at": RUN_AT, "users": users},
    )
    pg.execute("SELECT setval(pg_get_serial_sequence('users_user', 'id'), %s)", [users])
    pg.execute(
        f"""INSERT INTO repositories_repository (id, created_at, updated_at, owner, name, user_id)
            SELECT {repository_id_sql("i")}, %(at)s, %(at)s, 'owner' || (i / 100), 'repo' || i,
              i / 100 + 1
            FROM generate_series(0, %(count)s::int - 1) i""",
        {"at": RUN_AT - dt.timedelta(days=days), "count": repositories},
    )
    pg.execute(
        f"""INSERT INTO traffic_collection (repository_id, last_attempt_at, last_success_at,
              last_error, last_error_at, lease_owner, lease_until, requested_at, collected_from,
              collected_until, traffic_updated_at)
            SELECT {repository_id_sql("i")}, s, s, '', NULL, '', NULL, s - interval '1 minute',
              %(start)s, %(end)s, s
            FROM (SELECT i, %(at)s + (i %% 7919) * interval '1 second' AS s
                  FROM generate_series(0, %(count)s::int - 1) i) spread""",
        {"at": RUN_AT, "start": start, "end": END, "count": repositories},
    )
    pg.execute("VACUUM ANALYZE users_user, repositories_repository, traffic_collection")
    return time.perf_counter() - started


def _traffic_repositories_table(pg: psycopg.Connection, *, count: int) -> None:
    pg.execute("DROP TABLE IF EXISTS scaling_traffic_repositories")
    pg.execute(
        f"""CREATE UNLOGGED TABLE scaling_traffic_repositories AS
            SELECT i, {repository_id_sql("i")} AS id FROM generate_series(0, %s::int - 1) i""",
        [count],
    )


def _day_rows_sql() -> str:
    """Rows of days %(d0)s .. %(d1)s (offsets from %(start)s), day-major, and within a
    day in id order, which is unrelated to users (a daily run goes by last success, with
    many workers at once). The figures are cheap deterministic noise (fixed-width
    integers: their values do not change sizes)."""
    return f"""
        INSERT INTO {{table}} ({DAY_COLUMNS})
        SELECT %(start)s::date + d, f.v, f.v / 3, f.c, f.c / 2,
          (%(start)s::date + d + 1)::timestamptz, r.id, d = %(last)s::int
        FROM generate_series(%(d0)s::int, %(d1)s::int) d CROSS JOIN scaling_traffic_repositories r,
          LATERAL (SELECT (r.i * 7919 + d * 104729) %% 997 AS v, (r.i * 31 + d * 17) %% 97 AS c) f
        ORDER BY d, r.id"""


def table_constraints(
    pg: psycopg.Connection, table: str
) -> tuple[list[tuple[str, str, str]], list]:
    """The table's primary key, unique and foreign key constraints (name, type,
    definition) and its other indexes (name, definition), as the migrations made them."""
    constraints = pg.execute(
        """SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')""",
        [table],
    ).fetchall()
    indexes = pg.execute(
        """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
           WHERE indrelid = %s::regclass
             AND indexrelid NOT IN (
               SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)""",
        [table, table],
    ).fetchall()
    return constraints, indexes


def load_traffic_days(pg: psycopg.Connection, *, repositories: int, days: int) -> dict:
    """traffic_trafficday with `repositories` x `days` rows, day-major, its migrated
    constraints and indexes dropped for the load and made again after it (the foreign
    key NOT VALID: every row references a repository, and validating it measures
    nothing the app does). Returns the seconds each step took."""
    start = END - dt.timedelta(days=days - 1)
    _traffic_repositories_table(pg, count=repositories)
    constraints, indexes = table_constraints(pg, "traffic_trafficday")
    for name, _kind, _ in sorted(constraints, key=lambda c: c[1] != "f"):
        pg.execute(f'ALTER TABLE traffic_trafficday DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        pg.execute(f"DROP INDEX {name}")
    timings = {}
    started = time.perf_counter()
    chunk = 100
    for d0 in range(0, days, chunk):
        pg.execute(
            _day_rows_sql().format(table="traffic_trafficday"),
            {"start": start, "d0": d0, "d1": min(d0 + chunk, days) - 1, "last": days - 1},
        )
    timings["insert"] = time.perf_counter() - started
    started = time.perf_counter()
    for name, kind, definition in sorted(constraints, key=lambda c: c[1] == "f"):
        suffix = " NOT VALID" if kind == "f" else ""
        pg.execute(f'ALTER TABLE traffic_trafficday ADD CONSTRAINT "{name}" {definition}{suffix}')
    for _, definition in indexes:
        pg.execute(definition)
    timings["indexes"] = time.perf_counter() - started
    started = time.perf_counter()
    pg.execute("VACUUM (ANALYZE) traffic_trafficday")
    timings["first_vacuum"] = time.perf_counter() - started
    return timings


def grow_traffic_days(pg: psycopg.Connection, *, repositories: int, days: int) -> float:
    """A copy of traffic_trafficday with all its indexes, grown as production grows it:
    each day inserts today's row of every repository and completes yesterday's (an
    UPDATE: GitHub's partial day revised upward), with a VACUUM every 7 days standing in
    for autovacuum. Returns the seconds it took."""
    start = END - dt.timedelta(days=days - 1)
    _traffic_repositories_table(pg, count=repositories)
    pg.execute("DROP TABLE IF EXISTS scaling_growth")
    pg.execute("CREATE TABLE scaling_growth (LIKE traffic_trafficday INCLUDING ALL)")
    insert = _day_rows_sql().format(table="scaling_growth")
    started = time.perf_counter()
    for day in range(days):
        pg.execute(insert, {"start": start, "d0": day, "d1": day, "last": day})
        pg.execute(
            """UPDATE scaling_growth g SET views = views + 1, partial = false,
                 updated_at = updated_at + interval '1 day'
               FROM scaling_traffic_repositories r
               WHERE g.repository_id = r.id AND g.date = %s::date - 1""",
            [start + dt.timedelta(days=day)],
        )
        if day % 7 == 6:
            pg.execute("VACUUM (ANALYZE) scaling_growth")
    pg.execute("VACUUM (ANALYZE) scaling_growth")
    return time.perf_counter() - started


_REFERRERS = [
    "github.com",
    "google.com",
    "news.ycombinator.com",
    "reddit.com",
    "t.co",
    "duckduckgo.com",
    "bing.com",
    "stackoverflow.com",
    "dev.to",
    "medium.com",
]
_PATHS = [
    "",
    "/blob/main/README.md",
    "/issues",
    "/pulls",
    "/releases",
    "/tree/main/docs",
    "/actions",
    "/wiki",
    "/blob/main/CHANGELOG.md",
    "/discussions",
]


def seed_other_kinds(pg: psycopg.Connection, *, repositories: int, days: int) -> None:
    """The other daily kinds for the first `repositories`, day by day with their
    migrated indexes in place: a repository snapshot, the two top-10 lists full (10
    referrers, 10 paths with GitHub's page titles), 10 release assets (2 releases of 5),
    and once a week's figures and a star history of 300 days."""
    start = END - dt.timedelta(days=days - 1)
    _traffic_repositories_table(pg, count=repositories)
    pg.execute(
        """INSERT INTO traffic_release (repository_id, github_id, tag, name, published_at)
           SELECT r.id, r.i * 10 + k, 'v1.' || k || '.0', 'Release 1.' || k || '.0', %s
           FROM scaling_traffic_repositories r CROSS JOIN generate_series(1, 2) k""",
        [RUN_AT],
    )
    for day in range(days):
        on = start + dt.timedelta(days=day)
        pg.execute(
            """INSERT INTO traffic_repositorysnapshot
                 (repository_id, date, stars, forks, watchers, open_issues)
               SELECT id, %s, 1000 + i, 100 + i / 10, 30, 12 FROM scaling_traffic_repositories""",
            [on],
        )
        pg.execute(
            """INSERT INTO traffic_popularsnapshot
                 (repository_id, kind, date, name, title, count, uniques)
               SELECT r.id, 'referrer', %(on)s, ref, '', 500 - k * 40, 120 - k * 10
               FROM scaling_traffic_repositories r,
                 unnest(%(referrers)s::text[]) WITH ORDINALITY AS x(ref, k)
               UNION ALL
               SELECT r.id, 'path', %(on)s, '/owner' || (r.i / 100) || '/repo' || r.i || p,
                 'GitHub - owner' || (r.i / 100) || '/repo' || r.i
                   || ': A small tool that does one thing well', 900 - k * 60, 200 - k * 15
               FROM scaling_traffic_repositories r,
                 unnest(%(paths)s::text[]) WITH ORDINALITY AS y(p, k)""",
            {"on": on, "referrers": _REFERRERS, "paths": _PATHS},
        )
        pg.execute(
            """INSERT INTO traffic_releaseassetday
                 (repository_id, release_id, date, asset_id, asset_name, download_count)
               SELECT rel.repository_id, rel.id, %s, rel.github_id * 10 + a,
                 'tool-' || rel.tag || '-' || (ARRAY['linux-amd64', 'linux-arm64',
                   'darwin-arm64', 'windows-amd64.exe', 'checksums.txt'])[a] || '.tar.gz',
                 10000 + %s * 7 + a
               FROM traffic_release rel CROSS JOIN generate_series(1, 5) a""",
            [on, day],
        )
    pg.execute(
        """INSERT INTO traffic_trafficweek
             (repository_id, week, views, unique_views, clones, unique_clones, complete)
           SELECT r.id, %s::date - 7 * w, 700 + w, 200, 90, 30, true
           FROM scaling_traffic_repositories r CROSS JOIN generate_series(1, 156) w""",
        [END - dt.timedelta(days=END.weekday())],
    )
    pg.execute(
        """INSERT INTO traffic_starhistoryday (repository_id, date, stars)
           SELECT r.id, %s::date - 3 * s, 1000 - s * 3
           FROM scaling_traffic_repositories r CROSS JOIN generate_series(1, 300) s""",
        [start],
    )
    pg.execute(
        """VACUUM ANALYZE traffic_repositorysnapshot, traffic_popularsnapshot, traffic_release,
             traffic_releaseassetday, traffic_trafficweek, traffic_starhistoryday"""
    )
