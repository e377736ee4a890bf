import pytest

from repotraffic.users.crypto import secret_decrypt
from repotraffic.users.models import User

SET = "/api/users/github-token"
DELETE = "/api/users/github-token/delete"


def post(client, url, body=None):
    return client.post(url, body, content_type="application/json")


@pytest.mark.django_db
class TestGitHubTokenSet:
    def test_a_good_token_is_checked_then_stored_encrypted_and_never_returned(
        self, auth_client, user, github
    ):
        github.add_token("ghp_mine", login="alice")

        response = post(auth_client, SET, {"token": "ghp_mine"})

        assert response.status_code == 200
        assert response.json() == {"has_token": True, "login": "alice"}
        user.refresh_from_db()
        assert "ghp_mine" not in user.github_token_encrypted
        assert secret_decrypt(user.github_token_encrypted) == "ghp_mine"
        assert "ghp_mine" not in str(User.objects.values().get(id=user.id))
        assert github.request_counts() == {"/user": 1}

    def test_a_bad_token_is_a_400_that_says_why_and_keeps_the_old_one(
        self, auth_client, user, github
    ):
        github.add_token("ghp_old", login="alice")
        post(auth_client, SET, {"token": "ghp_old"})

        response = post(auth_client, SET, {"token": "ghp_revoked"})

        assert response.status_code == 400
        assert "GitHub refused the token" in response.json()["error"]
        user.refresh_from_db()
        assert secret_decrypt(user.github_token_encrypted) == "ghp_old"

    def test_github_down_is_a_503_and_stores_nothing(self, auth_client, user, github):
        github.add_token("ghp_mine")
        github.inject_fault("502", count=20)

        response = post(auth_client, SET, {"token": "ghp_mine"})

        assert response.status_code == 503
        assert "try" in response.json()["error"].lower() or "GitHub" in response.json()["error"]
        user.refresh_from_db()
        assert user.github_token_encrypted == ""

    @pytest.mark.parametrize(
        "body", [{}, {"token": ""}, {"token": 12}, {"token": "two words"}, [], {"token": None}]
    )
    def test_bad_input_is_a_400(self, auth_client, body):
        response = post(auth_client, SET, body)
        assert response.status_code == 400
        assert response.json()["error"]

    def test_needs_an_api_token(self, api_client):
        assert post(api_client, SET, {"token": "x"}).status_code == 401


@pytest.mark.django_db
def test_delete_removes_the_token(auth_client, user, github):
    github.add_token("ghp_mine", login="alice")
    post(auth_client, SET, {"token": "ghp_mine"})

    response = post(auth_client, DELETE)

    assert response.status_code == 200
    assert response.json() == {"has_token": False, "login": ""}
    user.refresh_from_db()
    assert user.github_token_encrypted == ""
