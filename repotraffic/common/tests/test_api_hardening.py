"""What reaches the API before (or instead of) a view: every answer is JSON."""

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db


def test_json_nested_a_thousand_deep_is_a_400_not_a_500(api_client):
    body = '{"email": ' + "[" * 1000 + "]" * 1000 + "}"

    response = api_client.post("/api/users/create", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]


def test_a_body_over_the_size_limit_is_a_json_413():
    body = '{"email": "' + "a" * (10 * 1024 * 1024) + '@example.com"}'

    response = Client().post("/api/users/create", body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["error"]


def test_a_host_not_allowed_is_a_json_400_under_the_api():
    response = Client().get("/api/repos", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Bad request."}


def test_a_host_not_allowed_is_a_page_outside_the_api():
    response = Client().get("/users/x/repos", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/users/create"),
        ("get", "/api/repos"),
        ("get", "/api/nothing-here"),
        ("get", "/api/health"),
    ],
)
def test_api_answers_are_never_stored_by_browsers_or_proxies(auth_client, method, path):
    response = getattr(auth_client, method)(path, {"email": "nostore@example.com"}, format="json")

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


class TestReadiness:
    def test_ready_when_the_database_takes_a_write_and_reads_it_back(self, api_client):
        response = api_client.get("/api/ready")

        assert response.status_code == 200
        assert response.json() == {"status": "ready"}

    # Outside a test transaction: PostgreSQL applies a read-only default to the
    # transactions that start after it, and the request's must be one of them.
    @pytest.mark.django_db(transaction=True)
    def test_not_ready_when_the_database_refuses_writes(self, api_client):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only = ON")
            else:
                cursor.execute("SET default_transaction_read_only = on")
        try:
            response = api_client.get("/api/ready")
            health = api_client.get("/api/health")
        finally:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA query_only = OFF")
                else:
                    cursor.execute("SET default_transaction_read_only = off")

        assert response.status_code == 503
        assert "database" in response.json()["error"]
        assert health.status_code == 200  # alive, but not ready
