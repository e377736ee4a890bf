from types import SimpleNamespace

import pytest

from repotraffic.traffic import services


@pytest.fixture
def collection_clock(github, monkeypatch):
    """The collection's own timestamps follow the fake's clock (its answers' dates already
    do, through their Date header), as in production ours and GitHub's agree."""
    monkeypatch.setattr(services, "timezone", SimpleNamespace(now=github.now))
