"""The abuse limits: each a setting, each a 429 {"error"} with Retry-After."""

import pytest
from django.core.cache import caches

from repotraffic.repositories.models import Repository
from repotraffic.users.models import User
from repotraffic.users.tests.factories import user_with_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def sign_up(client, email, address="203.0.113.7"):
    return client.post("/api/users/create", {"email": email}, format="json", REMOTE_ADDR=address)


def assert_throttled(response):
    assert response.status_code == 429
    assert "try again in" in response.json()["error"]
    assert int(response["Retry-After"]) >= 1


class TestSignUpsPerAddress:
    def test_past_the_rate_an_address_is_refused_and_nobody_is_created(self, api_client, settings):
        settings.REPOTRAFFIC_THROTTLE_USER_CREATE = "2/hour"
        assert sign_up(api_client, "one@example.com").status_code == 200
        assert sign_up(api_client, "two@example.com").status_code == 200

        assert_throttled(sign_up(api_client, "three@example.com"))
        assert User.objects.count() == 2

    def test_another_address_has_its_own_count(self, api_client, settings):
        settings.REPOTRAFFIC_THROTTLE_USER_CREATE = "1/hour"
        sign_up(api_client, "one@example.com")

        assert sign_up(api_client, "two@example.com", address="198.51.100.9").status_code == 200

    def test_behind_a_proxy_the_forwarded_address_counts(self, api_client, settings):
        settings.REPOTRAFFIC_THROTTLE_USER_CREATE = "1/hour"
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        first = api_client.post(
            "/api/users/create",
            {"email": "one@example.com"},
            format="json",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
        other_client = api_client.post(
            "/api/users/create",
            {"email": "two@example.com"},
            format="json",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.9",
        )

        assert first.status_code == other_client.status_code == 200


class TestRepositoryCreatesPerUser:
    def test_past_the_rate_a_user_is_refused_before_github_is_asked(
        self, api_client, settings, github
    ):
        settings.REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE = "1/hour"
        github.add_repo("acme", "rocket")
        github.add_repo("acme", "launchpad")
        _, token = user_with_token()
        api_client.credentials(HTTP_X_API_TOKEN=token)
        first = api_client.post(
            "/api/repos/create", {"url": "github.com/acme/rocket"}, format="json"
        )
        github.reset_requests()

        second = api_client.post(
            "/api/repos/create", {"url": "github.com/acme/launchpad"}, format="json"
        )

        assert first.status_code == 200
        assert_throttled(second)
        assert Repository.objects.count() == 1
        assert github.request_counts() == {}

    def test_each_user_has_their_own_count(self, api_client, settings, github):
        settings.REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE = "1/hour"
        github.add_repo("acme", "rocket")
        for _ in range(2):
            _, token = user_with_token()
            api_client.credentials(HTTP_X_API_TOKEN=token)
            response = api_client.post(
                "/api/repos/create", {"url": "github.com/acme/rocket"}, format="json"
            )
            assert response.status_code == 200


def test_github_token_checks_per_user(api_client, settings, github):
    settings.REPOTRAFFIC_THROTTLE_GITHUB_TOKEN_CHECK = "1/hour"
    github.add_token("ghp_mine", login="alice")
    _, token = user_with_token()
    api_client.credentials(HTTP_X_API_TOKEN=token)
    assert (
        api_client.post("/api/users/github-token", {"token": "ghp_mine"}, format="json").status_code
        == 200
    )
    github.reset_requests()

    assert_throttled(
        api_client.post("/api/users/github-token", {"token": "ghp_mine"}, format="json")
    )
    assert github.request_counts() == {}
