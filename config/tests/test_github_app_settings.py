"""GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY: both or neither, the key as PEM text or a
file's path, and a key that is not an unencrypted RSA PEM key stops the start with a
message that names the variable and never shows the key."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from repotraffic.common.tests.test_settings import check, settings_value
from repotraffic.integrations.github.tests.app_helpers import app_key, pem

KEY = pem(app_key())


def test_the_key_as_pem_text_with_escaped_newlines_starts():
    one_line = KEY.strip().replace("\n", "\\n")

    result = check(GITHUB_APP_ID="4242", GITHUB_APP_PRIVATE_KEY=one_line)

    assert result.returncode == 0, result.stderr


def test_the_key_as_a_files_path_is_read_at_start(tmp_path):
    path = tmp_path / "app.private-key.pem"
    path.write_text(KEY)

    value = settings_value(
        "GITHUB_APP_PRIVATE_KEY", GITHUB_APP_ID="4242", GITHUB_APP_PRIVATE_KEY=str(path)
    )

    assert value.startswith("-----BEGIN PRIVATE KEY-----")


def test_neither_is_a_server_without_an_app():
    assert settings_value("GITHUB_APP_ID") == "0"


def test_one_without_the_other_fails_at_start():
    for env in ({"GITHUB_APP_ID": "4242"}, {"GITHUB_APP_PRIVATE_KEY": KEY}):
        result = check(**env)
        assert result.returncode != 0
        assert "GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY go together" in result.stderr


def test_a_broken_pem_fails_at_start_without_showing_it():
    broken = (
        "-----BEGIN PRIVATE KEY-----\\nMIIEvAIBADANBgkqhkiG9w0BAQsecret\\n-----END PRIVATE KEY-----"
    )

    result = check(GITHUB_APP_ID="4242", GITHUB_APP_PRIVATE_KEY=broken)

    assert result.returncode != 0
    assert "GITHUB_APP_PRIVATE_KEY: its PEM text is not an unencrypted PEM private key" in (
        result.stderr
    )
    assert "secret" not in result.stderr


def test_a_path_that_cannot_be_read_fails_at_start(tmp_path):
    result = check(GITHUB_APP_ID="4242", GITHUB_APP_PRIVATE_KEY=str(tmp_path / "missing.pem"))

    assert result.returncode != 0
    assert "GITHUB_APP_PRIVATE_KEY must be the PEM text of a private key" in result.stderr


def test_a_key_that_is_not_rsa_fails_at_start():
    key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )

    result = check(GITHUB_APP_ID="4242", GITHUB_APP_PRIVATE_KEY=key.decode())

    assert result.returncode != 0
    assert "not RSA" in result.stderr


def test_an_app_id_that_is_no_number_fails_at_start():
    result = check(GITHUB_APP_ID="my-app", GITHUB_APP_PRIVATE_KEY=KEY)

    assert result.returncode != 0
    assert "GITHUB_APP_ID must be a whole number" in result.stderr
