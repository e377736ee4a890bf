import datetime as dt
import time

import pytest
import time_machine
from celery.exceptions import Retry
from django.utils import timezone

from repotraffic.budget.gates import token_gate
from repotraffic.budget.tests.helpers import gate_hour_set
from repotraffic.integrations.github.client import github_token_key
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import tasks
from repotraffic.traffic.collection_services import collection_claim
from repotraffic.traffic.models import Collection, TrafficDay

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)


def requested(**fields):
    """A repository whose collection was asked for (and so queued) a minute ago."""
    return RepositoryFactory.create(
        collection__requested_at=timezone.now() - dt.timedelta(minutes=1), **fields
    )


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.traffic_fetch_repository, "delay", lambda *args: calls.append(args))
    return calls


def test_fetch_all_queues_one_task_per_repository(queued):
    repositories = RepositoryFactory.create_batch(3)

    assert tasks.traffic_fetch_all.apply().get() == 3
    assert sorted(call[0] for call in queued) == sorted(str(r.id) for r in repositories)


def test_fetch_all_queues_only_what_each_tokens_hour_pays_for(queued, settings):
    settings.GITHUB_RATE_LIMIT_RESERVE = 100
    repositories = [
        RepositoryFactory.create(
            collection__token_key="a",
            collection__last_success_at=timezone.now() - dt.timedelta(hours=24 + number),
        )
        for number in range(4)
    ]
    gate_hour_set(token_key="a", remaining=100 + 6 * 3, seconds_left=600)  # its last part
    try:
        assert tasks.traffic_fetch_all.apply().get() == 3
    finally:
        token_gate().clear()

    oldest = repositories[::-1]  # collected 27, 26, 25 and 24 hours ago
    assert queued == [(str(repository.id),) for repository in oldest[:3]]
    assert all(collection.pending for collection in Collection.objects.all())  # the 4th too


def test_the_beat_sends_the_dispatch_every_10_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["traffic-fetch-due"]

    assert entry["task"] == tasks.traffic_fetch_due.name
    assert sorted(entry["schedule"].minute) == list(range(5, 60, 10))
    assert len(entry["schedule"].hour) == 24


def test_fetch_all_requests_every_collection_before_queuing(queued):
    RepositoryFactory.create_batch(2, collection__last_success_at=NOON - dt.timedelta(hours=1))

    with time_machine.travel(NOON, tick=False):
        tasks.traffic_fetch_all.apply().get()

    assert set(Collection.objects.values_list("requested_at", flat=True)) == {NOON}
    assert all(collection.pending for collection in Collection.objects.all())


class TestCatchUpOnStart:
    def test_queues_what_has_not_succeeded_for_a_day(self, queued):
        never = RepositoryFactory.create()
        old = RepositoryFactory.create(
            collection__last_success_at=timezone.now() - dt.timedelta(hours=30)
        )
        RepositoryFactory.create(collection__last_success_at=timezone.now() - dt.timedelta(hours=2))

        assert tasks.traffic_fetch_stale.apply().get() == 2
        assert sorted(queued) == sorted([(str(never.id),), (str(old.id),)])

    def test_queues_a_request_not_satisfied_yet_however_recent_the_last_success(self, queued):
        # Queued by the daily run, then lost with a killed worker.
        pending = requested(collection__last_success_at=timezone.now() - dt.timedelta(hours=2))

        assert tasks.traffic_fetch_stale.apply().get() == 1
        assert queued == [(str(pending.id),)]

    def test_queues_again_a_request_whose_task_a_killed_worker_took_along(self, queued):
        pending = requested(collection__last_success_at=timezone.now() - dt.timedelta(hours=2))
        Collection.objects.filter(pk=pending.id).update(queued_at=timezone.now())
        assert tasks.traffic_fetch_due.apply().get() == 0  # queued: the dispatch waits

        assert tasks.traffic_fetch_stale.apply().get() == 1
        assert queued == [(str(pending.id),)]

    def test_leaves_a_request_a_collection_satisfied(self, queued):
        requested(collection__last_success_at=timezone.now())

        assert tasks.traffic_fetch_stale.apply().get() == 0

    def test_requests_the_stale_ones_and_keeps_the_time_of_a_pending_request(self, queued):
        stale = RepositoryFactory.create(collection__last_success_at=NOON - dt.timedelta(days=2))
        pending = RepositoryFactory.create(collection__requested_at=NOON - dt.timedelta(days=1))

        with time_machine.travel(NOON, tick=False):
            tasks.traffic_fetch_stale.apply().get()

        assert Collection.objects.get(repository=stale).requested_at == NOON
        assert Collection.objects.get(repository=pending).requested_at == NOON - dt.timedelta(
            days=1
        )


def test_a_repository_task_collects(github):
    github.add_repo("acme", "rocket")
    repository = requested(owner="acme", name="rocket")

    summary = tasks.traffic_fetch_repository.apply(args=(str(repository.id),)).get()

    assert "acme/rocket: ok" in summary
    assert TrafficDay.objects.filter(repository=repository).count() > 5


def test_a_task_whose_request_another_worker_satisfied_skips_cheaply(
    github, django_assert_num_queries
):
    github.add_repo("acme", "rocket")
    repository = requested(owner="acme", name="rocket", collection__last_success_at=timezone.now())

    with django_assert_num_queries(1):
        summary = tasks.traffic_fetch_repository.apply(args=(str(repository.id),)).get()

    assert "skipped, no collection requested" in summary
    assert github.request_counts() == {}


def test_a_task_queued_by_an_older_version_still_runs(github):
    github.add_repo("acme", "rocket")
    repository = requested(owner="acme", name="rocket")

    summary = tasks.traffic_fetch_repository.apply(args=(str(repository.id), True)).get()

    assert "acme/rocket: ok" in summary


class TestLeaseHeldElsewhere:
    @pytest.fixture
    def retries(self, monkeypatch):
        """The retries the task asks for, instead of running them at once (eager mode)."""
        asked = []

        def retry(**options):
            asked.append(options)
            return Retry()

        monkeypatch.setattr(tasks.traffic_fetch_repository, "retry", retry)
        return asked

    def test_the_task_retries_just_after_the_lease_ends(self, github, retries):
        github.add_repo("acme", "rocket")
        repository = requested(owner="acme", name="rocket")
        with time_machine.travel(NOON, tick=False):
            # A worker killed mid-collection left its lease, 100 s of it still to run.
            collection_claim(repository_id=repository.id, lease=dt.timedelta(seconds=100))
            result = tasks.traffic_fetch_repository.apply(args=(str(repository.id),))

        assert result.state == "RETRY"
        assert retries[0]["countdown"] == 101
        assert github.request_counts() == {}

    def test_the_retry_collects_once_the_lease_has_expired(self, github):
        github.add_repo("acme", "rocket")
        repository = requested(owner="acme", name="rocket")
        with time_machine.travel(NOON, tick=False):
            collection_claim(repository_id=repository.id, lease=dt.timedelta(seconds=100))
        with time_machine.travel(NOON + dt.timedelta(seconds=101), tick=False):
            summary = tasks.traffic_fetch_repository.apply(args=(str(repository.id),)).get()

        assert "acme/rocket: ok" in summary


class TestTokenHourUsedUp:
    """A task whose token's hour is used up waits for a reset that is near, twice at
    most; otherwise it ends and hands the repository back to the dispatch, which queues
    it again once the token's hour can pay for it (test_dispatch.py)."""

    @pytest.fixture
    def retries(self, monkeypatch):
        asked = []

        def retry(**options):
            asked.append(options)
            return Retry()

        monkeypatch.setattr(tasks.traffic_fetch_repository, "retry", retry)
        return asked

    @pytest.fixture
    def pause(self, github, settings):
        """Pauses the server token at its gate for `seconds` (a rate limit seen by any
        process), longer than the client waits; returns the end (epoch seconds)."""
        settings.GITHUB_RATE_LIMIT_MAX_WAIT = 5

        def paused(seconds):
            until = time.time() + seconds
            key = github_token_key(token=settings.GITHUB_TOKEN)
            token_gate().pause(token_key=key, until=until)
            return until

        yield paused
        token_gate().clear()

    @staticmethod
    def queued_repository():
        repository = requested(owner="acme", name="rocket")
        Collection.objects.filter(pk=repository.id).update(queued_at=timezone.now())
        return repository

    @pytest.mark.parametrize("retries_so_far", [0, 1])
    def test_it_retries_at_a_reset_within_the_hour(self, github, retries, pause, retries_so_far):
        github.add_repo("acme", "rocket")
        repository = self.queued_repository()
        until = pause(1800)

        result = tasks.traffic_fetch_repository.apply(
            args=(str(repository.id),), retries=retries_so_far
        )

        assert result.state == "RETRY"
        assert abs(retries[0]["countdown"] - (until - time.time() + 1)) < 5
        assert github.request_counts() == {}  # nothing asked of GitHub meanwhile
        assert Collection.objects.get(repository=repository).queued_at is not None

    def test_after_two_retries_it_hands_the_repository_back_to_the_dispatch(
        self, github, retries, pause
    ):
        github.add_repo("acme", "rocket")
        repository = self.queued_repository()
        pause(1800)

        result = tasks.traffic_fetch_repository.apply(args=(str(repository.id),), retries=2)

        assert "rate limit" in result.get()
        assert retries == []
        collection = Collection.objects.get(repository=repository)
        assert collection.pending  # still asked for
        assert collection.queued_at is None  # the next dispatch queues it again

    def test_a_reset_further_than_55_minutes_is_not_waited_for(self, github, retries, pause):
        github.add_repo("acme", "rocket")
        repository = self.queued_repository()
        pause(56 * 60)

        result = tasks.traffic_fetch_repository.apply(args=(str(repository.id),))

        assert "rate limit" in result.get()
        assert retries == []
        assert Collection.objects.get(repository=repository).queued_at is None


def test_a_transient_failure_is_retried_by_the_task(github):
    github.add_repo("acme", "rocket")
    repository = requested(owner="acme", name="rocket")
    # The client tries 1 + GITHUB_MAX_RETRIES (3) times; the 5th request succeeds,
    # so only the task's own retry gets through.
    github.inject_fault("502", count=4)

    result = tasks.traffic_fetch_repository.apply(args=(str(repository.id),))

    assert "acme/rocket: ok" in result.get()
    assert Collection.objects.get(repository=repository).last_error == ""
    assert TrafficDay.objects.filter(repository=repository).exists()


def test_a_permanent_failure_is_not_retried(github):
    repository = requested(owner="acme", name="missing")

    summary = tasks.traffic_fetch_repository.apply(args=(str(repository.id),)).get()

    assert "FAILED" in summary
    assert sum(github.request_counts().values()) == 1


def test_creating_a_repository_queues_its_first_collection(
    auth_client, queued, django_capture_on_commit_callbacks, github
):
    github.add_repo("acme", "rocket")
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(
            "/api/repos/create", {"url": "github.com/acme/rocket"}, content_type="application/json"
        )
    assert queued == [(response.json()["id"],)]
    collection = Collection.objects.get(repository_id=response.json()["id"])
    assert collection.pending
    assert collection.queued_at is not None  # the dispatch does not queue it again
    assert tasks.traffic_fetch_due.apply().get() == 0


def test_a_repository_is_created_with_its_collection_state(
    auth_client, queued, django_capture_on_commit_callbacks, github
):
    github.add_repo("acme", "rocket")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = auth_client.post(
            "/api/repos/create", {"url": "github.com/acme/rocket"}, content_type="application/json"
        )

    # Made in the creating transaction; asked for and queued only once it commits.
    collection = Collection.objects.get(repository_id=response.json()["id"])
    assert (collection.requested_at, collection.last_attempt_at) == (None, None)
    assert len(callbacks) == 1 and queued == []


def test_a_collection_asked_for_while_the_broker_is_down_stays_requested(monkeypatch):
    repository = RepositoryFactory.create()

    def broker_down(*args):
        raise ConnectionError("the broker is not there")

    monkeypatch.setattr(tasks.traffic_fetch_repository, "delay", broker_down)
    tasks.traffic_fetch_repository_queue(repository_id=repository.id)

    collection = Collection.objects.get(repository=repository)
    assert collection.pending and collection.queued_at is None  # the next dispatch queues it
    sent = []
    monkeypatch.setattr(tasks.traffic_fetch_repository, "delay", lambda *args: sent.append(args))
    assert tasks.traffic_fetch_due.apply().get() == 1
    assert sent == [(str(repository.id),)]
