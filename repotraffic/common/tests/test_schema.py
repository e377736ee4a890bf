import pytest
import yaml


@pytest.mark.django_db
def test_the_schema_is_public_and_describes_every_endpoint(api_client):
    response = api_client.get("/api/schema")

    assert response.status_code == 200
    paths = yaml.safe_load(response.content)["paths"]
    for path in (
        "/api/users/create",
        "/api/users/github-token",
        "/api/users/github-token/delete",
        "/api/repos",
        "/api/repos/create",
        "/api/repos/{repository_id}",
        "/api/repos/{repository_id}/delete",
    ):
        assert path in paths


@pytest.mark.django_db
def test_the_docs_are_public_and_load_their_assets_locally(api_client):
    response = api_client.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
