import datetime as dt

import pytest

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.sharing.tests.factories import share_link_with_key
from repotraffic.traffic.tests.factories import traffic_days_create
from repotraffic.users.tests.factories import user_with_token

FIRST_DAY = dt.date(2024, 1, 1)


@pytest.fixture
def owner_and_token(db):
    return user_with_token()


@pytest.fixture
def token(owner_and_token) -> str:
    return owner_and_token[1]


@pytest.fixture
def repository(owner_and_token):
    """acme/rocket with 60 days of traffic from 2024-01-01."""
    repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="rocket")
    traffic_days_create(repository=repository, start=FIRST_DAY, days=60)
    return repository


@pytest.fixture
def share_key(owner_and_token) -> str:
    """The key of a share link to all of the owner's repositories."""
    return share_link_with_key(user=owner_and_token[0])[1]


@pytest.fixture
def repository_share_key(repository) -> str:
    """The key of a share link to acme/rocket alone."""
    return share_link_with_key(user=repository.user, repository=repository)[1]
