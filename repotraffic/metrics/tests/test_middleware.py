"""metrics.middleware: every request counted by method, view and status, and timed;
nothing at all while /metrics is off."""

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from prometheus_client import CollectorRegistry, generate_latest

from repotraffic.metrics.http import http_figures_register
from repotraffic.metrics.middleware import HttpMetricsMiddleware
from repotraffic.metrics.tests.helpers import METRICS_TOKEN, Samples, sample, samples

pytestmark = pytest.mark.django_db
REQUESTS = "repotraffic_http_requests_total"
DURATIONS = "repotraffic_http_request_duration_seconds_count"


def figures() -> tuple[str, Samples]:
    """This process's request figures (they add up over the whole test session)."""
    registry = CollectorRegistry()
    http_figures_register(registry)
    text = generate_latest(registry).decode()
    return text, samples(text)


def counted(**labels: str) -> float:
    return sample(figures()[1], REQUESTS, **labels) or 0


def test_off_it_is_not_used_and_counts_nothing(settings, api_client):
    settings.REPOTRAFFIC_METRICS_TOKEN = ""
    before = counted(method="GET", view="health", status="200")

    with pytest.raises(MiddlewareNotUsed):
        HttpMetricsMiddleware(lambda request: HttpResponse())
    api_client.get("/api/health")

    assert counted(method="GET", view="health", status="200") == before


@pytest.fixture
def metrics_on(settings):
    settings.REPOTRAFFIC_METRICS_TOKEN = METRICS_TOKEN


@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize(
    ("method", "path", "labels"),
    [
        ("get", "/api/health", {"method": "GET", "view": "health", "status": "200"}),
        ("post", "/api/health", {"method": "POST", "view": "health", "status": "405"}),
        ("get", "/api/repos", {"method": "GET", "view": "repos-list", "status": "401"}),
        (
            "get",
            "/api/no-such-thing",
            {
                "method": "GET",
                "view": "repotraffic.common.api_errors.api_not_found",
                "status": "404",
            },
        ),
        ("get", "/no-such-page", {"method": "GET", "view": "unmatched", "status": "404"}),
    ],
)
def test_each_request_is_counted_by_method_view_and_status(api_client, method, path, labels):
    before = counted(**labels)
    timed_before = sample(figures()[1], DURATIONS, view=labels["view"]) or 0

    getattr(api_client, method)(path)
    getattr(api_client, method)(path)

    assert counted(**labels) == before + 2
    assert sample(figures()[1], DURATIONS, view=labels["view"]) == timed_before + 2


@pytest.mark.usefixtures("metrics_on")
def test_an_unusual_method_is_counted_as_other(api_client):
    before = counted(method="other", view="health", status="405")

    api_client.generic("BREW", "/api/health")

    assert counted(method="other", view="health", status="405") == before + 1


@pytest.mark.usefixtures("metrics_on")
def test_a_token_in_a_pages_path_never_becomes_a_label(api_client):
    token = "aa0d49a2ea8b4b0eae6f3deabdc37efe"

    api_client.get(f"/users/{token}/repos")
    api_client.get(f"/share/s_{token}/repos/123")

    text, found = figures()
    assert token not in text
    assert sample(found, REQUESTS, method="GET", view="dashboard:repositories", status="404")
    assert sample(found, REQUESTS, method="GET", view="dashboard:shared-repository", status="404")
