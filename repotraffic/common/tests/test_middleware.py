import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from repotraffic.common.middleware import TrailingSlashOptionalMiddleware

pytestmark = pytest.mark.django_db


def served_path(path: str) -> str:
    middleware = TrailingSlashOptionalMiddleware(lambda request: HttpResponse(request.path_info))
    return middleware(RequestFactory().post(path)).content.decode()


@pytest.mark.parametrize(
    ("path", "served"),
    [
        ("/api/repos/", "/api/repos"),
        ("/api/repos//", "/api/repos"),
        ("/users/abc/repos/", "/users/abc/repos"),
        ("/api/repos", "/api/repos"),
    ],
)
def test_a_trailing_slash_is_dropped_under_the_api_and_the_pages(path, served):
    assert served_path(path) == served


@pytest.mark.parametrize("path", ["/api/", "/users/", "/admin/", "/static/x/", "/"])
def test_other_paths_and_the_bare_prefixes_are_left_alone(path):
    assert served_path(path) == path


def test_a_post_is_served_in_place_not_redirected(client):
    response = client.post("/api/users/create/", {"email": "slash@example.com"}, "application/json")

    assert response.status_code == 200
    assert "token" in response.json()


def test_a_share_page_with_a_trailing_slash_is_served_as_without():
    assert served_path("/share/s_key/repos/") == "/share/s_key/repos"
