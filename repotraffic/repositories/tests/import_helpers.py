"""What the tests of POST /api/repos/import share."""

import pytest
from django.core.cache import caches

from repotraffic.repositories.models import Repository


def import_(client, body):
    return client.post("/api/repos/import", body, content_type="application/json")


def tracked(user) -> list[str]:
    return sorted(repository.full_name for repository in Repository.objects.filter(user=user))


def full_names(items) -> list[str]:
    return sorted(f"{item['owner']}/{item['name']}" for item in items)


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Each test starts with no throttle counted."""
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()
