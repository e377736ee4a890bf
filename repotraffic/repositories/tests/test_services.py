import pytest

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.models import Repository
from repotraffic.repositories.services import repository_create
from repotraffic.repositories.signals import repository_created
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class TestRepositoryCreatedSignal:
    """repository_create tells the apps above (which it must not import) of a new
    repository, inside the transaction that creates it."""

    @pytest.fixture
    def received(self):
        calls = []

        def receiver(sender, *, repository, **kwargs):
            calls.append(repository)
            if repository.name == "refused":
                raise RuntimeError("a receiver failed")

        repository_created.connect(receiver, dispatch_uid="test-receiver")
        yield calls
        repository_created.disconnect(dispatch_uid="test-receiver")

    def test_is_sent_once_with_the_new_repository(self, github, received):
        github.add_repo("acme", "rocket")

        repository = repository_create(user=UserFactory.create(), url="github.com/acme/rocket")

        assert received == [repository]

    def test_a_receivers_failure_undoes_the_creation(self, github, received):
        github.add_repo("acme", "refused")

        with pytest.raises(RuntimeError):
            repository_create(user=UserFactory.create(), url="github.com/acme/refused")

        assert not Repository.objects.exists()


@pytest.mark.django_db
class TestRepositoryCreateProvesAccess:
    """repository_create asks GitHub whether the token that will collect can read traffic."""

    def create(self, user, url="https://github.com/acme/rocket"):
        return repository_create(user=user, url=url)

    def refusal(self, user, url="https://github.com/acme/rocket") -> ApplicationError:
        with pytest.raises(ApplicationError) as caught:
            self.create(user, url)
        assert not Repository.objects.exists()
        return caught.value

    def test_stores_githubs_own_spelling_of_the_name(self, github):
        github.add_repo("Acme", "Rocket")

        repository = self.create(UserFactory.create(), "github.com/ACME/rOCKET")

        assert (repository.owner, repository.name) == ("Acme", "Rocket")
        assert github.request_counts() == {"/repos/ACME/rOCKET": 1}

    def test_a_repository_github_does_not_know_is_400_saying_so(self, github):
        error = self.refusal(UserFactory.create())

        assert error.status_code == 400
        assert "acme/rocket was not found, or it is private" in error.message
        assert "the server's GitHub token" in error.message

    def test_a_private_repository_the_token_cannot_see_is_not_found(self, github):
        github.add_repo("acme", "rocket", private=True, push_tokens=["someone-else"])

        error = self.refusal(UserFactory.create())

        assert error.status_code == 400 and "not found" in error.message

    def test_read_only_access_is_400_naming_the_permission_to_grant(self, github, settings):
        github.add_token(settings.GITHUB_TOKEN, push=False)
        github.add_repo("acme", "rocket")

        error = self.refusal(UserFactory.create())

        assert error.status_code == 400
        assert "no push access" in error.message and "Administration: read" in error.message

    def test_the_users_own_token_is_the_one_asked(self, github):
        github.add_token("ghp_users_own", login="alice")
        github.add_repo("acme", "rocket", private=True, push_tokens=["ghp_users_own"])
        user = UserFactory.create(github_token_encrypted=secret_encrypt("ghp_users_own"))

        assert self.create(user).full_name == "acme/rocket"

    def test_an_untrusted_user_without_a_token_may_not_use_the_servers(self, github, settings):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "trusted"
        github.add_repo("acme", "rocket")

        error = self.refusal(UserFactory.create())

        assert error.status_code == 400
        assert "no usable GitHub token" in error.message
        assert "POST /api/users/github-token" in error.message
        assert github.request_counts() == {}  # GitHub was not asked

    def test_a_trusted_user_may_use_the_servers(self, github, settings):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "trusted"
        github.add_repo("acme", "rocket")

        assert self.create(UserFactory.create(trusted=True)).full_name == "acme/rocket"

    def test_nobody_uses_the_servers_token_when_the_policy_says_nobody(self, github, settings):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "nobody"
        github.add_repo("acme", "rocket")

        error = self.refusal(UserFactory.create(trusted=True))

        assert "no GitHub token for its users" in error.message

    def test_github_not_answering_is_503_and_stores_nothing(self, github):
        github.add_repo("acme", "rocket")
        github.inject_fault("503", count=10)

        error = self.refusal(UserFactory.create())

        assert error.status_code == 503 and "try again in a minute" in error.message

    def test_a_rate_limited_token_is_429_with_retry_after(self, github):
        github.add_repo("acme", "rocket")
        github.inject_fault("primary_rate_limit", count=10, reset_in=600)

        error = self.refusal(UserFactory.create())

        assert error.status_code == 429
        assert 590 <= int(error.headers["Retry-After"]) <= 602

    def test_an_invalid_or_tracked_url_costs_no_request_to_github(self, github):
        github.add_repo("acme", "rocket")
        user = UserFactory.create()
        self.create(user)
        github.reset_requests()

        with pytest.raises(ApplicationError):
            self.create(user, "https://github.com/ACME/Rocket")
        with pytest.raises(ApplicationError):
            self.create(user, "https://gitlab.com/acme/rocket")

        assert github.request_counts() == {}

    def test_past_the_per_user_limit_is_403(self, github, settings):
        settings.REPOTRAFFIC_MAX_REPOSITORIES_PER_USER = 2
        user = UserFactory.create()
        RepositoryFactory.create_batch(2, user=user)
        github.add_repo("acme", "rocket")

        error = self.refusal_after(user)

        assert error.status_code == 403 and "REPOTRAFFIC_MAX_REPOSITORIES_PER_USER" in error.message

    def refusal_after(self, user) -> ApplicationError:
        with pytest.raises(ApplicationError) as caught:
            self.create(user)
        assert Repository.objects.filter(user=user).count() == 2
        return caught.value


class TestServerTokenPool:
    def test_the_create_check_asks_with_the_pool_token_that_will_collect(self, github, settings):
        """Only pool-b can push to the repositories: a repository the pool gives to pool-b
        is added and collected with it; one given to another token is refused at once,
        rather than added and failing at its first collection."""
        from repotraffic.traffic.services import traffic_fetch
        from repotraffic.users.selectors import server_token_pick

        settings.GITHUB_TOKEN = "pool-a,pool-b,pool-c"
        for token in ("pool-a", "pool-b", "pool-c"):
            github.add_token(token, login=token)
        names = [f"repo-{number}" for number in range(12)]
        for name in names:
            github.add_repo("acme", name, private=True, push_tokens=["pool-b"])
        user = UserFactory.create()
        mine = [name for name in names if server_token_pick(key=f"acme/{name}") == "pool-b"]
        others = [name for name in names if name not in mine]
        assert mine and others

        for name in others:
            with pytest.raises(ApplicationError):
                repository_create(user=user, url=f"github.com/acme/{name}")
        github.concurrency_reset()
        for name in mine:
            repository = repository_create(user=user, url=f"github.com/acme/{name}")
            assert traffic_fetch(repository_id=repository.id).ok

        assert set(github.concurrency_peaks()) == {"pool-b"}  # the logins that asked
        assert sorted(Repository.objects.values_list("name", flat=True)) == sorted(mine)
