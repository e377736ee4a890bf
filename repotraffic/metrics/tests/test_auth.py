"""metrics.auth: /metrics is off until configured, then only for the operator's token."""

import pytest

from repotraffic.metrics.tests.helpers import METRICS_TOKEN, scrape

pytestmark = pytest.mark.django_db


@pytest.fixture
def metrics_on(settings):
    settings.REPOTRAFFIC_METRICS_TOKEN = METRICS_TOKEN


def assert_no_figures(response) -> None:
    assert b"repotraffic_" not in response.content
    assert response["Content-Type"] == "application/json"


def test_off_unless_configured_it_is_not_found(api_client, settings):
    settings.REPOTRAFFIC_METRICS_TOKEN = ""

    for token in (None, "", METRICS_TOKEN):
        response = scrape(api_client, token=token)

        assert response.status_code == 404
        assert response.json() == {"error": "Not found."}
        assert_no_figures(response)


@pytest.mark.usefixtures("metrics_on")
def test_without_a_token_it_asks_for_one(api_client):
    response = scrape(api_client, token=None)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "Bearer" in response.json()["error"]
    assert_no_figures(response)


@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize(
    "token",
    [
        "wrong",
        METRICS_TOKEN[:-1],  # a prefix
        METRICS_TOKEN + "x",
        METRICS_TOKEN.upper(),
    ],
)
def test_a_wrong_token_gets_no_figures(api_client, token):
    response = scrape(api_client, token=token)

    assert response.status_code == 401
    assert response.json() == {"error": "Wrong metrics token."}
    assert_no_figures(response)


@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": f"Basic {METRICS_TOKEN}"},
        {"HTTP_AUTHORIZATION": METRICS_TOKEN},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_X_API_TOKEN": METRICS_TOKEN},
    ],
)
def test_the_token_counts_only_as_a_bearer_token(api_client, headers):
    response = api_client.get("/metrics", **headers)

    assert response.status_code == 401
    assert_no_figures(response)


@pytest.mark.usefixtures("metrics_on")
def test_the_token_in_the_query_string_is_not_enough(api_client):
    response = api_client.get("/metrics", {"token": METRICS_TOKEN})

    assert response.status_code == 401


@pytest.mark.usefixtures("metrics_on")
def test_the_right_token_gets_the_figures(api_client):
    for header in (f"Bearer {METRICS_TOKEN}", f"bearer  {METRICS_TOKEN} "):
        response = api_client.get("/metrics", HTTP_AUTHORIZATION=header)

        assert response.status_code == 200
        assert b"repotraffic_repositories " in response.content
