"""The HTTP request figures, kept by prometheus_client: in this process's memory when it
is the only one (runserver, tests), or, under gunicorn (config/gunicorn.py sets
PROMETHEUS_MULTIPROC_DIR), in files that every worker process writes and /metrics reads
together, so the figures are the sum over all of them whichever worker answers."""

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# No `_created` series: multiprocess mode has none, so a single process has none either.
disable_created_metrics()

# Labels stay few whatever clients send: an unusual method is "other", a view is its
# URL pattern's name (never the path, which may hold a token), a path no pattern
# matched (static files, an unknown page) is "unmatched".
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_UNMATCHED = "unmatched"

_REGISTRY = CollectorRegistry()
_REQUESTS = Counter(
    "repotraffic_http_requests",
    "HTTP requests answered, by method, view (its URL pattern's name) and status.",
    ["method", "view", "status"],
    registry=_REGISTRY,
)
_DURATION = Histogram(
    "repotraffic_http_request_duration_seconds",
    "Time from a request's arrival to its response being ready, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=_REGISTRY,
)
# (method, view, status) -> its counter and its view's histogram: labels() takes a lock
# and checks its arguments on every call; a request needs neither twice.
_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def http_request_observe(*, method: str, view: str, status: int, seconds: float) -> None:
    key = (method if method in _METHODS else "other", view or _UNMATCHED, status)
    children = _children.get(key)
    if children is None:
        children = (_REQUESTS.labels(key[0], key[1], str(status)), _DURATION.labels(key[1]))
        _children[key] = children
    children[0].inc()
    children[1].observe(seconds)


def http_figures_register(registry: CollectorRegistry) -> None:
    """Add the request figures to `registry`: every process's under gunicorn's
    multiprocess mode, else this process's."""
    folder = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if folder:
        MultiProcessCollector(registry, path=folder)
    else:
        registry.register(_REGISTRY)
