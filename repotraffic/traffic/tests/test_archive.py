"""export_archive and import_archive (traffic.archive_format, archive_selectors and
archive_services): the line format, the round trip, the merge by maximum on import, and
what a bad archive does."""

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import (
    Collection,
    PopularSnapshot,
    Release,
    ReleaseAssetDay,
    RepositorySnapshot,
    StarHistory,
    StarHistoryDay,
    TrafficDay,
    TrafficWeek,
)
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.models import User
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 12, 22, 30, tzinfo=dt.UTC)
MONDAY, TODAY = dt.date(2026, 11, 2), dt.date(2026, 11, 12)
HEADER = {"format": "repotraffic-archive", "version": 1, "exported_at": "2026-11-12T22:30:00Z"}
DATA_MODELS = (
    TrafficDay,
    TrafficWeek,
    PopularSnapshot,
    RepositorySnapshot,
    StarHistory,
    StarHistoryDay,
    Release,
    ReleaseAssetDay,
)


def seed(repository: Repository, *, more: int = 0) -> None:
    """Rows of every kind, `more` added to some figures to tell repositories apart."""
    Collection.objects.filter(pk=repository.id).update(
        collected_from=dt.date(2026, 10, 29), collected_until=TODAY, traffic_updated_at=NOW
    )
    TrafficDay.objects.bulk_create(
        [
            TrafficDay(repository=repository, date=MONDAY, views=10 + more, unique_views=4,
                       clones=3, unique_clones=1, partial=False),
            TrafficDay(repository=repository, date=TODAY, views=2, unique_views=1, clones=0,
                       unique_clones=0, partial=True),
        ]
    )  # fmt: skip
    TrafficWeek.objects.create(
        repository=repository, week=MONDAY, views=40 + more, unique_views=12, clones=9,
        unique_clones=4, complete=True,
    )  # fmt: skip
    PopularSnapshot.objects.create(
        repository=repository, kind="referrer", date=TODAY, name="news.ycombinator.com",
        count=25 + more, uniques=11,
    )  # fmt: skip
    PopularSnapshot.objects.create(
        repository=repository, kind="path", date=TODAY, name="/acme/rocket",
        title="Café — rocket", count=60, uniques=20,
    )  # fmt: skip
    RepositorySnapshot.objects.create(
        repository=repository, date=TODAY, stars=1234 + more, forks=56, watchers=78, open_issues=9
    )
    StarHistory.objects.create(
        repository=repository, rebuilt_on=dt.date(2026, 10, 29), stars_total=1200,
        pages_total=12, pages_read=12, complete=True,
    )  # fmt: skip
    StarHistoryDay.objects.create(repository=repository, date=dt.date(2025, 1, 15), stars=1)
    StarHistoryDay.objects.create(
        repository=repository, date=dt.date(2026, 10, 28), stars=1200 + more
    )
    published = Release.objects.create(
        repository=repository, github_id=9001, tag="v1.0.0", name="Liftoff",
        published_at=dt.datetime(2026, 10, 1, 9, 30, 15, 250000, tzinfo=dt.UTC),
    )  # fmt: skip
    unpublished = Release.objects.create(
        repository=repository, github_id=9002, tag="v1.1.0", name="", published_at=None
    )
    ReleaseAssetDay.objects.create(
        repository=repository, release=published, date=TODAY, asset_id=77,
        asset_name="rocket.tar.gz", download_count=321 + more,
    )  # fmt: skip
    ReleaseAssetDay.objects.create(
        repository=repository, release=unpublished, date=TODAY, asset_id=78,
        asset_name="rocket.zip", download_count=5,
    )  # fmt: skip


def export(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_archive", *args, stdout=out, stderr=err)
    return out.getvalue()


def archive_file(tmp_path: Path, *records: dict, header: dict = HEADER) -> Path:
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in (header, *records)))
    return path


def import_(path: Path | str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_archive", str(path), *args, stdout=out)
    return out.getvalue()


def state() -> dict[str, list[dict[str, Any]]]:
    """Every row the archive covers, every column, in a stable order."""
    rows = {
        model.__name__: sorted((dict(row) for row in model._default_manager.values()), key=repr)
        for model in (Repository, Collection, *DATA_MODELS)
    }
    users = User.objects.order_by("id").values("id", "repositories_changed_at")
    rows["User"] = [dict(row) for row in users]
    return rows


IDENTITY = {"owner": "acme", "name": "rocket", "user_email": "ada@example.com"}


def line(kind: str, **fields) -> dict:
    return {"kind": kind, **IDENTITY, **fields}


def test_every_kind_is_one_line_a_row_in_this_format():
    with time_machine.travel(NOW, tick=False):
        rocket = RepositoryFactory.create(
            user=UserFactory.create(email="ada@example.com"), owner="acme", name="rocket"
        )
        seed(rocket)
        text = export()

    who = '"owner": "acme", "name": "rocket", "user_email": "ada@example.com"'
    assert text.splitlines() == [
        '{"format": "repotraffic-archive", "version": 1, "exported_at": "2026-11-12T22:30:00Z"}',
        f'{{"kind": "repository", {who}, "created_at": "2026-11-12T22:30:00Z"}}',
        f'{{"kind": "collection", {who}, "collected_from": "2026-10-29", '
        '"collected_until": "2026-11-12"}',
        f'{{"kind": "day", {who}, "date": "2026-11-02", "views": 10, "unique_views": 4, '
        '"clones": 3, "unique_clones": 1, "partial": false}',
        f'{{"kind": "day", {who}, "date": "2026-11-12", "views": 2, "unique_views": 1, '
        '"clones": 0, "unique_clones": 0, "partial": true}',
        f'{{"kind": "week", {who}, "week": "2026-11-02", "views": 40, "unique_views": 12, '
        '"clones": 9, "unique_clones": 4, "complete": true}',
        f'{{"kind": "popular", {who}, "date": "2026-11-12", "list": "path", '
        '"entry": "/acme/rocket", "title": "Caf\\u00e9 \\u2014 rocket", "count": 60, '
        '"uniques": 20}',
        f'{{"kind": "popular", {who}, "date": "2026-11-12", "list": "referrer", '
        '"entry": "news.ycombinator.com", "title": "", "count": 25, "uniques": 11}',
        f'{{"kind": "snapshot", {who}, "date": "2026-11-12", "stars": 1234, "forks": 56, '
        '"watchers": 78, "open_issues": 9}',
        f'{{"kind": "star_history", {who}, "rebuilt_on": "2026-10-29", "stars_total": 1200, '
        '"pages_total": 12, "pages_read": 12, "complete": true}',
        f'{{"kind": "star_history_day", {who}, "date": "2025-01-15", "stars": 1}}',
        f'{{"kind": "star_history_day", {who}, "date": "2026-10-28", "stars": 1200}}',
        f'{{"kind": "release", {who}, "release_id": 9001, "tag": "v1.0.0", '
        '"release_name": "Liftoff", "published_at": "2026-10-01T09:30:15.250000Z"}',
        f'{{"kind": "release", {who}, "release_id": 9002, "tag": "v1.1.0", '
        '"release_name": "", "published_at": null}',
        f'{{"kind": "release_asset_day", {who}, "date": "2026-11-12", "asset_id": 77, '
        '"release_id": 9001, "asset_name": "rocket.tar.gz", "download_count": 321}',
        f'{{"kind": "release_asset_day", {who}, "date": "2026-11-12", "asset_id": 78, '
        '"release_id": 9002, "asset_name": "rocket.zip", "download_count": 5}',
    ]


def test_a_round_trip_is_identical(tmp_path):
    ada = UserFactory.create(email="ada@example.com")
    for name, more in (("rocket", 0), ("famous", 7)):
        seed(RepositoryFactory.create(user=ada, owner="acme", name=name), more=more)
    first = export()
    rows_before = {model.__name__: model.objects.count() for model in DATA_MODELS}
    Repository.objects.all().delete()
    (tmp_path / "first.jsonl").write_text(first)

    output = import_(tmp_path / "first.jsonl")
    second = export()

    assert output == "2 repositories imported (2 created), 28 rows written\n"
    assert len(first.splitlines()) == 1 + 2 * 15
    assert second.splitlines()[1:] == first.splitlines()[1:]
    assert {model.__name__: model.objects.count() for model in DATA_MODELS} == rows_before
    assert [json.loads(text)["name"] for text in second.splitlines()[1::15]] == [
        "famous",
        "rocket",
    ]


def test_a_round_trip_into_another_user_changes_only_the_email(tmp_path):
    ada = UserFactory.create(email="ada@example.com")
    UserFactory.create(email="bob@example.com")
    seed(RepositoryFactory.create(user=ada, owner="acme", name="rocket"))
    first = export("--user", "ada@example.com")
    (tmp_path / "ada.jsonl").write_text(first)

    import_(tmp_path / "ada.jsonl", "--user", "bob@example.com")
    second = export("--user", "bob@example.com")

    assert second.splitlines()[1:] == [
        text.replace('"ada@example.com"', '"bob@example.com"') for text in first.splitlines()[1:]
    ]
    assert Repository.objects.filter(user__email="ada@example.com").count() == 1


def test_the_same_import_twice_changes_nothing(tmp_path):
    ada = UserFactory.create(email="ada@example.com")
    seed(RepositoryFactory.create(user=ada, owner="acme", name="rocket"))
    (tmp_path / "archive.jsonl").write_text(export())
    Repository.objects.all().delete()
    import_(tmp_path / "archive.jsonl")
    once = state()

    output = import_(tmp_path / "archive.jsonl")

    assert output == "1 repositories imported (0 created), 0 rows written\n"
    assert state() == once
    assert len(once["TrafficDay"]) == 2


def test_the_export_holds_no_token(tmp_path):
    ada = UserFactory.create(
        email="ada@example.com", github_token_encrypted=secret_encrypt("ghp_plainsecret")
    )
    seed(RepositoryFactory.create(user=ada, owner="acme", name="rocket"))

    text = export()

    assert len(ada.token_digest) == 64 and ada.github_token_encrypted
    assert ada.token_digest not in text
    assert ada.github_token_encrypted not in text
    assert "ghp_plainsecret" not in text
    assert "token" not in text


class TestImportMergesByMaximum:
    """An archive of partly higher, partly lower figures imported into a repository
    that has rows of every kind: each figure ends at the larger of the two."""

    @pytest.fixture(autouse=True)
    def merged(self, tmp_path):
        ada = UserFactory.create(email="ada@example.com")
        self.rocket = RepositoryFactory.create(user=ada, owner="acme", name="rocket")
        seed(self.rocket)
        self.before = Collection.objects.get(pk=self.rocket.id).traffic_updated_at
        path = archive_file(
            tmp_path,
            line("repository", created_at="2020-01-01T00:00:00Z"),
            line("collection", collected_from="2026-10-20", collected_until="2026-11-05"),
            # stored: 10, 4, 3, 1, complete; archived: lower views, higher uniques, partial
            line("day", date="2026-11-02", views=8, unique_views=6, clones=3, unique_clones=0,
                 partial=True),
            # stored: 2, 1, 0, 0, partial; archived: complete
            line("day", date="2026-11-12", views=1, unique_views=1, clones=4, unique_clones=2,
                 partial=False),
            line("day", date="2026-10-21", views=5, unique_views=2, clones=0, unique_clones=0,
                 partial=True),
            line("week", week="2026-11-02", views=41, unique_views=11, clones=9,
                 unique_clones=5, complete=False),
            line("popular", date="2026-11-12", list="referrer", entry="news.ycombinator.com",
                 title="HN", count=20, uniques=15),
            line("popular", date="2026-11-12", list="path", entry="/acme/rocket",
                 title="Renamed", count=59, uniques=19),
            line("snapshot", date="2026-11-12", stars=1200, forks=60, watchers=78,
                 open_issues=12),
            line("star_history", rebuilt_on="2026-01-01", stars_total=10, pages_total=1,
                 pages_read=1, complete=True),
            line("star_history_day", date="2025-01-15", stars=3),
            line("star_history_day", date="2026-10-28", stars=1100),
            line("release", release_id=9001, tag="v1.0.0-renamed", release_name="Other",
                 published_at="2026-10-02T00:00:00Z"),
            line("release", release_id=9003, tag="v2.0.0", release_name="Two",
                 published_at="2026-11-10T08:00:00+00:00"),
            line("release_asset_day", date="2026-11-12", asset_id=77, release_id=9001,
                 asset_name="renamed.tar.gz", download_count=300),
            line("release_asset_day", date="2026-11-12", asset_id=78, release_id=9002,
                 asset_name="rocket-1.1.zip", download_count=6),
            line("release_asset_day", date="2026-11-12", asset_id=79, release_id=9003,
                 asset_name="two.zip", download_count=2),
        )  # fmt: skip
        self.output = import_(path)

    def test_the_repository_keeps_its_creation_time(self):
        assert Repository.objects.get().created_at == self.rocket.created_at
        assert self.output == "1 repositories imported (0 created), 11 rows written\n"

    def test_the_collected_range_widens(self):
        collection = Collection.objects.get(pk=self.rocket.id)
        assert (collection.collected_from, collection.collected_until) == (
            dt.date(2026, 10, 20),
            TODAY,
        )
        assert collection.traffic_updated_at not in (None, self.before)

    def test_each_day_keeps_each_larger_figure_and_partial_only_if_both_say_so(self):
        days = TrafficDay.objects.filter(repository=self.rocket).order_by("date")
        assert [
            (d.date.isoformat(), d.views, d.unique_views, d.clones, d.unique_clones, d.partial)
            for d in days
        ] == [
            ("2026-10-21", 5, 2, 0, 0, True),
            ("2026-11-02", 10, 6, 3, 1, False),
            ("2026-11-12", 2, 1, 4, 2, False),
        ]

    def test_a_week_keeps_each_larger_figure_and_stays_complete(self):
        week = TrafficWeek.objects.get(repository=self.rocket)
        assert (week.views, week.unique_views, week.clones, week.unique_clones) == (41, 12, 9, 5)
        assert week.complete is True

    def test_a_top_10_line_takes_the_archived_title_only_with_a_larger_figure(self):
        rows = PopularSnapshot.objects.filter(repository=self.rocket).order_by("kind")
        assert [(r.kind, r.name, r.title, r.count, r.uniques) for r in rows] == [
            ("path", "/acme/rocket", "Café — rocket", 60, 20),
            ("referrer", "news.ycombinator.com", "HN", 25, 15),
        ]

    def test_a_snapshot_keeps_each_larger_count(self):
        snapshot = RepositorySnapshot.objects.get(repository=self.rocket)
        assert (snapshot.stars, snapshot.forks, snapshot.watchers, snapshot.open_issues) == (
            1234,
            60,
            78,
            12,
        )

    def test_the_star_history_keeps_larger_days_and_the_stored_complete_rebuild(self):
        days = StarHistoryDay.objects.filter(repository=self.rocket).order_by("date")
        assert [(d.date.isoformat(), d.stars) for d in days] == [
            ("2025-01-15", 3),
            ("2026-10-28", 1200),
        ]
        history = StarHistory.objects.get(repository=self.rocket)
        assert (history.rebuilt_on, history.stars_total, history.pages_read) == (
            dt.date(2026, 10, 29),
            1200,
            12,
        )

    def test_stored_releases_stay_and_new_ones_are_added(self):
        releases = Release.objects.filter(repository=self.rocket).order_by("github_id")
        assert [(r.github_id, r.tag, r.name, r.published_at) for r in releases] == [
            (9001, "v1.0.0", "Liftoff", dt.datetime(2026, 10, 1, 9, 30, 15, 250000, dt.UTC)),
            (9002, "v1.1.0", "", None),
            (9003, "v2.0.0", "Two", dt.datetime(2026, 11, 10, 8, 0, tzinfo=dt.UTC)),
        ]

    def test_asset_days_keep_the_larger_count_with_its_name(self):
        rows = ReleaseAssetDay.objects.filter(repository=self.rocket).order_by("asset_id")
        assert [
            (r.asset_id, r.release.github_id, r.asset_name, r.download_count) for r in rows
        ] == [
            (77, 9001, "rocket.tar.gz", 321),
            (78, 9002, "rocket-1.1.zip", 6),
            (79, 9003, "two.zip", 2),
        ]


def test_an_incomplete_star_history_gives_way_to_a_complete_one(tmp_path):
    rocket = RepositoryFactory.create(
        user=UserFactory.create(email="ada@example.com"), owner="acme", name="rocket"
    )
    StarHistory.objects.create(
        repository=rocket, rebuilt_on=TODAY, stars_total=5000, pages_total=50, pages_read=4,
        complete=False,
    )  # fmt: skip
    path = archive_file(
        tmp_path,
        line("repository", created_at="2026-01-01T00:00:00Z"),
        line("star_history", rebuilt_on="2026-01-01", stars_total=4000, pages_total=40,
             pages_read=40, complete=True),
    )  # fmt: skip

    import_(path)

    history = StarHistory.objects.get(repository=rocket)
    assert (history.rebuilt_on, history.pages_read, history.complete) == (
        dt.date(2026, 1, 1),
        40,
        True,
    )


def test_an_imported_repository_gets_the_archived_creation_time_and_is_listed(tmp_path):
    ada = UserFactory.create(email="ada@example.com")
    path = archive_file(
        tmp_path,
        line("repository", created_at="2024-02-29T12:00:00.5+01:00"),
        line("day", date="2024-03-01", views=3, unique_views=1, clones=0, unique_clones=0,
             partial=False),
    )  # fmt: skip

    import_(path)

    rocket = Repository.objects.get(user=ada, owner="acme", name="rocket")
    assert rocket.created_at == dt.datetime(2024, 2, 29, 11, 0, 0, 500000, tzinfo=dt.UTC)
    assert Collection.objects.get(pk=rocket.id).traffic_updated_at is not None
    ada.refresh_from_db()
    assert ada.repositories_changed_at is not None


def test_lines_of_a_repository_in_another_case_go_to_the_stored_one(tmp_path):
    rocket = RepositoryFactory.create(
        user=UserFactory.create(email="ada@example.com"), owner="Acme", name="Rocket"
    )

    import_(archive_file(tmp_path, line("repository", created_at="2026-01-01T00:00:00Z")))

    assert list(Repository.objects.values_list("id", flat=True)) == [rocket.id]


class TestABadArchive:
    GOOD_DAY = line(
        "day", date="2026-11-02", views=9, unique_views=1, clones=0, unique_clones=0,
        partial=False,
    )  # fmt: skip

    @pytest.mark.parametrize(
        ("bad", "problem"),
        [
            ("{not json", "not JSON (Expecting property name enclosed in double quotes, column 2)"),
            ("[1, 2]", "not a JSON object but [1, 2]"),
            (json.dumps({**GOOD_DAY, "views": "many"}),
             '"views": expected a whole number of 0 or more, not "many"'),
            (json.dumps({**GOOD_DAY, "views": -1}),
             '"views": expected a whole number of 0 or more, not -1'),
            (json.dumps({**GOOD_DAY, "partial": 1}), '"partial": expected true or false, not 1'),
            (json.dumps({**GOOD_DAY, "date": "2026-13-01"}),
             '"date": expected a date such as 2026-01-31, not "2026-13-01"'),
            (json.dumps({k: v for k, v in GOOD_DAY.items() if k != "partial"}),
             "a day line without partial"),
            (json.dumps({**GOOD_DAY, "colour": "red"}), "a day line with unknown colour"),
            (json.dumps({**GOOD_DAY, "kind": "visitor"}),
             '"kind" is "visitor", not one of repository, collection, day, week, popular, '
             "snapshot, star_history, star_history_day, release, release_asset_day"),
            (json.dumps({**GOOD_DAY, "name": "other"}),
             "a day line of acme/other of ada@example.com among the lines of acme/rocket of "
             "ada@example.com (line 2)"),
            (json.dumps(line("popular", date="2026-11-02", list="page", entry="/", title="",
                             count=1, uniques=1)),
             '"list": expected one of referrer, path, not "page"'),
            (json.dumps(line("release", release_id=1, tag="v1", release_name="x" * 256,
                             published_at=None)),
             '"release_name": longer than 255 characters'),
            (json.dumps(line("release", release_id=1, tag="v1", release_name="",
                             published_at="2026-01-01T00:00:00")),
             '"published_at": expected a time with its zone such as 2026-01-31T12:00:00Z, '
             'not "2026-01-01T00:00:00"'),
            (json.dumps(line("release_asset_day", date="2026-11-02", asset_id=5, release_id=42,
                             asset_name="a.zip", download_count=1)),
             "release_id 42 is no release of acme/rocket: its release line must come before "
             "its asset days"),
        ],
    )  # fmt: skip
    def test_names_the_line_and_writes_nothing_of_its_repository(self, tmp_path, bad, problem):
        UserFactory.create(email="ada@example.com")
        path = tmp_path / "bad.jsonl"
        path.write_text(
            "\n".join(
                json.dumps(record)
                for record in (
                    HEADER,
                    line("repository", created_at=NOW.isoformat()),
                    self.GOOD_DAY,
                )
            )
            + f"\n{bad}\n"
        )

        with pytest.raises(CommandError) as raised:
            import_(path)

        assert str(raised.value) == f"line 4: {problem}. Nothing of acme/rocket was imported."
        assert not Repository.objects.exists()
        assert not TrafficDay.objects.exists()

    def test_leaves_a_stored_repository_as_it_was(self, tmp_path):
        rocket = RepositoryFactory.create(
            user=UserFactory.create(email="ada@example.com"), owner="acme", name="rocket"
        )
        seed(rocket)
        before = state()
        path = archive_file(
            tmp_path,
            line("repository", created_at="2026-01-01T00:00:00Z"),
            {**self.GOOD_DAY, "views": 999},
            line("snapshot", date="2026-11-12", stars=99999, forks=0, watchers=0, open_issues=0),
            {**self.GOOD_DAY, "views": "many"},
        )

        with pytest.raises(CommandError, match=r"^line 5: "):
            import_(path)

        assert state() == before

    def test_keeps_the_repositories_before_it(self, tmp_path):
        UserFactory.create(email="ada@example.com")
        path = archive_file(
            tmp_path,
            {**line("repository", created_at="2026-01-01T00:00:00Z"), "name": "first"},
            {**self.GOOD_DAY, "name": "first"},
            line("repository", created_at="2026-01-01T00:00:00Z"),
            {**self.GOOD_DAY, "views": None},
        )

        with pytest.raises(CommandError) as raised:
            import_(path)

        assert str(raised.value) == (
            'line 5: "views": expected a whole number of 0 or more, not null. Nothing of '
            "acme/rocket was imported; the 1 before it were."
        )
        assert list(Repository.objects.values_list("name", flat=True)) == ["first"]
        assert TrafficDay.objects.get().views == 9

    @pytest.mark.parametrize(
        ("header", "problem"),
        [
            ({"format": "something-else", "version": 1},
             'line 1: not the header of a repotraffic archive ("format": "repotraffic-archive")'),
            ({**HEADER, "version": 2}, "line 1: archive version 2; this server reads version 1"),
        ],
    )  # fmt: skip
    def test_a_wrong_header_is_refused(self, tmp_path, header, problem):
        UserFactory.create(email="ada@example.com")
        path = archive_file(tmp_path, line("repository", created_at="2026-01-01T00:00:00Z"),
                            header=header)  # fmt: skip

        with pytest.raises(CommandError) as raised:
            import_(path)

        assert str(raised.value) == problem
        assert not Repository.objects.exists()

    def test_a_data_line_before_any_repository_line_is_refused(self, tmp_path):
        path = archive_file(tmp_path, self.GOOD_DAY)

        with pytest.raises(CommandError) as raised:
            import_(path)

        assert str(raised.value) == "line 2: a day line before any repository line"

    def test_an_empty_file_is_refused(self, tmp_path):
        (tmp_path / "empty.jsonl").write_text("")

        with pytest.raises(CommandError) as raised:
            import_(tmp_path / "empty.jsonl")

        assert str(raised.value) == "The archive is empty: it has not even its header line."

    def test_a_missing_file_is_refused(self, tmp_path):
        with pytest.raises(CommandError, match=r"^Cannot read .*nothing\.jsonl: No such file"):
            import_(tmp_path / "nothing.jsonl")


def test_an_archive_is_read_from_standard_input(tmp_path, monkeypatch):
    ada = UserFactory.create(email="ada@example.com")
    text = archive_file(tmp_path, line("repository", created_at="2026-01-01T00:00:00Z")).read_text()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))

    output = import_("-")

    assert output == "1 repositories imported (1 created), 0 rows written\n"
    assert Repository.objects.get().user == ada


def test_without_user_the_archived_email_must_be_a_user(tmp_path):
    path = archive_file(tmp_path, line("repository", created_at="2026-01-01T00:00:00Z"))

    with pytest.raises(CommandError) as raised:
        import_(path)

    assert str(raised.value) == (
        "line 2: there is no user with email ada@example.com: create them first "
        "(manage.py user_create), or import into another user with --user. Nothing of "
        "acme/rocket was imported."
    )
    assert not Repository.objects.exists()
    assert not User.objects.exists()


def test_an_unknown_user_for_import_is_refused(tmp_path):
    path = archive_file(tmp_path, line("repository", created_at="2026-01-01T00:00:00Z"))

    with pytest.raises(CommandError, match=r"^There is no user with email bob@example\.com\.$"):
        import_(path, "--user", "bob@example.com")


class TestExportSelection:
    @pytest.fixture(autouse=True)
    def repositories(self):
        ada = UserFactory.create(email="ada@example.com")
        bob = UserFactory.create(email="bob@example.com")
        for user, name in ((ada, "rocket"), (ada, "famous"), (bob, "rocket")):
            RepositoryFactory.create(user=user, owner="acme", name=name)

    @staticmethod
    def repositories_in(text: str) -> list[tuple[str, str]]:
        records = [json.loads(part) for part in text.splitlines()[1:]]
        return [(r["name"], r["user_email"]) for r in records if r["kind"] == "repository"]

    def test_all_by_owner_name_then_id(self):
        rows = self.repositories_in(export())
        assert rows[0] == ("famous", "ada@example.com")
        assert sorted(rows[1:]) == [("rocket", "ada@example.com"), ("rocket", "bob@example.com")]

    def test_one_user(self):
        assert self.repositories_in(export("--user", "ADA@example.com")) == [
            ("famous", "ada@example.com"),
            ("rocket", "ada@example.com"),
        ]

    def test_one_repository_in_any_case(self):
        assert self.repositories_in(
            export("--repository", "ACME/Rocket", "--user", "bob@example.com")
        ) == [("rocket", "bob@example.com")]

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("--user", "carol@example.com"), "There is no user with email carol@example.com."),
            (("--repository", "acme/nothing"), "There is no repository acme/nothing."),
            (("--repository", "rocket"), "'rocket' is not OWNER/NAME."),
        ],
    )
    def test_an_unknown_selection_is_refused(self, args, message):
        with pytest.raises(CommandError) as raised:
            export(*args)
        assert str(raised.value) == message

    def test_to_a_file(self, tmp_path):
        err = io.StringIO()
        path = tmp_path / "out.jsonl"

        call_command("export_archive", "-o", str(path), stdout=io.StringIO(), stderr=err)

        assert len(self.repositories_in(path.read_text())) == 3
        assert err.getvalue() == "3 repositories exported, 7 lines\n"
        assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]

    def test_costs_a_query_per_kind_per_repository(self, django_assert_num_queries):
        with django_assert_num_queries(1 + 3 * 9):
            export()
