import datetime as dt

import factory
from django.utils import timezone

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import Collection, TrafficDay
from repotraffic.traffic.sum_services import traffic_sums_refresh


class CollectionFactory(factory.django.DjangoModelFactory[Collection]):
    """A repository's collection state; RepositoryFactory makes one with each repository."""

    class Meta:
        model = Collection

    repository = factory.SubFactory(RepositoryFactory, collection=None)


class TrafficDayFactory(factory.django.DjangoModelFactory[TrafficDay]):
    class Meta:
        model = TrafficDay

    repository = factory.SubFactory(RepositoryFactory)
    date = factory.Sequence(lambda n: dt.date(2024, 1, 1) + dt.timedelta(days=n))
    views = factory.Sequence(lambda n: 10 + n % 7)
    unique_views = factory.LazyAttribute(lambda o: o.views // 2)
    clones = factory.Sequence(lambda n: n % 4)
    unique_clones = factory.LazyAttribute(lambda o: o.clones // 2)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Like every write of days, with its week and month sums."""
        day = super()._create(model_class, *args, **kwargs)
        traffic_sums_refresh(repository_id=day.repository_id, days=[day.date])
        return day


def traffic_days_create(*, repository, start: dt.date, days: int, **fixed) -> list[TrafficDay]:
    """Bulk-create consecutive daily rows, cheaply enough for benchmarks too."""
    rows = [
        TrafficDay(
            repository=repository,
            date=start + dt.timedelta(days=offset),
            views=fixed.get("views", 5 + offset % 11),
            unique_views=fixed.get("unique_views", 2 + offset % 5),
            clones=fixed.get("clones", offset % 3),
            unique_clones=fixed.get("unique_clones", offset % 2),
        )
        for offset in range(days)
    ]
    created = TrafficDay.objects.bulk_create(rows)
    if not rows:
        return created
    traffic_sums_refresh(repository_id=repository.id, days=[row.date for row in rows])
    # Like the collection, widen the collected range to the new days and move the version
    # that keys the cached traffic JSON.
    collection = Collection.objects.get(repository=repository)
    last = start + dt.timedelta(days=days - 1)
    collection.collected_from = min(start, collection.collected_from or start)
    collection.collected_until = max(last, collection.collected_until or last)
    collection.traffic_updated_at = timezone.now()
    collection.save(update_fields=["collected_from", "collected_until", "traffic_updated_at"])
    collection.repository = repository  # what repository.collection reads from now
    return created
