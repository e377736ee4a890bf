"""Answers leave gzipped when the client accepts it (see MIDDLEWARE for why BREACH
does not apply)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/api/schema"])
def test_an_answer_is_gzipped_only_for_a_client_that_accepts_it(client, path):
    plain = client.get(path)
    packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert plain.status_code == packed.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
    # Shared caches must keep the two apart.
    assert "Accept-Encoding" in packed["Vary"]
