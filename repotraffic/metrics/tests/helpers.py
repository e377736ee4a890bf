"""Reading /metrics in tests: the operator's token, a scrape, and its samples."""

from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "metrics-token-0123456789abcdef-for-tests"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client, token: str | None = METRICS_TOKEN, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get("/metrics", **headers)


def samples(text: str) -> Samples:
    """Every sample of a text exposition: (name, its labels) -> value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def named(found: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: value for (each, labels), value in found.items() if each == name}
