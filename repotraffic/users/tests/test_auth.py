import pytest

from repotraffic.users.selectors import user_get_by_token


@pytest.mark.django_db
class TestApiToken:
    def test_missing_header_is_401(self, api_client):
        response = api_client.get("/api/repos")
        assert response.status_code == 401
        assert "X-API-Token" in response.json()["error"]

    @pytest.mark.parametrize("token", ["", "nope", "0" * 32, "é" * 40, "x" * 5000])
    def test_unknown_token_is_401(self, api_client, user, token):
        response = api_client.get("/api/repos", HTTP_X_API_TOKEN=token)
        assert response.status_code == 401
        assert "error" in response.json()

    def test_known_token_authenticates(self, user_and_token):
        user, token = user_and_token
        assert user_get_by_token(token=token) == user

    def test_the_digest_is_not_a_token(self, user_and_token):
        user, _ = user_and_token
        assert user_get_by_token(token=user.token_digest) is None
