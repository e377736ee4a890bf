import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_unexpected_failure_in_the_api_is_a_json_500_without_a_traceback(
    monkeypatch, user_and_token
):
    _, token = user_and_token

    def broken(**kwargs):
        raise RuntimeError("database on fire: secret detail")

    monkeypatch.setattr("repotraffic.traffic.repository_selectors.repository_list", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/api/repos", HTTP_X_API_TOKEN=token)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "secret detail" not in response.content.decode()
    assert response.json()["error"]
