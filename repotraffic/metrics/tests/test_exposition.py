"""metrics.exposition: a source that cannot be read leaves only its own figures out."""

import datetime as dt

import pytest
from django.db import DatabaseError
from redis import RedisError

from repotraffic.metrics import selectors
from repotraffic.metrics.exposition import metrics_text
from repotraffic.metrics.tests.helpers import named, sample, samples

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 12, 22, 30, tzinfo=dt.UTC)


def fails(error: Exception):
    def read(**kwargs):
        raise error

    return read


def test_every_source_read(settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://localhost/"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}

    found = samples(metrics_text(now=NOW).decode())

    assert named(found, "repotraffic_metrics_source_up") == {
        frozenset({("source", source)}): 1 for source in ("database", "gate", "broker")
    }


def test_a_database_that_fails_leaves_its_figures_out(monkeypatch):
    monkeypatch.setattr(selectors, "repository_figures", fails(DatabaseError("gone")))

    found = samples(metrics_text(now=NOW).decode())

    assert sample(found, "repotraffic_metrics_source_up", source="database") == 0
    assert sample(found, "repotraffic_repositories") is None
    assert sample(found, "repotraffic_metrics_source_up", source="gate") == 1


def test_a_gate_that_fails_leaves_its_figures_out(monkeypatch):
    monkeypatch.setattr(selectors, "github_token_figures", fails(RedisError("gone")))

    found = samples(metrics_text(now=NOW).decode())

    assert sample(found, "repotraffic_metrics_source_up", source="gate") == 0
    assert named(found, "repotraffic_github_token_paused") == {}
    assert sample(found, "repotraffic_repositories") == 0
