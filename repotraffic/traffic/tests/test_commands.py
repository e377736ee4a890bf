import io

import pytest
from django.core.management import CommandError, call_command

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import collection
from repotraffic.traffic.collection import traffic_fetch_many
from repotraffic.traffic.models import TrafficDay
from repotraffic.traffic.selectors import CollectionJob


def run(*args) -> str:
    out = io.StringIO()
    call_command("fetch_traffic", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
class TestFetchTraffic:
    def test_collects_every_repository_and_prints_a_line_each_and_a_summary(self, github):
        for name in ("rocket", "launchpad"):
            github.add_repo("acme", name)
            RepositoryFactory.create(owner="acme", name=name)
        RepositoryFactory.create(owner="acme", name="vanished")

        output = run("--concurrency", "2")

        assert "acme/rocket: ok" in output
        assert "acme/launchpad: ok" in output
        assert "acme/vanished: FAILED, acme/vanished was not found" in output
        assert "3 repositories in" in output
        assert "2 collected" in output and "1 failed" in output
        assert TrafficDay.objects.filter(repository__name="rocket").exists()

    def test_one_repository(self, github):
        github.add_repo("acme", "rocket")
        one = RepositoryFactory.create(owner="acme", name="rocket")
        RepositoryFactory.create(owner="acme", name="other")

        output = run("--repository", str(one.id))

        assert "acme/rocket: ok" in output
        assert "acme/other" not in output
        assert "1 repositories in" in output

    @pytest.mark.parametrize("value", ["not-an-id", "6f1c9b1e-0000-4000-8000-00000000dead"])
    def test_an_unknown_repository_is_an_error(self, value):
        with pytest.raises(CommandError):
            run("--repository", value)


@pytest.mark.django_db(transaction=True)
def test_many_at_once_survives_an_unexpected_failure(github, monkeypatch):
    repositories = []
    for number in range(6):
        github.add_repo("acme", f"r{number}")
        repositories.append(RepositoryFactory.create(owner="acme", name=f"r{number}"))
    broken = repositories[2].id
    real_fetch = collection.traffic_fetch

    def fetch(*, repository_id):
        if repository_id == broken:
            raise RuntimeError("disk full")
        return real_fetch(repository_id=repository_id)

    monkeypatch.setattr(collection, "traffic_fetch", fetch)
    seen: list[collection.FetchOutcome] = []

    totals = traffic_fetch_many(
        jobs=iter([CollectionJob(r.id) for r in repositories]),
        concurrency=3,
        on_outcome=seen.append,
    )

    assert sorted(o.repository_id for o in seen) == sorted(r.id for r in repositories)
    assert (totals.ok, totals.failed, totals.skipped) == (5, 1, 0)
    assert "disk full" in next(o for o in seen if o.repository_id == broken).summary
