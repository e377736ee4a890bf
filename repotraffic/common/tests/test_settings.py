"""Settings come from the environment, strictly: a wrong value stops the start with a
message naming the variable; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "s" * 50,
    "DJANGO_ALLOWED_HOSTS": "traffic.example.com",
    "REPOTRAFFIC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
}


def check(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REPOTRAFFIC_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": "sqlite:////tmp/repotraffic-settings-check.sqlite3", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_development_needs_no_configuration():
    assert check().returncode == 0


def test_production_starts_with_its_secrets():
    result = check(**PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY must be set"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS must list"),
        ("REPOTRAFFIC_ENCRYPTION_KEY", "REPOTRAFFIC_ENCRYPTION_KEY must be set"),
    ],
)
def test_production_refuses_to_start_without_a_secret(missing, words):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = check(**env)
    assert result.returncode != 0
    assert words in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be true or false"),
        ("GITHUB_TIMEOUT", "soon", "GITHUB_TIMEOUT must be a number"),
        ("TRAFFIC_FETCH_CONCURRENCY", "0", "TRAFFIC_FETCH_CONCURRENCY must be at least 1"),
        ("TRAFFIC_FETCH_SCHEDULE", "every day", "TRAFFIC_FETCH_SCHEDULE must be a cron"),
        ("GITHUB_API_URL", "api.github.com", "GITHUB_API_URL must be an http(s) URL"),
        ("REPOTRAFFIC_ENCRYPTION_KEY", "not-a-key", "not a Fernet key"),
        ("CACHE_URL", "memcached://x", "CACHE_URL must be"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL"),
        ("REPOTRAFFIC_SERVER_TOKEN_FOR", "friends", "must be one of everyone, trusted, nobody"),
        ("REPOTRAFFIC_REGISTRATION", "invite", "must be one of open, closed"),
        ("REPOTRAFFIC_THROTTLE_USER_CREATE", "lots", "must be a rate such as 10/hour"),
        ("REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE", "5/fortnight", "must be a rate"),
        ("REPOTRAFFIC_MAX_REPOSITORIES_PER_USER", "0", "must be at least 1"),
        ("REPOTRAFFIC_METRICS_TOKEN", "s" * 31, "must be at least 32 characters"),
    ],
)
def test_a_wrong_value_fails_at_start_naming_the_variable(name, value, words):
    result = check(**{name: value})
    assert result.returncode != 0
    assert words in result.stderr


def test_production_refuses_a_short_metrics_token():
    result = check(**PRODUCTION, REPOTRAFFIC_METRICS_TOKEN="secret")
    assert result.returncode != 0
    assert "REPOTRAFFIC_METRICS_TOKEN must be at least 32 characters" in result.stderr


@pytest.mark.parametrize("hosts", [",", " , ", ""])
def test_production_refuses_an_allowed_hosts_list_with_no_host(hosts):
    result = check(**{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": hosts})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must list" in result.stderr


def test_production_refuses_debug():
    result = check(**{**PRODUCTION, "DJANGO_DEBUG": "true"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must not be true in production" in result.stderr


def settings_value(name: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REPOTRAFFIC_"))}
    result = subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print(settings.{name})"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": "sqlite:////tmp/repotraffic-settings-check.sqlite3",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_production_can_redirect_to_https():
    assert settings_value("SECURE_SSL_REDIRECT", **PRODUCTION) == "False"
    redirecting = {**PRODUCTION, "DJANGO_SECURE_SSL_REDIRECT": "true"}
    assert settings_value("SECURE_SSL_REDIRECT", **redirecting) == "True"


def test_production_lends_the_server_token_only_to_trusted_users_by_default():
    assert settings_value("REPOTRAFFIC_SERVER_TOKEN_FOR", **PRODUCTION) == "trusted"
    assert settings_value("REPOTRAFFIC_SERVER_TOKEN_FOR") == "everyone"
