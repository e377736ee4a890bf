"""POST /api/repos/import through the GitHub App installations the user connected: one
owner through the installation on its account, every owner through the own token and
each installation, merged; failures reported without losing the others' lists."""

from types import SimpleNamespace

import pytest

from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.repositories.tests.import_helpers import (  # noqa: F401 (a fixture)
    _fresh_counters,
    full_names,
    import_,
    tracked,
)
from repotraffic.repositories.tests.installation_helpers import (
    ALICE_TOKEN,
    app_installed,
    connect,
    own_token_set,
)
from repotraffic.traffic import services as traffic_services
from repotraffic.users.tests.factories import user_with_token

pytestmark = pytest.mark.django_db
ACCESS_TOKENS_56 = "/app/installations/56/access_tokens"


@pytest.fixture
def installed(github, settings):
    """The server's GitHub App on acme (56) and alice (55). acme/rocket is private and
    reached only by the installation; alice's own token pushes to acme/one and
    alice/diary, and only sees acme/docs. The server's token is lent to nobody."""
    app_installed(fake=github, settings=settings)
    settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "nobody"
    github.add_repo("acme", "rocket", private=True, push_tokens=["someone-else"])
    github.add_repo("acme", "docs", push_tokens=["someone-else"])
    github.add_repo("acme", "one", push_tokens=[ALICE_TOKEN])
    github.add_repo("alice", "diary", private=True, push_tokens=[ALICE_TOKEN])
    github.reset_requests()
    return github


class TestInstallations:
    def test_an_owner_is_imported_through_the_installation_on_it_without_an_own_token(
        self, auth_client, user, installed
    ):
        connect(user=user, installation_id=56, account="acme")

        response = import_(auth_client, {"owner": "ACME"})

        assert response.status_code == 201
        body = response.json()
        assert tracked(user) == ["acme/docs", "acme/one", "acme/rocket"]
        assert body["refused"] == []
        assert (body["credential"], body["source"]) == ("installation", "installation")
        assert body["listings"] == [
            {
                "credential": "installation",
                "installation_id": 56,
                "account": "acme",
                "source": "installation",
                "pages_read": 1,
                "truncated": False,
                "error": "",
            }
        ]
        assert installed.request_counts()[ACCESS_TOKENS_56] == 1
        assert installed.request_counts()["/installation/repositories"] == 1
        assert "/user/repos" not in installed.request_counts()  # known to be an installation

    def test_the_installation_lists_its_owner_even_when_the_user_has_a_token(
        self, auth_client, user, installed
    ):
        own_token_set(user=user, fake=installed)
        connect(user=user, installation_id=56, account="acme")
        installed.concurrency_reset()

        body = import_(auth_client, {"owner": "acme"}).json()

        assert "acme/rocket" in tracked(user)  # which the own token cannot see
        assert body["credential"] == "installation"
        # Logins that asked: the installation's, and the app's (its JWT has none).
        assert set(installed.concurrency_peaks()) == {"installation-56", ""}

    def test_an_owner_without_a_connected_installation_is_listed_by_the_own_token(
        self, auth_client, user, installed
    ):
        own_token_set(user=user, fake=installed)
        connect(user=user, installation_id=56, account="acme")

        body = import_(auth_client, {"owner": "alice"}).json()

        assert tracked(user) == ["alice/diary"]
        assert (body["credential"], body["source"]) == ("own", "user")
        assert ACCESS_TOKENS_56 not in installed.request_counts()

    def test_everything_is_the_own_tokens_list_and_each_installations_each_once(
        self, auth_client, user, installed
    ):
        own_token_set(user=user, fake=installed)
        connect(user=user, installation_id=56, account="acme")

        response = import_(auth_client, {"all": True})

        assert response.status_code == 201
        body = response.json()
        # acme/one is in both lists; acme/docs, which the own token cannot push to, is
        # the installation's to collect.
        assert full_names(body["added"]) == ["acme/docs", "acme/one", "acme/rocket", "alice/diary"]
        assert Repository.objects.filter(user=user).count() == 4
        assert body["refused"] == []
        assert (body["credential"], body["source"]) == ("mixed", "mixed")
        assert [(item["credential"], item["installation_id"]) for item in body["listings"]] == [
            ("own", None),
            ("installation", 56),
        ]
        assert (body["truncated"], body["note"], body["pages_read"]) == (False, "", 2)

    def test_a_removed_installation_is_reported_and_the_others_still_import(
        self, auth_client, user, installed
    ):
        own_token_set(user=user, fake=installed)
        connect(user=user, installation_id=55, account="alice")
        connect(user=user, installation_id=56, account="acme")
        installed.remove_installation(55)

        response = import_(auth_client, {"all": True})

        assert response.status_code == 201
        body = response.json()
        assert tracked(user) == ["acme/docs", "acme/one", "acme/rocket", "alice/diary"]
        failed = body["listings"][1]
        assert (failed["installation_id"], failed["account"], failed["source"]) == (55, "alice", "")
        assert "installation 55 was not found" in failed["error"]
        assert "delete this connection" in failed["error"]
        assert body["listings"][0]["error"] == body["listings"][2]["error"] == ""
        assert body["truncated"] is False
        assert failed["error"] in body["note"]

    def test_a_suspended_installation_says_how_to_unsuspend_it(self, auth_client, user, installed):
        own_token_set(user=user, fake=installed)
        connect(user=user, installation_id=56, account="acme")
        installed.suspend_installation(56)

        body = import_(auth_client, {"all": True}).json()

        assert tracked(user) == ["acme/one", "alice/diary"]
        assert "unsuspend" in body["listings"][1]["error"]
        assert body["credential"] == "own"

    def test_when_no_credential_lists_it_is_an_error_that_says_what_to_do(
        self, auth_client, user, installed
    ):
        connect(user=user, installation_id=56, account="acme")
        installed.remove_installation(56)

        for body in ({"all": True}, {"owner": "acme"}):
            response = import_(auth_client, body)

            assert response.status_code == 400
            assert "delete this connection" in response.json()["error"]
        assert tracked(user) == []

    def test_another_users_installation_on_the_same_account_is_never_used(
        self, auth_client, user, installed
    ):
        stranger, _ = user_with_token()
        connect(user=stranger, installation_id=56, account="acme")
        own_token_set(user=user, fake=installed)
        installed.concurrency_reset()

        owner = import_(auth_client, {"owner": "acme"}).json()
        every = import_(auth_client, {"all": True}).json()

        assert tracked(user) == ["acme/one", "alice/diary"]  # not the private acme/rocket
        assert owner["credential"] == every["credential"] == "own"
        assert ACCESS_TOKENS_56 not in installed.request_counts()
        assert set(installed.concurrency_peaks()) == {"alice"}
        assert not Repository.objects.filter(user=stranger).exists()

    def test_without_the_app_connections_are_ignored_as_collection_ignores_them(
        self, auth_client, user, installed, settings
    ):
        settings.GITHUB_APP_ID = 0
        own_token_set(user=user, fake=installed)
        connect(user=user, installation_id=56, account="acme")

        body = import_(auth_client, {"owner": "acme"}).json()

        assert tracked(user) == ["acme/one"]
        assert body["credential"] == "own"

    def test_each_credential_has_its_own_page_budget(self, auth_client, user, installed, settings):
        settings.REPOTRAFFIC_IMPORT_PAGES = 1
        for number in range(120):
            installed.add_repo(
                "acme", f"many-{number:03d}", private=True, push_tokens=["someone-else"]
            )
        own_token_set(user=user, fake=installed)
        connect(user=user, installation_id=56, account="acme")

        body = import_(auth_client, {"all": True}).json()

        own, installation = body["listings"]
        assert (own["pages_read"], own["truncated"]) == (1, False)
        assert (installation["pages_read"], installation["truncated"]) == (1, True)
        assert body["truncated"] is True and body["pages_read"] == 2
        assert body["note"].startswith("GitHub App installation 56 on acme: ")
        assert "alice/diary" in tracked(user)

    def test_the_repositories_it_adds_are_collected_through_the_installation(
        self, auth_client, user, installed, monkeypatch
    ):
        monkeypatch.setattr(traffic_services, "timezone", SimpleNamespace(now=installed.now))
        own_token_set(user=user, fake=installed)
        connect(user=user, installation_id=56, account="acme")
        import_(auth_client, {"owner": "acme"})
        rocket = Repository.objects.get(user=user, name="rocket")
        installed.concurrency_reset()

        outcome = traffic_services.traffic_fetch(repository_id=rocket.id)

        assert outcome.ok, outcome.summary
        assert set(installed.concurrency_peaks()) == {"installation-56"}  # logins that asked

    def test_the_queries_do_not_grow_with_the_installations(
        self, auth_client, user, installed, django_assert_num_queries
    ):
        own_token_set(user=user, fake=installed)
        connect(user=user, installation_id=55, account="alice")
        connect(user=user, installation_id=56, account="acme")
        RepositoryFactory.create(user=user, owner="acme", name="one")

        # As an import with one token, and the user's installations 1.
        with django_assert_num_queries(11):
            body = import_(auth_client, {"all": True}).json()

        assert len(body["added"]) == 3 and len(body["already_tracked"]) == 1
