"""The dispatch: each GitHub token's pending collections are queued as its hour can pay
for them (6 requests each, above GITHUB_RATE_LIMIT_RESERVE), oldest success first, each
once per request, so a token with more repositories than one hour pays for spreads them
over the hours it needs and none starves."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from repotraffic.budget.gates import Permit, token_gate
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import dispatch_selectors, dispatch_services, tasks
from repotraffic.traffic.collection_services import collections_request_all
from repotraffic.traffic.dispatch_services import collection_queued_release
from repotraffic.traffic.models import Collection

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)
RESERVE = 100
DAILY = 6


def pays_for(count: int) -> int:
    """What is left of an hour that pays for `count` daily collections."""
    return RESERVE + DAILY * count


@pytest.fixture(autouse=True)
def reserve(settings):
    settings.GITHUB_RATE_LIMIT_RESERVE = RESERVE


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.traffic_fetch_repository, "delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def hours_left():
    """Makes the gate know, as from GitHub's answers, what is left of each token's hour
    (keyword: token key), resetting in 10 minutes: the hour's last dispatch, which may
    queue all of it (pacing is tested apart)."""

    def left(**remaining: int) -> None:
        gate = token_gate()
        gate.clear()
        now = timezone.now().timestamp()
        for key, count in remaining.items():
            permit = gate.take(token_key=key, now=now, lease_seconds=30, interactive=True)
            assert isinstance(permit, Permit)
            gate.release(permit=permit, remaining=count, reset=now + 600)

    yield left
    token_gate().clear()


def due(*, key: str = "a", hours_ago: float | None = 24, **fields):
    """A repository whose collection is pending (asked for a minute ago); collected last
    `hours_ago` hours ago (None: never) with the token whose budget key is `key`."""
    now = timezone.now()
    success = None if hours_ago is None else now - dt.timedelta(hours=hours_ago)
    return RepositoryFactory.create(
        collection__token_key=key,
        collection__last_success_at=success,
        collection__last_attempt_at=success,
        collection__requested_at=now - dt.timedelta(minutes=1),
        **fields,
    )


def ids(calls) -> list[str]:
    return [call[0] for call in calls]


def dispatch(queued) -> list[str]:
    """One run of the dispatch (as beat sends it); the ids it queued, in order."""
    before = len(queued)
    assert tasks.traffic_fetch_due.apply().get() == len(queued) - before
    return ids(queued[before:])


def collected(repository_ids, *, at=None) -> None:
    """Their queued tasks ran and succeeded."""
    at = at or timezone.now()
    Collection.objects.filter(pk__in=repository_ids).update(last_success_at=at, last_attempt_at=at)


def oldest_first(repositories) -> list[str]:
    return [
        str(repository.id)
        for repository in sorted(
            repositories, key=lambda repository: repository.collection.last_success_at
        )
    ]


def test_a_token_short_of_hours_gets_what_its_hour_pays_for_oldest_success_first(
    queued, hours_left
):
    repositories = [due(hours_ago=hours) for hours in (30, 26, 48, 25, 72, 27, 29, 36)]
    hours_left(a=pays_for(5))

    assert dispatch(queued) == oldest_first(repositories)[:5]
    marked = Collection.objects.filter(queued_at__isnull=False).values_list("pk", flat=True)
    assert sorted(map(str, marked)) == sorted(oldest_first(repositories)[:5])


def test_the_next_hour_queues_the_next_ones_and_none_twice(queued, hours_left):
    with time_machine.travel(NOON, tick=False):
        repositories = [due(hours_ago=24 + number) for number in range(8)]
        order = oldest_first(repositories)
        hours_left(a=pays_for(5))
        first = dispatch(queued)
    with time_machine.travel(NOON + dt.timedelta(minutes=20), tick=False):
        collected(first)  # their tasks ran
    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        hours_left(a=pays_for(5))
        second = dispatch(queued)

    assert first == order[:5]
    assert second == order[5:]


def test_no_repository_starves_on_a_token_whose_hour_stays_short(queued, hours_left):
    with time_machine.travel(NOON, tick=False):
        repositories = [due(hours_ago=24 + (number * 7) % 23) for number in range(23)]
        order = oldest_first(repositories)
    turns = []
    for hour in range(6):
        with time_machine.travel(NOON + dt.timedelta(hours=hour), tick=False):
            hours_left(a=pays_for(5))
            turns.append(dispatch(queued))
            collected(turns[-1])

    assert [len(turn) for turn in turns] == [5, 5, 5, 5, 3, 0]
    assert [each for turn in turns for each in turn] == order  # each once, oldest first


def test_each_token_gets_its_own_share(queued, hours_left):
    on_a = [due(key="a", hours_ago=30 + number) for number in range(7)]
    on_b = [due(key="b", hours_ago=30 + number) for number in range(7)]
    hours_left(a=pays_for(5), b=pays_for(2))

    queued_ids = dispatch(queued)

    assert sorted(queued_ids) == sorted(oldest_first(on_a)[:5] + oldest_first(on_b)[:2])


def test_the_queued_ones_not_tried_yet_count_against_the_hour(queued, hours_left):
    repositories = [due(hours_ago=30 + number) for number in range(8)]
    order = oldest_first(repositories)
    hours_left(a=pays_for(3))
    assert dispatch(queued) == order[:3]

    # Nothing ran yet (a busy queue); the gate now sees room for 5: 2 more.
    hours_left(a=pays_for(5))
    assert dispatch(queued) == order[3:5]


def test_a_repository_queued_and_still_pending_is_not_queued_again(queued):
    repositories = [due(hours_ago=30 + number) for number in range(3)]
    assert sorted(dispatch(queued)) == sorted(str(each.id) for each in repositories)

    # Its task ran and failed (not for the rate limit): it waits for the next request.
    Collection.objects.filter(pk=repositories[0].id).update(
        last_attempt_at=timezone.now(), last_error="GitHub says no"
    )
    assert dispatch(queued) == []

    collections_request_all()  # the next daily run asks again
    assert sorted(dispatch(queued)) == sorted(str(each.id) for each in repositories)


def test_one_handed_back_by_its_task_is_queued_again_in_its_fair_place(queued, hours_left):
    with time_machine.travel(NOON, tick=False):
        repositories = [due(hours_ago=24 + number) for number in range(7)]
        order = oldest_first(repositories)
        hours_left(a=pays_for(5))
        first = dispatch(queued)
    with time_machine.travel(NOON + dt.timedelta(minutes=20), tick=False):
        # The oldest was refused by the rate limit until a reset too far to wait for.
        refused = repositories[-1]
        assert str(refused.id) == order[0]
        Collection.objects.filter(pk=refused.id).update(last_attempt_at=timezone.now())
        collection_queued_release(repository_id=refused.id)
        collected(first[1:])
    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        hours_left(a=pays_for(5))
        second = dispatch(queued)

    assert first == order[:5]
    assert second == [order[0], *order[5:]]


def test_never_collected_ones_without_a_token_yet_are_all_queued(queued, hours_left):
    never = [due(key="", hours_ago=None) for _ in range(4)]
    due(key="a")  # on a token whose hour is spent
    hours_left(a=pays_for(0))

    assert sorted(dispatch(queued)) == sorted(str(each.id) for each in never)
    assert dispatch(queued) == []  # once each


def test_first_collections_on_a_token_come_after_its_daily_ones(queued, hours_left):
    daily = [due(hours_ago=30 + number) for number in range(2)]
    first = sorted((due(hours_ago=None) for _ in range(3)), key=lambda each: each.id)
    hours_left(a=pays_for(4))

    assert dispatch(queued) == [*oldest_first(daily), str(first[0].id), str(first[1].id)]


def test_a_paused_token_gets_nothing(queued):
    due(key="a")
    token_gate().pause(token_key="a", until=timezone.now().timestamp() + 600)
    try:
        assert dispatch(queued) == []
    finally:
        token_gate().clear()


def test_an_hour_the_gate_does_not_know_counts_as_a_full_one_paced(queued, monkeypatch):
    # A whole hour of 12 collections, of which this dispatch takes its sixth.
    monkeypatch.setattr(dispatch_services, "HOUR_UNKNOWN_REQUESTS", pays_for(12))
    repositories = [due(hours_ago=30 + number) for number in range(3)]

    assert dispatch(queued) == oldest_first(repositories)[:2]


@pytest.mark.parametrize(
    ("minutes_to_reset", "share"), [(60, 10), (30, 20), (20, 30), (10, 60), (3, 60)]
)
def test_an_hours_spend_is_spread_over_its_dispatches_until_the_reset(
    queued, minutes_to_reset, share
):
    """What is left of the hour (60 collections) over the dispatches, 10 minutes apart,
    until GitHub's reset: the last one before it queues what is left."""
    repositories = [due(hours_ago=30 + number / 60) for number in range(70)]
    gate = token_gate()
    now = timezone.now().timestamp()
    permit = gate.take(token_key="a", now=now, lease_seconds=30, interactive=True)
    assert isinstance(permit, Permit)
    gate.release(permit=permit, remaining=pays_for(60), reset=now + 60 * minutes_to_reset)
    try:
        assert dispatch(queued) == oldest_first(repositories)[:share]
    finally:
        gate.clear()


def test_a_broker_failing_mid_page_marks_only_what_went(monkeypatch):
    repositories = [due(hours_ago=30 + number) for number in range(3)]
    sent: list[str] = []

    def delay(repository_id):
        if sent:
            raise ConnectionError("the broker is gone")
        sent.append(repository_id)

    monkeypatch.setattr(tasks.traffic_fetch_repository, "delay", delay)
    with pytest.raises(ConnectionError):
        tasks.traffic_fetch_due.apply().get()

    marked = Collection.objects.filter(queued_at__isnull=False).values_list("pk", flat=True)
    assert [str(each) for each in marked] == sent == oldest_first(repositories)[:1]


class TestQueries:
    """One query for the tokens, then one read and one UPDATE per page of ids: the same
    count however many repositories wait beyond the token's share."""

    @pytest.fixture(autouse=True)
    def small_pages(self, monkeypatch):
        monkeypatch.setattr(dispatch_selectors, "_PAGE", 2)

    @pytest.mark.parametrize("waiting", [9, 30])
    def test_a_tokens_share_costs_the_same_whatever_waits(
        self, queued, hours_left, django_assert_num_queries, waiting
    ):
        for number in range(waiting):
            due(hours_ago=30 + number)
        hours_left(a=pays_for(5))

        with django_assert_num_queries(1 + 3 + 3):  # pages of 2, 2 and 1
            assert len(dispatch(queued)) == 5

    @pytest.mark.parametrize(("waiting", "pages"), [(3, 2), (6, 3)])
    def test_each_page_without_a_token_costs_a_read_and_an_update(
        self, queued, django_assert_num_queries, waiting, pages
    ):
        for _ in range(waiting):
            due(key="", hours_ago=None)

        # The tokens; the collected ones (none); the pages (and an empty last read when
        # the count is a multiple of the page); an UPDATE per page.
        reads = pages + (waiting % 2 == 0)
        with django_assert_num_queries(1 + 1 + reads + pages):
            assert len(dispatch(queued)) == waiting


def test_the_pace_assumes_the_period_beat_runs_the_dispatch_at(settings):
    minutes = sorted(settings.CELERY_BEAT_SCHEDULE["traffic-fetch-due"]["schedule"].minute)
    gaps = {(b - a) % 60 for a, b in zip(minutes, minutes[1:] + minutes[:1], strict=True)}

    assert gaps == {dispatch_services.DISPATCH_EVERY_SECONDS // 60}
