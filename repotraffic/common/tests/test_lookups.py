import uuid

import pytest

from repotraffic.common.lookups import Column, JoinedLookup, Param, Table, model_get_by_fields
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


def test_a_joined_lookup_reads_each_tables_row_and_none_where_a_join_finds_nothing():
    repository = RepositoryFactory.create()
    lookup = JoinedLookup(
        Table(User, match={"token_digest": Param("digest")}, fields=("email",)),
        Table(Repository, match={"user": Column(0, "id"), "id": Param("id")}),
    )

    user, found = lookup.get(digest=repository.user.token_digest, id=repository.id) or ()
    assert (user, found) == (repository.user, repository)
    assert found.created_at == repository.created_at  # converted as the ORM does
    assert user.get_deferred_fields() >= {"trusted", "github_login"}

    stranger = UserFactory.create()
    assert lookup.get(digest=stranger.token_digest, id=repository.id) == (stranger, None)
    assert lookup.get(digest="0" * 64, id=repository.id) is None


def test_unless_leaves_out_a_row_whose_field_equals_the_value():
    repository = RepositoryFactory.create()
    lookup = JoinedLookup(
        Table(User, match={"id": Param("user")}),
        Table(Repository, match={"user": Column(0, "id")}, unless={"name": Param("name")}),
    )

    assert (lookup.get(user=repository.user_id, name="other") or ())[1] == repository
    assert (lookup.get(user=repository.user_id, name=repository.name) or ())[1] is None
