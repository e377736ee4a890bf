import hashlib
import re

from repotraffic.sharing.keys import share_key_digest, share_key_generate


def test_a_key_is_s_and_192_url_safe_random_bits():
    key = share_key_generate()

    assert re.fullmatch(r"s_[A-Za-z0-9_-]{32}", key)


def test_a_key_never_looks_like_an_api_token():
    # API tokens are 32 hex characters (users/tokens.py).
    assert not any(re.fullmatch(r"[0-9a-f]{32}", share_key_generate()) for _ in range(100))


def test_keys_are_distinct():
    assert len({share_key_generate() for _ in range(100)}) == 100


def test_the_digest_is_sha256_hex():
    assert share_key_digest("s_abc") == hashlib.sha256(b"s_abc").hexdigest()
