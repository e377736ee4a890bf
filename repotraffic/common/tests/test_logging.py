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


TOKEN = "0123456789abcdef0123456789abcdef"
KEY = "s_Ab-9_zQx0123456789abcdefABCDEF0"


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (f'"GET /share/{KEY}/repos HTTP/1.1" 200', '"GET /share/<key>/repos HTTP/1.1" 200'),
        (
            f"GET /share/{KEY}/repos/5f0c/traffic.csv?start=2024-01-01",
            "GET /share/<key>/repos/5f0c/traffic.csv?start=2024-01-01",
        ),
        (f"Not Found: /share/{KEY}", "Not Found: /share/<key>"),
        ('"POST /api/share-links/create HTTP/1.1"', '"POST /api/share-links/create HTTP/1.1"'),
    ],
)
def test_share_keys_are_masked_like_tokens(line, masked):
    assert token_mask(line) == masked


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        # Django decodes the path once: each of these serves the page.
        (f"GET /users%2F{TOKEN}/repos HTTP/1.1", "GET /users/<token>/repos HTTP/1.1"),
        (f"GET /users%2f{TOKEN}/repos HTTP/1.1", "GET /users/<token>/repos HTTP/1.1"),
        (f"GET /%75sers/{TOKEN}/repos HTTP/1.1", "GET /users/<token>/repos HTTP/1.1"),
        (f"GET /%75%73%65%72%73%2F{TOKEN}/repos", "GET /users/<token>/repos"),
        (f"GET /users/{TOKEN[:8]}%{TOKEN[8:]}/repos", "GET /users/<token>/repos"),
        (f"GET /share%2F{KEY}/repos HTTP/1.1", "GET /share/<key>/repos HTTP/1.1"),
        (f"GET /%73hare/{KEY}/repos HTTP/1.1", "GET /share/<key>/repos HTTP/1.1"),
        # Decoded twice, or spelt otherwise: no page, but the secret is still masked.
        (f"GET /users%252F{TOKEN}/repos", "GET /users/<token>/repos"),
        (f"GET /USERS/{TOKEN}/repos", "GET /USERS/<token>/repos"),
        (f"GET /users//{TOKEN}/repos", "GET /users//<token>/repos"),
        (f"GET /users/./{TOKEN}/repos", "GET /users/./<token>/repos"),
        (f"GET /users%2F%09{TOKEN}/repos", "GET /users/<token>/repos"),
    ],
)
def test_every_spelling_of_a_page_url_is_masked(line, masked):
    assert token_mask(line) == masked


@pytest.mark.parametrize(
    "line",
    [
        "a line with 100% of nothing to mask",
        "GET /static/a%20b.css HTTP/1.1",
        '"GET /api/repos?start=2024%2D01%2D01 HTTP/1.1" 200',
    ],
)
def test_a_line_without_a_secret_is_left_as_it_was(line):
    assert token_mask(line) == line


def test_decoding_never_writes_a_line_break_or_a_quote():
    line = f'"GET /users%2F{TOKEN}/x%0AFORGED%22 HTTP/1.1" 404'

    assert token_mask(line) == '"GET /users/<token>/x%0AFORGED%22 HTTP/1.1" 404'
