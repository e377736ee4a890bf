"""repositories_import's writes: what the API tests cannot reach."""

import pytest
from django.db import IntegrityError

from repotraffic.repositories.import_services import CREATE_ALLOWANCE, repositories_import
from repotraffic.repositories.models import Repository
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(github):
    for name in ("rocket", "one"):
        github.add_repo("acme", name)
    return github


def conflicting_once(monkeypatch, *, times: int) -> list[int]:
    """Repository inserts fail `times` times as if a create had committed the same
    repository meanwhile."""
    real = Repository.objects.bulk_create
    calls: list[int] = []

    def bulk_create(objs, *args, **kwargs):
        calls.append(len(list(objs)))
        if len(calls) <= times:
            raise IntegrityError("UNIQUE constraint failed")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Repository.objects, "bulk_create", bulk_create)
    return calls


def test_a_conflict_with_a_concurrent_create_is_tried_again_once(acme, monkeypatch):
    user = UserFactory.create()
    calls = conflicting_once(monkeypatch, times=1)

    outcome = repositories_import(user=user, owner="acme")

    assert len(calls) == 2
    assert sorted(repository.name for repository in outcome.added) == ["one", "rocket"]
    assert Repository.objects.filter(user=user).count() == 2


def test_a_second_conflict_is_not_hidden(acme, monkeypatch):
    user = UserFactory.create()
    conflicting_once(monkeypatch, times=2)

    with pytest.raises(IntegrityError):
        repositories_import(user=user, owner="acme")


def test_no_create_left_refuses_every_new_one(acme):
    user = UserFactory.create()

    outcome = repositories_import(user=user, owner="acme", added_max=0)

    assert outcome.added == []
    assert {refusal.cause for refusal in outcome.refused} == {CREATE_ALLOWANCE}
    assert Repository.objects.filter(user=user).count() == 0
