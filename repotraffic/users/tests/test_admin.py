import pytest

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.tests.factories import user_with_token


@pytest.mark.django_db
def test_admin_never_shows_or_edits_tokens(admin_client):
    user, token = user_with_token(email="shown@example.com")
    user.github_token_encrypted = secret_encrypt("ghp_secret")
    user.save()
    repository = RepositoryFactory.create(user=user)

    pages = [
        "/admin/users/user/",
        f"/admin/users/user/{user.id}/change/",
        "/admin/repositories/repository/",
        f"/admin/repositories/repository/{repository.id}/change/",
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        for secret in (token, user.token_digest, user.github_token_encrypted, "ghp_secret"):
            assert secret not in html, page
    assert "shown@example.com" in admin_client.get("/admin/users/user/").content.decode()

    response = admin_client.post(
        f"/admin/users/user/{user.id}/change/",
        {"email": "shown@example.com", "token_digest": "0" * 64, "github_token_encrypted": "x"},
    )
    user.refresh_from_db()
    assert user.token_digest != "0" * 64
    assert user.github_token_encrypted != "x"
