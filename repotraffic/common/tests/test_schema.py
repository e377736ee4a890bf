import pytest
import yaml
from django.core.management import call_command


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
        "/api/repos/{repository_id}/referrers",
        "/api/repos/{repository_id}/paths",
        "/api/repos/{repository_id}/stars",
        "/api/repos/{repository_id}/releases",
        "/api/repos/{repository_id}/export",
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


def test_the_schema_builds_without_warnings_and_validates(tmp_path):
    # Colliding component names once made /api/users/create document {url} -> {id}.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    schema = yaml.safe_load((tmp_path / "s.yaml").read_text())
    components = schema["components"]["schemas"]

    def body(path, method="post"):
        ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
        return components[ref["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]

    def answer(path, status="200", method="post"):
        content = schema["paths"][path][method]["responses"][status]["content"]
        return components[content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]

    assert set(body("/api/users/create")) == {"email"}
    assert set(answer("/api/users/create")["properties"]) == {"token"}
    assert set(body("/api/repos/create")) == {"url"}
    assert set(answer("/api/repos/create")["properties"]) == {"id"}
    assert set(body("/api/users/github-token")) == {"token"}
