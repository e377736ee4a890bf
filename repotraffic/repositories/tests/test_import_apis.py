"""POST /api/repos/import and auto-tracking's endpoints, against the fake GitHub."""

import pytest

from repotraffic.repositories.models import Repository, TrackedOwner
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.repositories.tests.import_helpers import (  # noqa: F401 (a fixture)
    _fresh_counters,
    full_names,
    import_,
    tracked,
)
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.tests.factories import user_with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(github):
    """The server's token pushes to acme/rocket, acme/one and octo/widgets, and only sees
    acme/docs (public, pushed to by someone else)."""
    for owner, name in (("acme", "rocket"), ("acme", "one"), ("octo", "widgets")):
        github.add_repo(owner, name)
    github.add_repo("acme", "docs", push_tokens=["someone-else"])
    return github


class TestImportByOwner:
    def test_adds_the_owners_repositories_it_can_push_to_and_refuses_the_others(
        self, auth_client, user, acme
    ):
        response = import_(auth_client, {"owner": "acme"})

        assert response.status_code == 201
        body = response.json()
        assert full_names(body["added"]) == ["acme/one", "acme/rocket"]
        assert body["already_tracked"] == []
        (refused,) = body["refused"]
        assert (refused["full_name"], refused["cause"]) == ("acme/docs", "no_push_access")
        assert "push access" in refused["reason"] and "acme" in refused["reason"]
        assert (body["truncated"], body["note"], body["pages_read"]) == (False, "", 1)
        assert (body["credential"], body["source"], body["auto_track"]) == ("server", "user", None)
        assert tracked(user) == ["acme/one", "acme/rocket"]
        added = {item["id"]: item for item in body["added"]}
        for repository in Repository.objects.filter(user=user):
            assert added[str(repository.id)]["url"] == repository.url

    def test_the_owner_matches_whatever_its_case(self, auth_client, user, acme):
        assert import_(auth_client, {"owner": "ACME"}).status_code == 201
        assert tracked(user) == ["acme/one", "acme/rocket"]

    def test_one_github_request_whatever_the_number_of_repositories(self, auth_client, acme):
        acme.reset_requests()

        import_(auth_client, {"owner": "acme"})

        assert acme.request_counts() == {"/user/repos": 1}

    def test_queues_each_new_repositorys_first_collection(
        self, auth_client, acme, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        monkeypatch.setattr(
            "repotraffic.traffic.tasks.traffic_fetch_repository.delay",
            lambda repository_id, *args: queued.append(repository_id),
        )
        with django_capture_on_commit_callbacks(execute=True):
            body = import_(auth_client, {"owner": "acme"}).json()

        assert sorted(queued) == sorted(item["id"] for item in body["added"])


class TestImportEverything:
    def test_adds_every_owners_repositories_it_can_push_to(self, auth_client, user, acme):
        response = import_(auth_client, {"all": True})

        assert response.status_code == 201
        assert full_names(response.json()["added"]) == ["acme/one", "acme/rocket", "octo/widgets"]
        assert [item["full_name"] for item in response.json()["refused"]] == ["acme/docs"]

    def test_what_is_already_tracked_is_reported_with_its_id_and_not_added_again(
        self, auth_client, user, acme
    ):
        mine = RepositoryFactory.create(user=user, owner="ACME", name="Rocket")

        response = import_(auth_client, {"all": True})

        (already,) = response.json()["already_tracked"]
        assert already["id"] == str(mine.id)
        assert Repository.objects.filter(user=user, name__iexact="rocket").count() == 1

    def test_nothing_new_is_200(self, auth_client, user, acme):
        import_(auth_client, {"all": True})

        response = import_(auth_client, {"all": True})

        assert response.status_code == 200
        assert response.json()["added"] == []
        assert len(response.json()["already_tracked"]) == 3

    def test_another_users_repositories_are_theirs_alone(self, auth_client, user, acme):
        other = RepositoryFactory.create(owner="acme", name="rocket")

        import_(auth_client, {"all": True})

        assert Repository.objects.get(id=other.id).user != user
        assert "acme/rocket" in tracked(user)

    def test_pages_through_a_long_list(self, auth_client, user, github):
        for number in range(230):
            github.add_repo("big", f"repo-{number:03d}")

        body = import_(auth_client, {"owner": "big"}).json()

        assert len(body["added"]) == 230 and body["pages_read"] == 3
        assert not body["truncated"]
        assert len(tracked(user)) == 230

    def test_past_the_page_budget_it_stops_and_says_so(self, auth_client, user, github, settings):
        settings.REPOTRAFFIC_IMPORT_PAGES = 1
        for number in range(150):
            github.add_repo("big", f"repo-{number:03d}")

        body = import_(auth_client, {"all": True}).json()

        assert body["truncated"] is True and body["pages_read"] == 1
        assert "REPOTRAFFIC_IMPORT_PAGES" in body["note"]
        assert len(tracked(user)) == 100

    def test_a_slow_github_gives_a_shorter_answer_that_says_so(
        self, auth_client, user, github, monkeypatch
    ):
        monkeypatch.setattr("repotraffic.repositories.import_listings.IMPORT_SECONDS", 0.01)
        for number in range(150):
            github.add_repo("big", f"repo-{number:03d}")
        github.set_latency(50)

        body = import_(auth_client, {"all": True}).json()

        assert body["truncated"] is True and body["pages_read"] == 1
        assert "too slowly" in body["note"]
        assert len(tracked(user)) == 100


class TestLimits:
    def test_past_the_per_user_limit_the_rest_is_refused_saying_so(
        self, auth_client, user, acme, settings
    ):
        settings.REPOTRAFFIC_MAX_REPOSITORIES_PER_USER = 2
        RepositoryFactory.create(user=user, owner="elsewhere", name="old")

        body = import_(auth_client, {"all": True}).json()

        assert full_names(body["added"]) == ["acme/one"]  # GitHub's order: by full name
        refused = {item["full_name"]: item for item in body["refused"]}
        assert {name: item["cause"] for name, item in refused.items()} == {
            "acme/docs": "no_push_access",
            "acme/rocket": "limit",
            "octo/widgets": "limit",
        }
        assert "REPOTRAFFIC_MAX_REPOSITORIES_PER_USER" in refused["acme/rocket"]["reason"]
        assert Repository.objects.filter(user=user).count() == 2

    def test_imports_have_their_own_rate(self, auth_client, acme, settings):
        settings.REPOTRAFFIC_THROTTLE_REPOSITORY_IMPORT = "1/hour"
        assert import_(auth_client, {"owner": "acme"}).status_code == 201

        response = import_(auth_client, {"owner": "octo"})

        assert response.status_code == 429 and int(response["Retry-After"]) >= 1

    def test_each_repository_added_takes_one_create_from_the_allowance(
        self, auth_client, user, acme, settings
    ):
        settings.REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE = "2/hour"

        body = import_(auth_client, {"all": True}).json()

        assert len(body["added"]) == 2
        assert [item["cause"] for item in body["refused"]].count("create_allowance") == 1
        # The allowance is spent: neither a create nor another import gets past it.
        create = auth_client.post(
            "/api/repos/create", {"url": "github.com/octo/widgets"}, format="json"
        )
        assert create.status_code == 429
        assert import_(auth_client, {"all": True}).status_code == 429
        assert Repository.objects.filter(user=user).count() == 2

    def test_creates_made_before_leave_less_room(self, auth_client, user, acme, settings):
        settings.REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE = "2/hour"
        auth_client.post("/api/repos/create", {"url": "github.com/octo/widgets"}, format="json")

        body = import_(auth_client, {"owner": "acme"}).json()

        assert len(body["added"]) == 1


class TestCredentials:
    def test_only_the_users_own_token_is_used_never_another_users(self, api_client, github):
        github.add_token("ghp_alice", login="alice")
        github.add_token("ghp_bob", login="bob")
        github.add_repo("alice", "diary", private=True, push_tokens=["ghp_alice"])
        github.add_repo("bob", "secret", private=True, push_tokens=["ghp_bob"])
        alice, token = user_with_token(github_token_encrypted=secret_encrypt("ghp_alice"))
        user_with_token(github_token_encrypted=secret_encrypt("ghp_bob"))
        api_client.credentials(HTTP_X_API_TOKEN=token)
        github.concurrency_reset()

        body = import_(api_client, {"all": True}).json()

        assert body["credential"] == "own"
        assert tracked(alice) == ["alice/diary"]
        assert set(github.concurrency_peaks()) == {"alice"}  # logins that sent requests

    def test_without_a_usable_token_it_is_400_saying_what_to_do(self, auth_client, acme, settings):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "nobody"

        response = import_(auth_client, {"all": True})

        assert response.status_code == 400
        assert "POST /api/users/github-token" in response.json()["error"]

    def test_the_servers_token_is_not_listed_for_a_user_it_is_only_lent_to(
        self, auth_client, user, acme, settings
    ):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "trusted"
        user.trusted = True
        user.save()

        response = import_(auth_client, {"all": True})

        assert response.status_code == 403
        assert "your own GitHub credential" in response.json()["error"]
        assert tracked(user) == []
        assert not any(path.startswith("/user/repos") for path in acme.request_counts())

    def test_an_installation_token_imports_the_installations_repositories(self, api_client, github):
        github.add_token("ghs_installation", kind="app")
        github.add_repo("octo", "widgets")
        user, token = user_with_token(github_token_encrypted=secret_encrypt("ghs_installation"))
        api_client.credentials(HTTP_X_API_TOKEN=token)

        body = import_(api_client, {"owner": "octo"}).json()

        assert body["source"] == "installation"
        assert tracked(user) == ["octo/widgets"]

    def test_a_rate_limit_is_429_with_retry_after_and_adds_nothing(self, auth_client, user, acme):
        acme.inject_fault("primary_rate_limit", count=10, reset_in=600)

        response = import_(auth_client, {"all": True})

        assert response.status_code == 429 and int(response["Retry-After"]) > 60
        assert tracked(user) == []

    def test_github_down_is_503(self, auth_client, acme):
        acme.inject_fault("502", count=10)

        response = import_(auth_client, {"all": True})

        assert response.status_code == 503
        assert "Could not list your repositories" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        {"all": False},
        {"owner": "acme", "all": True},
        {"owner": 12},
        {"owner": None},
        {"owner": "-acme"},
        {"owner": "a" * 40},
        {"owner": "acme/rocket"},
        {"all": "true"},
        {"all": 1},
        {"owner": "acme", "auto_track": "yes"},
    ],
)
def test_bad_input_is_a_400_that_asks_github_nothing(auth_client, acme, body):
    acme.reset_requests()

    response = import_(auth_client, body)

    assert response.status_code == 400
    assert response.json()["error"]
    assert acme.request_counts() == {}
    assert Repository.objects.count() == TrackedOwner.objects.count() == 0


def test_needs_an_api_token(api_client):
    assert import_(api_client, {"all": True}).status_code == 401


def test_get_is_405(auth_client):
    assert auth_client.get("/api/repos/import").status_code == 405


def test_the_queries_of_an_import_do_not_grow_with_what_is_already_tracked(
    auth_client, user, github, django_assert_num_queries
):
    for name in ("one", "two", "three"):
        github.add_repo("new", name)
    for number in range(5):
        github.add_repo("old", f"repo-{number}")
        RepositoryFactory.create(user=user, owner="old", name=f"repo-{number}")

    # Authentication 1, the user's row locked 1, their repositories 1, the insert 1, a
    # collection state for each new one 3, the list's version 1; the savepoint 2.
    with django_assert_num_queries(10):
        body = import_(auth_client, {"all": True}).json()

    assert len(body["added"]) == 3 and len(body["already_tracked"]) == 5


class TestAutoTrack:
    def test_auto_track_remembers_the_owner(self, auth_client, user, acme):
        body = import_(auth_client, {"owner": "acme", "auto_track": True}).json()

        assert body["auto_track"]["owner"] == "acme"
        assert body["auto_track"]["last_error"] == ""
        (entry,) = auth_client.get("/api/repos/import/auto-track").json()
        assert entry["owner"] == "acme" and entry["last_run_at"] is None

    def test_everything_is_remembered_as_a_star_and_once_whatever_the_case(
        self, auth_client, user, acme
    ):
        import_(auth_client, {"all": True, "auto_track": True})
        import_(auth_client, {"owner": "acme", "auto_track": True})
        import_(auth_client, {"owner": "ACME", "auto_track": True})

        owners = [
            entry["owner"] for entry in auth_client.get("/api/repos/import/auto-track").json()
        ]
        assert owners == ["*", "acme"]

    def test_a_failed_import_remembers_nothing(self, auth_client, acme):
        acme.inject_fault("502", count=10)

        import_(auth_client, {"owner": "acme", "auto_track": True})

        assert TrackedOwner.objects.count() == 0

    def test_stopping_it(self, auth_client, user, acme):
        import_(auth_client, {"owner": "acme", "auto_track": True})
        import_(auth_client, {"all": True, "auto_track": True})

        first = auth_client.post(
            "/api/repos/import/auto-track/delete", {"owner": "Acme"}, format="json"
        )
        every = auth_client.post(
            "/api/repos/import/auto-track/delete", {"all": True}, format="json"
        )

        assert first.status_code == every.status_code == 200
        assert (first.json()["owner"], every.json()["owner"]) == ("acme", "*")
        assert TrackedOwner.objects.count() == 0
        assert tracked(user) == ["acme/one", "acme/rocket", "octo/widgets"]  # they stay

    def test_stopping_what_is_not_auto_tracked_is_404(self, auth_client, user):
        response = auth_client.post(
            "/api/repos/import/auto-track/delete", {"owner": "acme"}, format="json"
        )

        assert response.status_code == 404
        assert "acme" in response.json()["error"]

    def test_another_users_entries_are_neither_listed_nor_stopped(self, auth_client):
        other, _ = user_with_token()
        TrackedOwner.objects.create(user=other, owner="acme", created_after="2026-01-01T00:00Z")

        listed = auth_client.get("/api/repos/import/auto-track").json()
        stopped = auth_client.post(
            "/api/repos/import/auto-track/delete", {"owner": "acme"}, format="json"
        )

        assert listed == [] and stopped.status_code == 404
        assert TrackedOwner.objects.filter(user=other).exists()

    def test_the_list_is_one_query_after_authentication(
        self, auth_client, user, django_assert_num_queries
    ):
        for owner in ("a", "b", "c"):
            TrackedOwner.objects.create(user=user, owner=owner, created_after="2026-01-01T00:00Z")

        with django_assert_num_queries(2):
            response = auth_client.get("/api/repos/import/auto-track")

        assert [entry["owner"] for entry in response.json()] == ["a", "b", "c"]

    @pytest.mark.parametrize("body", [{}, {"owner": "acme", "all": True}, {"owner": "-x"}])
    def test_stopping_with_bad_input_is_400(self, auth_client, body):
        response = auth_client.post("/api/repos/import/auto-track/delete", body, format="json")

        assert response.status_code == 400
