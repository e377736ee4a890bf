"""traffic_fetch_many's lanes: each credential keeps its share of the threads busy."""

import threading
import time
import uuid

from repotraffic.traffic import collection
from repotraffic.traffic.collection import FetchOutcome, traffic_fetch_many
from repotraffic.traffic.selectors import CollectionJob


class Running:
    """A stand-in for traffic_fetch that records how many run at once, per lane."""

    def __init__(self, lanes: dict[uuid.UUID, str]) -> None:
        self.lanes = lanes
        self.lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.most_at_once = 0

    def __call__(self, *, repository_id: uuid.UUID) -> FetchOutcome:
        lane = self.lanes[repository_id]
        with self.lock:
            self.now[lane] = self.now.get(lane, 0) + 1
            self.most[lane] = max(self.most.get(lane, 0), self.now[lane])
            self.most_at_once = max(self.most_at_once, sum(self.now.values()))
        time.sleep(0.02)  # a collection's requests: long enough for the others to start
        with self.lock:
            self.now[lane] -= 1
        return FetchOutcome(repository_id=repository_id, full_name=str(repository_id))


def _jobs(lane: str, count: int) -> list[CollectionJob]:
    return [CollectionJob(uuid.uuid4(), lane) for _ in range(count)]


def test_one_lane_never_takes_more_than_twice_its_tokens_slots(monkeypatch, settings):
    settings.GITHUB_TOKEN_CONCURRENCY = 1  # a lane takes 2 threads
    # The worst order for taking jobs as they come: all of one token's, then the other's.
    jobs = _jobs("token-a", 12) + _jobs("token-b", 12)
    running = Running({job.repository_id: job.lane for job in jobs})
    monkeypatch.setattr(collection, "traffic_fetch", running)
    seen: list[FetchOutcome] = []

    totals = traffic_fetch_many(jobs=iter(jobs), concurrency=4, on_outcome=seen.append)

    assert sorted(outcome.repository_id for outcome in seen) == sorted(
        job.repository_id for job in jobs
    )
    assert totals.failed == 0
    assert running.most == {"token-a": 2, "token-b": 2}
    # Both tokens busy at once: the other token's jobs did not wait behind the first's.
    assert running.most_at_once == 4


def test_repositories_of_no_known_lane_are_not_held_back(monkeypatch, settings):
    settings.GITHUB_TOKEN_CONCURRENCY = 1
    jobs = _jobs("", 8)  # never collected: the credential is not known yet
    running = Running({job.repository_id: job.lane for job in jobs})
    monkeypatch.setattr(collection, "traffic_fetch", running)

    traffic_fetch_many(jobs=iter(jobs), concurrency=4)

    assert running.most[""] == 4


def test_memory_stays_flat_the_producer_waits_for_room(monkeypatch, settings):
    settings.GITHUB_TOKEN_CONCURRENCY = 1
    monkeypatch.setattr(collection, "_LANE_CAPACITY", 3)
    given = 0
    listed = _jobs("token-a", 20)

    def jobs():
        nonlocal given
        for job in listed:
            given += 1
            yield job

    waiting_most = 0
    lanes_put = collection._Lanes.put

    def put(self, job):
        nonlocal waiting_most
        lanes_put(self, job)
        waiting_most = max(waiting_most, self._size)

    monkeypatch.setattr(collection._Lanes, "put", put)
    running = Running({job.repository_id: job.lane for job in listed})
    monkeypatch.setattr(collection, "traffic_fetch", running)

    totals = traffic_fetch_many(jobs=jobs(), concurrency=1)

    assert given == 20 and totals.ok + totals.failed + totals.skipped == 20
    assert waiting_most <= 4  # capacity: max(_LANE_CAPACITY, concurrency * 4)
