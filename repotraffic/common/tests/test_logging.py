import pytest

from repotraffic.common.logging import token_mask


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ('"GET /users/abc123/repos HTTP/1.1" 200', '"GET /users/<token>/repos HTTP/1.1" 200'),
        (
            "GET /users/abc123/repos/5f0c?start=2024-01-01",
            "GET /users/<token>/repos/5f0c?start=2024-01-01",
        ),
        ("Not Found: /users/abc123", "Not Found: /users/<token>"),
        # API paths carry no token in the URL and stay readable.
        ('"POST /api/users/create HTTP/1.1"', '"POST /api/users/create HTTP/1.1"'),
        ('"POST /api/users/github-token HTTP/1.1"', '"POST /api/users/github-token HTTP/1.1"'),
    ],
)
def test_page_tokens_are_masked_and_api_paths_are_not(line, masked):
    assert token_mask(line) == masked
