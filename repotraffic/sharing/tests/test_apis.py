import re
import uuid

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.sharing.models import ShareLink
from repotraffic.sharing.tests.factories import ShareLinkFactory, share_link_with_key
from repotraffic.users.tests.factories import user_with_token

pytestmark = pytest.mark.django_db

SHARE_LINK_FIELDS = {"id", "repository_id", "label", "created_at", "revoked_at"}


def create(client, body):
    return client.post("/api/share-links/create", body, content_type="application/json")


def revoke(client, share_link_id):
    return client.post(f"/api/share-links/{share_link_id}/revoke")


class TestShareLinkCreate:
    def test_answers_the_key_once_and_the_absolute_url_of_the_overview(self, auth_client, user):
        response = create(auth_client, {"label": "for the team"})

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"id", "key", "url", "repository_id", "label", "created_at"}
        assert re.fullmatch(r"s_[A-Za-z0-9_-]{32}", body["key"])
        assert body["url"] == f"http://testserver/share/{body['key']}/repos"
        assert (body["repository_id"], body["label"]) == (None, "for the team")
        assert body["created_at"].endswith("Z")
        assert ShareLink.objects.get(id=uuid.UUID(body["id"])).user == user

    def test_a_link_to_one_repository_points_at_its_page(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)

        body = create(auth_client, {"repository_id": str(repository.id)}).json()

        assert body["repository_id"] == str(repository.id)
        assert body["url"] == f"http://testserver/share/{body['key']}/repos/{repository.id}"

    def test_the_url_opens_the_page_without_any_token(self, auth_client, client, user):
        RepositoryFactory.create(user=user, owner="acme", name="rocket")

        url = create(auth_client, {}).json()["url"]

        page = client.get(url)
        assert page.status_code == 200
        assert "acme/rocket" in page.content.decode()

    def test_an_empty_body_shares_every_repository(self, auth_client):
        response = auth_client.post("/api/share-links/create")

        assert response.status_code == 200
        assert response.json()["repository_id"] is None

    def test_another_users_repository_is_a_404(self, auth_client):
        theirs = RepositoryFactory.create()

        response = create(auth_client, {"repository_id": str(theirs.id)})

        assert response.status_code == 404
        assert response.json() == {"error": f"You have no repository with id {theirs.id}."}
        assert not ShareLink.objects.exists()

    @pytest.mark.parametrize(
        ("body", "words"),
        [
            ({"repository_id": "not-a-uuid"}, "repository_id: Must be a valid UUID."),
            ({"repository_id": 12}, "repository_id: Must be a valid UUID."),
            ({"label": 12}, "label: Must be a string."),
            ({"label": "x" * 101}, "label must be at most 100 characters."),
            ([], "must be a JSON object"),
        ],
    )
    def test_bad_input_is_a_400_that_creates_nothing(self, auth_client, body, words):
        response = create(auth_client, body)

        assert response.status_code == 400
        assert words in response.json()["error"]
        assert not ShareLink.objects.exists()

    def test_past_the_limit_of_live_links_is_a_403(self, auth_client, settings):
        settings.REPOTRAFFIC_MAX_SHARE_LINKS_PER_USER = 1
        create(auth_client, {})

        response = create(auth_client, {})

        assert response.status_code == 403
        assert "revoke one" in response.json()["error"]

    def test_needs_a_token(self, api_client):
        assert create(api_client, {}).status_code == 401


class TestShareLinkList:
    def test_lists_the_users_links_without_keys(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        created = create(auth_client, {"repository_id": str(repository.id), "label": "one"})
        revoke(auth_client, created.json()["id"])
        create(auth_client, {})
        ShareLinkFactory.create()  # someone else's

        response = auth_client.get("/api/share-links")

        assert response.status_code == 200
        links = response.json()
        assert [set(link) for link in links] == [SHARE_LINK_FIELDS] * 2
        first, second = links
        assert (first["repository_id"], first["label"]) == (str(repository.id), "one")
        assert first["revoked_at"] is not None
        assert (second["repository_id"], second["revoked_at"]) == (None, None)
        assert created.json()["key"] not in response.content.decode()

    def test_query_count_does_not_grow_with_the_links(
        self, auth_client, user, django_assert_num_queries
    ):
        for _ in range(10):
            ShareLinkFactory.create(user=user)

        # The token lookup, the links.
        with django_assert_num_queries(2):
            response = auth_client.get("/api/share-links")

        assert len(response.json()) == 10

    def test_needs_a_token(self, api_client):
        assert api_client.get("/api/share-links").status_code == 401


class TestShareLinkRevoke:
    def test_answers_the_link_revoked_and_its_page_is_gone(self, auth_client, client):
        created = create(auth_client, {}).json()
        assert client.get(created["url"]).status_code == 200

        response = revoke(auth_client, created["id"])

        assert response.status_code == 200
        body = response.json()
        assert set(body) == SHARE_LINK_FIELDS
        assert body["id"] == created["id"]
        assert body["revoked_at"].endswith("Z")
        assert client.get(created["url"]).status_code == 404

    @pytest.mark.parametrize("whose", ["someone else's", "unknown", "malformed"])
    def test_someone_elses_unknown_or_malformed_id_is_a_404(self, auth_client, whose):
        theirs = ShareLinkFactory.create()
        share_link_id = {
            "someone else's": str(theirs.id),
            "unknown": str(uuid.uuid4()),
            "malformed": "nope",
        }[whose]

        response = revoke(auth_client, share_link_id)

        assert response.status_code == 404
        assert response.json() == {"error": f"You have no share link with id {share_link_id}."}
        theirs.refresh_from_db()
        assert theirs.revoked_at is None

    def test_get_is_a_405(self, auth_client):
        link = ShareLinkFactory.create()

        response = auth_client.get(f"/api/share-links/{link.id}/revoke")

        assert response.status_code == 405
        assert "error" in response.json()


class TestAShareKeyIsNoApiCredential:
    @pytest.mark.parametrize("path", ["/api/repos", "/api/share-links"])
    def test_as_x_api_token_it_is_a_401(self, api_client, path):
        user, _ = user_with_token()
        RepositoryFactory.create(user=user)
        _, key = share_link_with_key(user=user)
        api_client.credentials(HTTP_X_API_TOKEN=key)

        response = api_client.get(path)

        assert response.status_code == 401
        assert response.json() == {"error": "Unknown X-API-Token."}

    def test_it_cannot_create_links_or_track_repositories(self, api_client):
        _, key = share_link_with_key()
        api_client.credentials(HTTP_X_API_TOKEN=key)

        assert create(api_client, {}).status_code == 401
        assert api_client.post("/api/repos/create", {"url": "github.com/a/b"}).status_code == 401
        assert ShareLink.objects.count() == 1

    def test_the_share_url_space_does_not_exist_under_the_api(self, api_client):
        _, key = share_link_with_key()

        response = api_client.get(f"/api/share/{key}/repos")

        assert response.status_code == 404
        assert "error" in response.json()


def test_the_schema_describes_the_share_link_endpoints(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    schema = yaml.safe_load((tmp_path / "s.yaml").read_text())
    components = schema["components"]["schemas"]

    def component(operation, status="200"):
        content = operation["responses"][status]["content"]["application/json"]["schema"]
        ref = content.get("items", content)["$ref"]
        return components[ref.rsplit("/", 1)[1]]

    paths = schema["paths"]
    create_op = paths["/api/share-links/create"]["post"]
    body = create_op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert set(components[body.rsplit("/", 1)[1]]["properties"]) == {"repository_id", "label"}
    assert set(component(create_op)["properties"]) == {
        "id", "key", "url", "repository_id", "label", "created_at",
    }  # fmt: skip
    assert {"401", "403", "404"} <= set(create_op["responses"])
    assert set(component(paths["/api/share-links"]["get"])["properties"]) == SHARE_LINK_FIELDS
    revoke_op = paths["/api/share-links/{share_link_id}/revoke"]["post"]
    assert set(component(revoke_op)["properties"]) == SHARE_LINK_FIELDS
    assert "404" in revoke_op["responses"]


def test_a_revoked_link_is_listed_with_its_time(auth_client, user):
    ShareLinkFactory.create(user=user, revoked_at=timezone.now())

    assert auth_client.get("/api/share-links").json()[0]["revoked_at"] is not None
