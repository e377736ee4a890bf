from cryptography.fernet import Fernet

from repotraffic.users.crypto import secret_decrypt, secret_encrypt


def test_a_secret_round_trips_and_is_not_stored_in_clear():
    encrypted = secret_encrypt("ghp_round_trip")

    assert "ghp_round_trip" not in encrypted
    assert secret_decrypt(encrypted) == "ghp_round_trip"


def test_the_same_secret_encrypts_differently_each_time():
    assert secret_encrypt("ghp_same") != secret_encrypt("ghp_same")


def test_the_configured_key_is_the_one_used(settings):
    key = Fernet.generate_key().decode()
    settings.REPOTRAFFIC_ENCRYPTION_KEY = key

    encrypted = secret_encrypt("ghp_keyed")

    assert Fernet(key.encode()).decrypt(encrypted.encode()) == b"ghp_keyed"


def test_without_a_key_development_derives_one_from_the_secret_key(settings):
    settings.REPOTRAFFIC_ENCRYPTION_KEY = ""
    encrypted = secret_encrypt("ghp_derived")

    settings.SECRET_KEY = "another-development-secret-key-entirely"

    assert secret_decrypt(encrypted) is None


def test_a_changed_key_gives_none_instead_of_an_error(settings):
    settings.REPOTRAFFIC_ENCRYPTION_KEY = Fernet.generate_key().decode()
    encrypted = secret_encrypt("ghp_old_key")

    settings.REPOTRAFFIC_ENCRYPTION_KEY = Fernet.generate_key().decode()

    assert secret_decrypt(encrypted) is None
