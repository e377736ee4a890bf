"""The fake GitHub's faults (fake_faults.py), spoken to with plain urllib."""

import json
import socket

import pytest

from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import TOKEN, http_get


def test_faults_follow_count_repo_and_path_filters(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "other")
    fake.inject_fault("500", count=2, repo="acme/other", path="clones")
    views = "/repos/acme/other/traffic/views"
    clones = "/repos/acme/other/traffic/clones"

    assert http_get(fake.url + "/repos/acme/rocket/traffic/clones", token=TOKEN)[0] == 200
    assert http_get(fake.url + views, token=TOKEN)[0] == 200
    assert [http_get(fake.url + clones, token=TOKEN)[0] for _ in range(3)] == [500, 500, 200]
    assert fake.state()["faults"] == []


def test_body_faults(fake: FakeGitHub) -> None:
    path = "/repos/acme/rocket/traffic/views"
    real = http_get(fake.url + path, token=TOKEN)[2]

    fake.inject_fault("truncated_json")
    status, headers, body = http_get(fake.url + path, token=TOKEN)
    assert status == 200 and int(headers["Content-Length"]) == len(body) < len(real)
    assert real.startswith(body)

    fake.inject_fault("malformed_json")
    body = http_get(fake.url + path, token=TOKEN)[2]
    with pytest.raises(ValueError):
        json.loads(body)

    fake.inject_fault("secondary_rate_limit", retry_after=7, status=429)
    status, headers, body = http_get(fake.url + path, token=TOKEN)
    assert (status, headers["Retry-After"]) == (429, "7")
    assert json.loads(body)["message"].startswith("You have exceeded a secondary rate limit")


def test_timeout_fault_hangs_then_drops_the_connection(
    fake: FakeGitHub, waits: list[float]
) -> None:
    fake.inject_fault("timeout", seconds=0.3)

    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as conn:
        conn.sendall(
            b"GET /user HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\nAuthorization: token x\r\n\r\n"
        )
        assert conn.recv(1024) == b""  # closed without a byte of answer
    assert waits == [0.0, 0.3]  # no latency, then the fault's hang
