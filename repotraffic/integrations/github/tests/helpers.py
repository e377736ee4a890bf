"""Helpers for the GitHub layer's tests: plain functions, imported by the test modules
(fixtures live in conftest.py)."""

import datetime as dt
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from repotraffic.integrations.github import client
from repotraffic.integrations.github.client import GitHubError, TrafficBucket, github_traffic_fetch
from repotraffic.integrations.github.fake import FakeGitHub

# Distinctive, so a test can prove it never leaks into a message or a log line.
TOKEN = "ghp_TEST_SECRET_7f3a9c1e5b"
NOW = dt.datetime(2026, 11, 12, 18, 30, 15, tzinfo=dt.UTC)
# The API the `github_answers` fixture serves: no request ever leaves the process.
API_TEST_URL = "https://api.github.test"


def fetch(**overrides: Any) -> client.TrafficWindow:
    return github_traffic_fetch(**{"token": TOKEN, "owner": "acme", "name": "rocket", **overrides})


def fetch_error(**overrides: Any) -> GitHubError:
    with pytest.raises(GitHubError) as caught:
        fetch(**overrides)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    return caught.value


def http_get(
    url: str,
    *,
    token: str | None = None,
    scheme: str = "token",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, bytes]:
    """A plain GET (urllib's User-Agent), so fake tests do not depend on the client."""
    sent = {"Authorization": f"{scheme} {token}"} if token else {}
    request = urllib.request.Request(url, headers={**sent, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def http_get_exactly(url: str, *, headers: dict[str, str]) -> tuple[int, Any, bytes]:
    """A GET with these headers and no others (Host aside): no default User-Agent."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=5)
    try:
        connection.putrequest("GET", f"{parts.path}?{parts.query}", skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def http_post_json(url: str, payload: Any) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def expected_daily(
    *, fake: FakeGitHub, owner: str, name: str, now: dt.datetime, kind: str
) -> list[TrafficBucket]:
    """The documented rule of fake.py, written again here so that tests check the fake too."""
    hour = now.hour  # whole hours: minutes and seconds change nothing
    buckets = []
    for age in range(14, -1, -1):
        day = now.date() - dt.timedelta(days=age)
        views, unique_views, clones, unique_clones = fake.truth(owner, name, day)
        count, uniques = (views, unique_views) if kind == "views" else (clones, unique_clones)
        if age == 0:
            share = (hour * 9, 24 * 10)
        elif age == 1:
            share = (9, 10) if hour < 6 else (1, 1)
        elif age == 14:
            share = (24 - hour, 24)
        else:
            share = (1, 1)
        count, uniques = count * share[0] // share[1], uniques * share[0] // share[1]
        if count and not uniques:
            uniques = 1
        if count:
            buckets.append(TrafficBucket(day=day, count=count, uniques=uniques))
    return buckets
