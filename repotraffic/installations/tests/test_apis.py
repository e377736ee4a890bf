import pytest
import yaml

from repotraffic.installations.models import GitHubAppInstallation
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LIST = "/api/users/github-app-installations"
CREATE = "/api/users/github-app-installations/create"


def post(client, url, body=None):
    return client.post(url, body, content_type="application/json")


def test_connecting_answers_the_connection(auth_client, app, alice):
    response = post(auth_client, CREATE, {"installation_id": 55})

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in body if key != "created_at"} == {
        "installation_id": 55,
        "account": "alice",
        "account_type": "User",
        "repository_selection": "all",
    }


def test_a_stranger_gets_a_403_and_an_unknown_installation_a_404(auth_client, app, alice):
    app.add_installation(57, account="bob")

    assert post(auth_client, CREATE, {"installation_id": 57}).status_code == 403
    response = post(auth_client, CREATE, {"installation_id": 99})
    assert response.status_code == 404
    assert "installation 99 was not found" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"installation_id": "55"},
        {"installation_id": 0},
        {"installation_id": True},
        {"installation_id": 5.5},
        {"installation_id": 2**63},
        [55],
    ],
)
def test_bad_input_is_a_400_without_asking_github(auth_client, app, alice, body):
    response = post(auth_client, CREATE, body)

    assert response.status_code == 400
    assert "error" in response.json()
    assert app.request_counts() == {}


def test_the_list_is_the_users_own_oldest_first_in_two_queries(
    auth_client, user, django_assert_num_queries
):
    for number, login in ((70, "zed"), (71, "acme")):
        GitHubAppInstallation.objects.create(
            user=user, installation_id=number, account_login=login, account_type="User"
        )
    GitHubAppInstallation.objects.create(
        user=UserFactory.create(), installation_id=72, account_login="other", account_type="User"
    )

    with django_assert_num_queries(2):  # the token's user, the list
        response = auth_client.get(LIST)

    assert response.status_code == 200
    assert [item["installation_id"] for item in response.json()] == [70, 71]


def test_deleting_disconnects_and_a_second_delete_is_a_404(auth_client, user):
    GitHubAppInstallation.objects.create(
        user=user, installation_id=70, account_login="alice", account_type="User"
    )

    response = post(auth_client, f"{LIST}/70/delete")

    assert response.status_code == 200
    assert response.json()["installation_id"] == 70
    assert not GitHubAppInstallation.objects.exists()
    assert post(auth_client, f"{LIST}/70/delete").status_code == 404
    assert post(auth_client, f"{LIST}/seventy/delete").status_code == 404


def test_every_endpoint_needs_a_token(api_client):
    assert api_client.get(LIST).status_code == 401
    assert post(api_client, CREATE, {"installation_id": 55}).status_code == 401
    assert post(api_client, f"{LIST}/55/delete").status_code == 401


def test_the_endpoints_are_in_the_schema(api_client):
    paths = yaml.safe_load(api_client.get("/api/schema").content)["paths"]

    assert set(paths[LIST]) == {"get"}
    assert set(paths[CREATE]) == {"post"}
    assert set(paths[f"{LIST}/{{installation_id}}/delete"]) == {"post"}
