"""traffic.detail_services: the unfiltered detail's traffic, rendered when a collection is
recorded."""

import datetime as dt

import pytest
from django.utils import timezone

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.collection_services import collection_record
from repotraffic.traffic.detail_services import traffic_detail_json_store
from repotraffic.traffic.models import Collection, TrafficDetailJson
from repotraffic.traffic.repository_selectors import traffic_detail_render
from repotraffic.traffic.tests.factories import traffic_days_create

pytestmark = pytest.mark.django_db


def test_recording_a_collection_renders_the_traffic_under_its_version():
    repository = RepositoryFactory.create()
    traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=3)

    collection_record(repository=repository, attempted_at=timezone.now())

    stored = TrafficDetailJson.objects.get(repository=repository)
    assert stored.version == Collection.objects.get(pk=repository.pk).traffic_updated_at
    assert stored.json == traffic_detail_render(repository=repository)
    assert '"date":"2024-01-03"' in stored.json


def test_a_version_already_rendered_is_not_rendered_again():
    repository = RepositoryFactory.create()
    traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=3)

    assert traffic_detail_json_store(repository=repository) is True
    assert traffic_detail_json_store(repository=repository) is False

    traffic_days_create(repository=repository, start=dt.date(2024, 1, 4), days=1)
    assert traffic_detail_json_store(repository=repository) is True
    assert '"date":"2024-01-04"' in TrafficDetailJson.objects.get(repository=repository).json


def test_nothing_is_rendered_before_any_traffic_was_stored():
    repository = RepositoryFactory.create()

    collection_record(repository=repository, attempted_at=timezone.now(), error="no token")

    assert not TrafficDetailJson.objects.exists()


def test_it_goes_with_its_repository():
    repository = RepositoryFactory.create()
    traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=3)
    traffic_detail_json_store(repository=repository)

    repository.delete()

    assert not TrafficDetailJson.objects.exists()
