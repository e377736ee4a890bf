"""Auto-tracking on the daily run: traffic_fetch_all queues one repositories_auto_track
per user who asked for it, which adds the repositories created at GitHub since."""

import datetime as dt

import pytest
import time_machine

from repotraffic.repositories import tasks
from repotraffic.repositories.import_services import repositories_import
from repotraffic.repositories.models import Repository, TrackedOwner
from repotraffic.repositories.services import repository_delete
from repotraffic.repositories.tests.installation_helpers import (
    ALICE_TOKEN,
    app_installed,
    connect,
    own_token_set,
)
from repotraffic.traffic import tasks as traffic_tasks
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
IMPORTED = dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)
NEXT_RUN = dt.datetime(2026, 11, 12, 22, 30, tzinfo=dt.UTC)


@pytest.fixture
def queued(monkeypatch):
    """The daily run's tasks: auto-tracking runs at once, collections are recorded."""
    collections: list[str] = []
    monkeypatch.setattr(
        traffic_tasks.traffic_fetch_repository, "delay", lambda *args: collections.append(args[0])
    )
    monkeypatch.setattr(
        tasks.repositories_auto_track,
        "delay",
        lambda user_id: tasks.repositories_auto_track(user_id),
    )
    return collections


def daily_run(django_capture_on_commit_callbacks) -> None:
    with (
        time_machine.travel(NEXT_RUN, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        traffic_tasks.traffic_fetch_all.apply().get()


def imported(user, **options) -> None:
    with time_machine.travel(IMPORTED, tick=False):
        repositories_import(user=user, **options)


def tracked(user) -> list[str]:
    return sorted(repository.full_name for repository in Repository.objects.filter(user=user))


@pytest.fixture
def acme(github):
    github.add_repo("acme", "rocket", created="2025-01-01T00:00:00Z")
    return github


def test_the_daily_run_adds_a_new_repository_and_queues_its_collection(
    acme, queued, django_capture_on_commit_callbacks
):
    user = UserFactory.create()
    imported(user, owner="acme", auto_track=True)
    acme.add_repo("acme", "brand-new", created="2026-11-11T08:00:00Z")
    acme.add_repo("octo", "also-new", created="2026-11-11T08:00:00Z")  # not a chosen owner

    daily_run(django_capture_on_commit_callbacks)

    assert tracked(user) == ["acme/brand-new", "acme/rocket"]
    new = Repository.objects.get(user=user, name="brand-new")
    assert str(new.id) in queued
    entry = TrackedOwner.objects.get(user=user)
    assert (entry.created_after, entry.last_run_at, entry.last_error) == (NEXT_RUN, NEXT_RUN, "")


def test_every_owner_when_auto_tracking_everything(
    acme, queued, django_capture_on_commit_callbacks
):
    user = UserFactory.create()
    imported(user, owner=None, auto_track=True)
    acme.add_repo("octo", "also-new", created="2026-11-11T08:00:00Z")

    daily_run(django_capture_on_commit_callbacks)

    assert tracked(user) == ["acme/rocket", "octo/also-new"]


def test_a_repository_the_user_stopped_tracking_is_not_added_back(
    acme, queued, django_capture_on_commit_callbacks
):
    user = UserFactory.create()
    imported(user, owner="acme", auto_track=True)
    rocket = Repository.objects.get(user=user, name="rocket")
    repository_delete(user=user, repository_id=rocket.id)

    daily_run(django_capture_on_commit_callbacks)

    assert tracked(user) == []


def test_nothing_is_added_once_auto_tracking_stopped(
    auth_client, user, acme, queued, django_capture_on_commit_callbacks
):
    imported(user, owner="acme", auto_track=True)
    auth_client.post("/api/repos/import/auto-track/delete", {"owner": "acme"}, format="json")
    acme.add_repo("acme", "brand-new", created="2026-11-11T08:00:00Z")

    daily_run(django_capture_on_commit_callbacks)

    assert tracked(user) == ["acme/rocket"]


def test_a_failure_is_recorded_and_the_next_run_tries_the_same_repositories_again(
    acme, queued, django_capture_on_commit_callbacks
):
    user = UserFactory.create()
    imported(user, owner="acme", auto_track=True)
    acme.add_repo("acme", "brand-new", created="2026-11-11T08:00:00Z")
    acme.inject_fault("503", count=20)

    daily_run(django_capture_on_commit_callbacks)

    entry = TrackedOwner.objects.get(user=user)
    assert "Could not list your repositories" in entry.last_error
    assert entry.created_after == IMPORTED and entry.last_run_at == NEXT_RUN
    acme.clear_faults()
    daily_run(django_capture_on_commit_callbacks)
    assert "acme/brand-new" in tracked(user)
    assert TrackedOwner.objects.get(user=user).last_error == ""


def test_one_users_failure_stops_neither_another_user_nor_the_collections(
    acme, queued, django_capture_on_commit_callbacks, settings
):
    broken = UserFactory.create(github_token_encrypted=secret_encrypt("ghp_revoked"))
    working = UserFactory.create()
    TrackedOwner.objects.create(user=broken, owner="acme", created_after=IMPORTED)
    imported(working, owner="acme", auto_track=True)
    acme.add_repo("acme", "brand-new", created="2026-11-11T08:00:00Z")

    daily_run(django_capture_on_commit_callbacks)

    assert "rejected the token" in TrackedOwner.objects.get(user=broken).last_error
    assert tracked(working) == ["acme/brand-new", "acme/rocket"]
    rocket = Repository.objects.get(user=working, name="rocket")
    assert str(rocket.id) in queued  # the run went on to queue the collections


def test_an_unexpected_error_is_recorded_in_words_and_logged(
    acme, queued, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    user = UserFactory.create()
    TrackedOwner.objects.create(user=user, owner="acme", created_after=IMPORTED)

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(tasks, "tracked_owners_import", broken)

    daily_run(django_capture_on_commit_callbacks)

    assert "error on this server" in TrackedOwner.objects.get(user=user).last_error
    assert "auto-tracking for user" in caplog.text


def test_past_the_limit_the_run_says_which_were_not_added(
    acme, queued, django_capture_on_commit_callbacks, settings
):
    settings.REPOTRAFFIC_MAX_REPOSITORIES_PER_USER = 1
    user = UserFactory.create()
    imported(user, owner="acme", auto_track=True)
    acme.add_repo("acme", "brand-new", created="2026-11-11T08:00:00Z")

    daily_run(django_capture_on_commit_callbacks)

    assert tracked(user) == ["acme/rocket"]
    error = TrackedOwner.objects.get(user=user).last_error
    assert "acme/brand-new was not added" in error
    assert "REPOTRAFFIC_MAX_REPOSITORIES_PER_USER" in error


def test_read_only_repositories_are_left_out_without_an_error(
    acme, queued, django_capture_on_commit_callbacks
):
    user = UserFactory.create()
    imported(user, owner="acme", auto_track=True)
    acme.add_repo("acme", "read-only", push_tokens=["someone"], created="2026-11-11T08:00:00Z")

    daily_run(django_capture_on_commit_callbacks)

    assert tracked(user) == ["acme/rocket"]
    assert TrackedOwner.objects.get(user=user).last_error == ""


def test_the_run_reads_one_page_of_the_newest(acme, queued, django_capture_on_commit_callbacks):
    for number in range(150):
        acme.add_repo("acme", f"old-{number:03d}", created="2024-01-01T00:00:00Z")
    user = UserFactory.create()
    TrackedOwner.objects.create(user=user, owner="acme", created_after=IMPORTED)
    acme.reset_requests()

    daily_run(django_capture_on_commit_callbacks)

    assert acme.request_counts() == {"/user/repos": 1}
    assert tracked(user) == []


@pytest.fixture
def installed(acme, settings):
    """The server's GitHub App on acme (56) and alice (55); the server's token is lent to
    nobody."""
    app_installed(fake=acme, settings=settings)
    settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "nobody"
    return acme


def test_an_owner_is_auto_tracked_through_the_installation_on_it(
    installed, queued, django_capture_on_commit_callbacks
):
    user = UserFactory.create()  # no token of their own
    connect(user=user, installation_id=56, account="acme")
    imported(user, owner="acme", auto_track=True)
    installed.add_repo(
        "acme", "brand-new", private=True, push_tokens=["someone-else"], created="2026-11-11T08:00Z"
    )

    daily_run(django_capture_on_commit_callbacks)

    assert tracked(user) == ["acme/brand-new", "acme/rocket"]
    entry = TrackedOwner.objects.get(user=user)
    assert (entry.created_after, entry.last_error) == (NEXT_RUN, "")


def test_a_removed_installation_holds_back_only_the_owners_it_lists(
    installed, queued, django_capture_on_commit_callbacks
):
    user = UserFactory.create()
    own_token_set(user=user, fake=installed)
    for number, account in ((55, "alice"), (56, "acme")):
        connect(user=user, installation_id=number, account=account)
    imported(user, owner=None, auto_track=True)
    imported(user, owner="acme", auto_track=True)
    installed.remove_installation(55)
    installed.add_repo(
        "acme", "brand-new", private=True, push_tokens=["someone-else"], created="2026-11-11T08:00Z"
    )
    installed.add_repo(
        "alice", "new-diary", private=True, push_tokens=[ALICE_TOKEN], created="2026-11-11T08:00Z"
    )

    daily_run(django_capture_on_commit_callbacks)

    assert tracked(user) == ["acme/brand-new", "acme/rocket", "alice/new-diary"]
    every = TrackedOwner.objects.get(user=user, owner="*")
    assert "installation 55 was not found" in every.last_error
    assert "delete this connection" in every.last_error
    # The next run considers the same repositories again for every owner...
    assert (every.created_after, every.last_run_at) == (IMPORTED, NEXT_RUN)
    # ...while acme, listed by its own installation, moves on.
    acme = TrackedOwner.objects.get(user=user, owner="acme")
    assert (acme.created_after, acme.last_error) == (NEXT_RUN, "")


def test_users_without_auto_tracking_queue_nothing(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(tasks.repositories_auto_track, "delay", calls.append)
    UserFactory.create()

    assert tasks.repositories_auto_track_queue_all() == 0
    assert calls == []


def test_each_user_is_queued_once(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(tasks.repositories_auto_track, "delay", calls.append)
    user = UserFactory.create()
    for owner in ("a", "b"):
        TrackedOwner.objects.create(user=user, owner=owner, created_after=IMPORTED)

    assert tasks.repositories_auto_track_queue_all() == 1
    assert calls == [user.id]
