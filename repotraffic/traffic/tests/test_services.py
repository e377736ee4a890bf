import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from repotraffic.integrations.github.client import (
    GitHubErrorCause,
    TrafficWindow,
    github_rate_limit_blocks_clear,
    github_traffic_fetch,
)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import services
from repotraffic.traffic.collection_services import collection_claim, collection_request
from repotraffic.traffic.merge import DayFigures
from repotraffic.traffic.models import Collection, TrafficDay
from repotraffic.traffic.services import CollectionLeaseLost, traffic_fetch, traffic_store
from repotraffic.traffic.tests.factories import traffic_days_create
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.tests.factories import user_with_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("collection_clock")]
LEASE = dt.timedelta(seconds=120)


def stored(repository) -> dict[dt.date, tuple]:
    return {
        row[0]: row[1:]
        for row in TrafficDay.objects.filter(repository=repository).values_list(
            "date", "views", "unique_views", "clones", "unique_clones"
        )
    }


def reported(fake, repository) -> dict[dt.date, tuple]:
    """What the fake reports now, as rows (a metric left out of a day is 0)."""
    views = fake.reported(repository.owner, repository.name, kind="views")["views"]
    clones = fake.reported(repository.owner, repository.name, kind="clones")["clones"]
    rows: dict[dt.date, list] = {}
    for kind, buckets in ((0, views), (2, clones)):
        for bucket in buckets:
            day = dt.date.fromisoformat(bucket["timestamp"][:10])
            row = rows.setdefault(day, [0, 0, 0, 0])
            row[kind], row[kind + 1] = bucket["count"], bucket["uniques"]
    return {day: tuple(row) for day, row in rows.items()}


@pytest.fixture
def owner_and_token():
    return user_with_token()


@pytest.fixture
def repository(github, owner_and_token):
    github.add_repo("acme", "rocket")
    return RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="rocket")


def collected_range(repository) -> tuple[dt.date, dt.date]:
    repository.refresh_from_db()
    return repository.collection.collected_from, repository.collection.collected_until


def test_first_collection_stores_the_window_and_records_success(github, repository):
    outcome = traffic_fetch(repository_id=repository.id)

    assert outcome.ok, outcome.summary
    assert stored(repository) == reported(github, repository)
    assert len(stored(repository)) >= 10
    repository.refresh_from_db()
    assert repository.collection.last_success_at is not None
    assert repository.collection.last_error == ""
    assert repository.collection.traffic_updated_at is not None
    today = dt.date(2026, 11, 12)  # the fake's
    assert collected_range(repository) == (today - dt.timedelta(days=14), today)
    assert github.request_counts() == {
        "/repos/acme/rocket": 1,
        # per=day, and per=week: a first collection captures the last full week.
        "/repos/acme/rocket/traffic/views": 2,
        "/repos/acme/rocket/traffic/clones": 2,
        "/repos/acme/rocket/traffic/popular/referrers": 1,
        "/repos/acme/rocket/traffic/popular/paths": 1,
        "/repos/acme/rocket/releases": 1,
        # Once: the star history, from TRAFFIC_STARGAZER_PAGES pages of the list.
        "/repos/acme/rocket/stargazers": 10,
    }


def test_the_owners_own_token_is_used_before_the_servers(github, repository, settings):
    github.add_token("users-own", login="alice")
    github.add_repo("acme", "rocket", push_tokens=["users-own"])
    repository.user.github_token_encrypted = secret_encrypt("users-own")
    repository.user.save()
    settings.GITHUB_TOKEN = "server-token-without-access"

    # Only the user's token can read this repository; the server's is unknown to GitHub.
    assert traffic_fetch(repository_id=repository.id).ok


def test_a_user_who_lost_the_operators_trust_is_told_and_keeps_their_data(
    github, repository, settings
):
    settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "trusted"
    repository.user.trusted = True
    repository.user.save()
    assert traffic_fetch(repository_id=repository.id).ok
    before = stored(repository)
    repository.user.trusted = False
    repository.user.save()
    github.reset_requests()

    outcome = traffic_fetch(repository_id=repository.id)

    assert outcome.error is not None and outcome.error.cause == GitHubErrorCause.NO_TOKEN
    repository.refresh_from_db()
    assert (
        "lends its GitHub token only to users its operator trusts"
        in repository.collection.last_error
    )
    assert stored(repository) == before
    assert github.request_counts() == {}


def test_a_user_who_removed_their_own_token_is_told_when_the_server_lends_none(
    github, repository, settings
):
    settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "nobody"

    outcome = traffic_fetch(repository_id=repository.id)

    assert not outcome.ok
    repository.refresh_from_db()
    assert "you have not set a GitHub token of your own" in repository.collection.last_error


def test_an_undecryptable_user_token_falls_back_to_the_servers(github, repository):
    repository.user.github_token_encrypted = "gAAAA-encrypted-with-another-key"
    repository.user.save()

    assert traffic_fetch(repository_id=repository.id).ok


def _no_token(github, settings):
    settings.GITHUB_TOKEN = ""


def _bad_token(github, settings):
    settings.GITHUB_TOKEN = "revoked"


def _no_push(github, settings):
    github.add_token(settings.GITHUB_TOKEN, push=False)


def _unknown_repo(github, settings):
    github.reset()
    github.add_token(settings.GITHUB_TOKEN)


def _fault(kind):
    def arrange(github, settings):
        # Far more failures than the client retries; rate limits reset far away.
        github.inject_fault(
            kind, count=50, repo="acme/rocket", seconds=1, retry_after=3600, reset_in=3600
        )

    return arrange


SERVER_FAULTS = ("500", "timeout", "malformed_json", "truncated_json")
RATE_LIMITS = ("secondary_rate_limit", "primary_rate_limit")
FAILURES = {
    "no_token": (_no_token, GitHubErrorCause.NO_TOKEN, "no usable GitHub token"),
    "bad_token": (_bad_token, GitHubErrorCause.BAD_CREDENTIALS, "token"),
    "no_push": (_no_push, GitHubErrorCause.NO_PUSH_ACCESS, "Administration"),
    "unknown_repo": (_unknown_repo, GitHubErrorCause.NOT_FOUND, "acme/rocket"),
    "500": (_fault("500"), GitHubErrorCause.UNAVAILABLE, "GitHub"),
    "timeout": (_fault("timeout"), GitHubErrorCause.UNAVAILABLE, "GitHub"),
    "malformed_json": (_fault("malformed_json"), GitHubErrorCause.MALFORMED, "GitHub"),
    "truncated_json": (_fault("truncated_json"), GitHubErrorCause.MALFORMED, "GitHub"),
    "secondary_rate_limit": (
        _fault("secondary_rate_limit"),
        GitHubErrorCause.RATE_LIMITED,
        "rate limit",
    ),
    "primary_rate_limit": (
        _fault("primary_rate_limit"),
        GitHubErrorCause.RATE_LIMITED,
        "rate limit",
    ),
}


@pytest.fixture
def history(github, repository, settings):
    """acme/rocket with 40 stored days, and acme/launchpad beside it on the same token."""
    traffic_days_create(repository=repository, start=dt.date(2026, 1, 1), days=40)
    github.add_repo("acme", "launchpad")
    settings.GITHUB_TIMEOUT = 0.3
    return stored(repository)


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failure_is_recorded_in_words_and_costs_no_stored_data(
    github, repository, settings, history, failure
):
    arrange, cause, words = FAILURES[failure]
    arrange(github, settings)

    outcome = traffic_fetch(repository_id=repository.id)

    assert outcome.error is not None and outcome.error.cause == cause
    repository.refresh_from_db()
    assert words.lower() in repository.collection.last_error.lower()
    assert repository.collection.last_success_at is None
    assert stored(repository) == history
    assert collected_range(repository) == (dt.date(2026, 1, 1), dt.date(2026, 2, 9))


@pytest.mark.parametrize("fault", SERVER_FAULTS)
def test_a_fault_on_one_repository_leaves_the_others_unaffected(
    github, repository, settings, history, fault
):
    other = RepositoryFactory.create(owner="acme", name="launchpad")
    _fault(fault)(github, settings)
    traffic_fetch(repository_id=repository.id)

    assert traffic_fetch(repository_id=other.id).ok


@pytest.mark.parametrize("limit", RATE_LIMITS)
def test_a_rate_limit_pauses_the_tokens_other_repositories_without_asking_github(
    github, repository, settings, history, limit
):
    other = RepositoryFactory.create(owner="acme", name="launchpad")
    _fault(limit)(github, settings)
    traffic_fetch(repository_id=repository.id)
    requests_before = sum(github.request_counts().values())

    outcome = traffic_fetch(repository_id=other.id)

    assert outcome.error is not None and outcome.error.cause == GitHubErrorCause.RATE_LIMITED
    assert sum(github.request_counts().values()) == requests_before


@pytest.mark.parametrize("fault", SERVER_FAULTS + RATE_LIMITS)
def test_the_next_run_after_a_fault_recovers(github, repository, settings, history, fault):
    _fault(fault)(github, settings)
    traffic_fetch(repository_id=repository.id)
    github.clear_faults()
    github.reset_rate_limits()
    github_rate_limit_blocks_clear()  # the reset time has come

    assert traffic_fetch(repository_id=repository.id).ok

    repository.refresh_from_db()
    assert repository.collection.last_error == ""
    assert stored(repository).items() >= history.items() - reported(github, repository).items()


def test_a_lost_repository_is_skipped(github):
    import uuid

    assert traffic_fetch(repository_id=uuid.uuid4()).skipped == "deleted"


class TestCollectionLease:
    def lease(self, repository):
        repository.refresh_from_db()
        return repository.collection.lease_owner, repository.collection.lease_until

    def test_a_repository_already_being_collected_is_skipped_until_its_lease_ends(
        self, github, repository
    ):
        owner = collection_claim(repository_id=repository.id, lease=LEASE)

        outcome = traffic_fetch(repository_id=repository.id)

        assert "another collection" in outcome.skipped
        assert outcome.busy_until == self.lease(repository)[1]
        assert self.lease(repository)[0] == owner
        assert stored(repository) == {} and github.request_counts() == {}

    def test_the_lease_is_released_after_a_success(self, github, repository):
        assert traffic_fetch(repository_id=repository.id).ok

        assert self.lease(repository) == ("", None)

    def test_the_lease_is_released_after_a_failure_at_github(self, github, repository):
        github.remove_repo("acme", "rocket")

        assert traffic_fetch(repository_id=repository.id).error is not None

        assert self.lease(repository) == ("", None)

    def test_the_lease_is_released_when_the_collection_crashes(
        self, github, repository, monkeypatch
    ):
        def crash(**kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(services, "traffic_store", crash)
        with pytest.raises(RuntimeError):
            traffic_fetch(repository_id=repository.id)

        assert self.lease(repository) == ("", None)

    def test_a_collection_whose_lease_was_taken_over_stores_nothing(
        self, github, repository, monkeypatch
    ):
        def slow_fetch(**kwargs):
            window = github_traffic_fetch(**kwargs)
            # Meanwhile its lease lapsed and another collection claimed the repository.
            Collection.objects.filter(pk=repository.id).update(lease_owner="other")
            return window

        monkeypatch.setattr("repotraffic.traffic.services.github_traffic_fetch", slow_fetch)

        outcome = traffic_fetch(repository_id=repository.id)

        assert outcome.skipped == "another collection took it over"
        assert stored(repository) == {}
        repository.refresh_from_db()
        assert repository.collection.last_attempt_at is None
        assert repository.collection.lease_owner == "other"  # not released: not ours

    def test_the_store_refuses_a_lease_owner_that_is_not_the_holder(self, repository):
        collection_claim(repository_id=repository.id, lease=LEASE)
        figures = {dt.date(2026, 11, 1): DayFigures(5, 2, 1, 1)}

        with pytest.raises(CollectionLeaseLost):
            traffic_store(
                repository=repository,
                reported=figures,
                fetched_at=dt.datetime(2026, 11, 1, 22, tzinfo=dt.UTC),
                lease_owner="not-the-holder",
            )

        assert stored(repository) == {}


class TestOnlyIfRequested:
    def test_a_repository_without_a_pending_request_is_skipped(self, github, repository):
        outcome = traffic_fetch(repository_id=repository.id, only_if_requested=True)

        assert outcome.skipped == "no collection requested since its last success"
        assert github.request_counts() == {}

    def test_a_pending_request_is_collected_and_then_satisfied(self, github, repository):
        with time_machine.travel(github.now(), tick=False):  # the collection's clock
            collection_request(repository_id=repository.id)

        assert traffic_fetch(repository_id=repository.id, only_if_requested=True).ok

        repository.refresh_from_db()
        assert not repository.collection.pending
        assert traffic_fetch(repository_id=repository.id, only_if_requested=True).skipped


@pytest.mark.django_db(transaction=True)
def test_two_collections_at_once_leave_no_duplicates(github, repository):
    github.set_latency(50)
    outcomes = []

    def collect():
        try:
            outcomes.append(traffic_fetch(repository_id=repository.id))
        finally:
            connection.close()

    threads = [threading.Thread(target=collect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(outcome.ok for outcome in outcomes) >= 1
    assert all(outcome.ok or outcome.skipped for outcome in outcomes)
    rows = TrafficDay.objects.filter(repository=repository)
    assert rows.count() == len(set(rows.values_list("date", flat=True)))
    assert stored(repository) == reported(github, repository)


def test_three_weeks_day_by_day_hold_exactly_what_the_merge_rule_says(
    github, repository, api_client, owner_and_token
):
    """The acceptance scenario: the fake's clock moves a day at a time for three
    weeks, the collection runs at 22:30 UTC, some runs fail, and afterwards every day
    GitHub reported in full holds exactly its true figures."""
    first = dt.datetime(2026, 10, 1, 22, 30, tzinfo=dt.UTC)
    faults = {3: "500", 7: "truncated_json", 8: "no_push_access", 12: "primary_rate_limit"}
    for offset in range(21):
        github.set_now(first + dt.timedelta(days=offset))
        github.reset_rate_limits()
        github_rate_limit_blocks_clear()  # a day later, any rate limit has reset
        if offset in faults:
            github.inject_fault(faults[offset], count=50, reset_in=3600)
        outcome = traffic_fetch(repository_id=repository.id)
        assert outcome.ok == (offset not in faults), outcome.summary
        github.clear_faults()
        # A revision run early the next day must not lower anything either.
        if offset == 10:
            github.set_now(first + dt.timedelta(days=offset, hours=4))
            assert traffic_fetch(repository_id=repository.id).ok

    # The API answers every day of the collected range, exactly: the days GitHub left out
    # (no traffic) as zeros.
    first_day, last_day = first.date() - dt.timedelta(days=14), first.date() + dt.timedelta(days=20)
    assert collected_range(repository) == (first_day, last_day)
    api_client.credentials(HTTP_X_API_TOKEN=owner_and_token[1])
    traffic = api_client.get(f"/api/repos/{repository.id}").json()["traffic"]
    assert [row["date"] for row in traffic] == [
        (first_day + dt.timedelta(days=offset)).isoformat() for offset in range(35)
    ]
    series = {row["date"]: row for row in traffic}
    for offset in range(1, (last_day - first_day).days):
        day = first_day + dt.timedelta(days=offset)
        row = series[day.isoformat()]
        got = (row["views"], row["unique_views"], row["clones"], row["unique_clones"])
        assert got == github.truth("acme", "rocket", day), day
    # The edges: the oldest day was only ever seen cut short, the newest in progress.
    for edge in (first_day, last_day):
        row = series[edge.isoformat()]
        truth = github.truth("acme", "rocket", edge)
        assert row["views"] <= truth[0] and row["clones"] <= truth[2]


FETCHED_AT = dt.datetime(2026, 3, 20, 22, 30, tzinfo=dt.UTC)


def figures(views: int) -> DayFigures:
    return DayFigures(views=views, unique_views=1, clones=0, unique_clones=0)


class TestCollectedRange:
    def store(self, repository, *, at: dt.datetime, reported: dict | None = None) -> int:
        return traffic_store(repository=repository, reported=reported or {}, fetched_at=at)

    def test_a_success_covers_githubs_15_day_window_even_without_traffic(self):
        repository = RepositoryFactory.create()

        assert self.store(repository, at=FETCHED_AT) == 0

        assert collected_range(repository) == (dt.date(2026, 3, 6), dt.date(2026, 3, 20))
        assert repository.collection.traffic_updated_at == FETCHED_AT
        assert not TrafficDay.objects.filter(repository=repository).exists()

    def test_the_fetch_date_is_the_utc_date(self):
        repository = RepositoryFactory.create()
        late_in_new_york = dt.datetime(
            2026, 3, 20, 21, 0, tzinfo=dt.timezone(-dt.timedelta(hours=5))
        )

        self.store(repository, at=late_in_new_york)

        assert collected_range(repository) == (dt.date(2026, 3, 7), dt.date(2026, 3, 21))

    def test_an_earlier_fetch_widens_the_start_and_keeps_the_end(self):
        repository = RepositoryFactory.create()
        self.store(repository, at=FETCHED_AT)

        self.store(repository, at=FETCHED_AT - dt.timedelta(days=3))  # a clock set back

        assert collected_range(repository) == (dt.date(2026, 3, 3), dt.date(2026, 3, 20))

    def test_a_later_fetch_moves_the_end_and_keeps_the_start(self):
        repository = RepositoryFactory.create()
        self.store(repository, at=FETCHED_AT)

        self.store(repository, at=FETCHED_AT + dt.timedelta(days=2))

        assert collected_range(repository) == (dt.date(2026, 3, 6), dt.date(2026, 3, 22))

    def test_a_day_reported_outside_the_window_widens_the_range(self):
        repository = RepositoryFactory.create()
        self.store(repository, at=FETCHED_AT)

        self.store(repository, at=FETCHED_AT, reported={dt.date(2026, 2, 27): figures(3)})

        assert collected_range(repository) == (dt.date(2026, 2, 27), dt.date(2026, 3, 20))

    def test_the_same_figures_on_the_same_day_keep_the_version_of_the_cached_json(self):
        repository = RepositoryFactory.create()
        self.store(repository, at=FETCHED_AT, reported={dt.date(2026, 3, 19): figures(4)})
        version = repository.collection.traffic_updated_at

        self.store(repository, at=FETCHED_AT + dt.timedelta(hours=1))

        repository.refresh_from_db()
        assert repository.collection.traffic_updated_at == version

    def test_a_change_of_the_range_alone_moves_the_version_of_the_cached_json(self):
        repository = RepositoryFactory.create()
        self.store(repository, at=FETCHED_AT, reported={dt.date(2026, 3, 19): figures(4)})

        # The next day without traffic: no row is written, but the range grew.
        next_day = FETCHED_AT + dt.timedelta(days=1)
        assert self.store(repository, at=next_day) == 0
        repository.refresh_from_db()
        assert repository.collection.traffic_updated_at == next_day
        assert repository.collection.collected_until == dt.date(2026, 3, 21)

    def test_a_collection_of_a_repository_without_traffic(self, github, repository, monkeypatch):
        monkeypatch.setattr(
            services, "github_traffic_fetch", lambda **kwargs: TrafficWindow(views=[], clones=[])
        )

        outcome = traffic_fetch(repository_id=repository.id)

        assert outcome.ok and outcome.days_written == 0
        today = dt.date(2026, 11, 12)  # the fake's clock
        assert collected_range(repository) == (today - dt.timedelta(days=14), today)
        assert repository.collection.traffic_updated_at is not None

    def test_a_failed_collection_records_no_range(self, github, repository):
        github.inject_fault("malformed_json", count=50, repo="acme/rocket")

        assert not traffic_fetch(repository_id=repository.id).ok

        assert collected_range(repository) == (None, None)
