import uuid

import pytest

from repotraffic.common.lookups import model_get_by_fields
from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.users.models import User
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_finds_the_row_whose_fields_all_match():
    repository = RepositoryFactory.create()
    RepositoryFactory.create()  # another user's

    found = model_get_by_fields(Repository, id=repository.id, user=repository.user_id)

    assert found == repository
    assert found.owner == repository.owner and found.created_at == repository.created_at


def test_a_uuid_matches_on_either_database_spelling():
    repository = RepositoryFactory.create()

    assert model_get_by_fields(Repository, id=uuid.UUID(str(repository.id))) == repository


def test_one_field_that_differs_finds_nothing():
    repository = RepositoryFactory.create()
    stranger = UserFactory.create()

    assert model_get_by_fields(Repository, id=repository.id, user=stranger.id) is None


def test_values_are_parameters_not_sql():
    UserFactory.create(token_digest="a" * 64)

    assert model_get_by_fields(User, token_digest="' OR '1'='1") is None
    assert User.objects.count() == 1
