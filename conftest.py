import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from repotraffic.common.cache import json_cache_clear
from repotraffic.integrations.github.client import github_rate_limit_blocks_clear
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.users.tests.factories import UserFactory, user_with_token


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    json_cache_clear()
    github_rate_limit_blocks_clear()
    yield
    cache.clear()
    json_cache_clear()
    github_rate_limit_blocks_clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user_and_token(db):
    return user_with_token()


@pytest.fixture
def auth_client(user_and_token) -> APIClient:
    _, token = user_and_token
    client = APIClient()
    client.credentials(HTTP_X_API_TOKEN=token)
    return client


@pytest.fixture
def user(user_and_token):
    return user_and_token[0]


__all__ = ["UserFactory"]


@pytest.fixture
def github(settings):
    """The bundled fake GitHub on loopback, with the server token and a repository,
    its clock fixed late in a UTC day (when the scheduled collection runs)."""
    with FakeGitHub() as fake:
        fake.add_token(settings.GITHUB_TOKEN, login="server")
        fake.set_now("2026-11-12T22:30:00Z")
        settings.GITHUB_API_URL = fake.url
        yield fake
