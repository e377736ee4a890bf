import hashlib
import re

import pytest

from repotraffic.users.models import User

URL = "/api/users/create"


def post_json(client, body, url=URL, **extra):
    return client.post(url, body, content_type="application/json", **extra)


@pytest.mark.django_db
class TestUserCreate:
    def test_returns_a_32_hex_token_stored_only_as_its_digest(self, api_client):
        response = post_json(api_client, {"email": "someuser@hacksoft.io"})

        assert response.status_code == 200
        token = response.json()["token"]
        assert re.fullmatch(r"[0-9a-f]{32}", token)
        user = User.objects.get()
        assert user.token_digest == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(User.objects.values().get())

    def test_tokens_are_distinct(self, api_client):
        first = post_json(api_client, {"email": "a@example.com"}).json()["token"]
        second = post_json(api_client, {"email": "b@example.com"}).json()["token"]
        assert first != second

    def test_email_is_trimmed_and_its_domain_lower_cased(self, api_client):
        response = post_json(api_client, {"email": "  Some.User@HackSoft.IO \n"})

        assert response.status_code == 200
        assert User.objects.get().email == "Some.User@hacksoft.io"

    @pytest.mark.parametrize(
        "again", ["someuser@hacksoft.io", "SOMEUSER@HACKSOFT.IO", " someuser@hacksoft.io"]
    )
    def test_duplicate_email_is_rejected_case_insensitively(self, api_client, again):
        post_json(api_client, {"email": "someuser@hacksoft.io"})

        response = post_json(api_client, {"email": again})

        assert response.status_code == 400
        assert "already exists" in response.json()["error"]
        assert User.objects.count() == 1

    @pytest.mark.parametrize(
        ("body", "words"),
        [
            ({"email": "not-an-email"}, "not a valid email"),
            ({"email": "a@b"}, "not a valid email"),
            ({"email": ""}, "must not be empty"),
            ({"email": "   "}, "must not be empty"),
            ({"email": "x" * 250 + "@example.com"}, "at most 254"),
            ({}, "required"),
            ({"email": None}, "null"),
            ({"email": 42}, "string"),
            ({"email": ["a@example.com"]}, "string"),
            ({"email": {"x": 1}}, "string"),
            ({"email": True}, "string"),
        ],
    )
    def test_bad_email_is_a_400_with_a_message(self, api_client, body, words):
        response = post_json(api_client, body)

        assert response.status_code == 400
        assert words in response.json()["error"]
        assert User.objects.count() == 0

    @pytest.mark.parametrize(
        ("raw", "words"),
        [
            ('{"email": ', "Malformed JSON"),
            ("email=a@example.com", "Malformed JSON"),
            ("[1, 2]", "JSON object"),
            ('"a@example.com"', "JSON object"),
            ("null", "JSON object"),
        ],
    )
    def test_body_that_is_not_a_json_object_is_a_400(self, api_client, raw, words):
        response = api_client.generic("POST", URL, raw, content_type="application/json")

        assert response.status_code == 400
        assert words in response.json()["error"]

    def test_form_encoded_content_type_is_still_read_as_json(self, api_client):
        # curl -d '{"email": ...}' sends application/x-www-form-urlencoded.
        response = api_client.generic(
            "POST",
            URL,
            '{"email": "curl@example.com"}',
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200

    def test_wrong_method_is_a_json_405(self, api_client):
        response = api_client.get(URL)
        assert response.status_code == 405
        assert "not allowed" in response.json()["error"]

    def test_trailing_slash_is_accepted(self, api_client):
        assert (
            post_json(api_client, {"email": "slash@example.com"}, url=URL + "/").status_code == 200
        )
