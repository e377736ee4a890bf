"""The fake GitHub on its own, spoken to with plain urllib so that its behaviour does not
depend on the client it is used to test."""

import datetime as dt
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import time_machine

from repotraffic.common.tests.polling import poll_until
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import (
    NOW,
    TOKEN,
    expected_daily,
    http_get,
    http_post_json,
)

MANAGE_PY = Path(__file__).resolve().parents[4] / "manage.py"
VIEWS_DOCS = "https://docs.github.com/rest/metrics/traffic#get-page-views"


def _json(
    fake: FakeGitHub, path: str, *, token: str = TOKEN, scheme: str = "token"
) -> tuple[int, Any]:
    status, _, body = http_get(fake.url + path, token=token, scheme=scheme)
    return status, json.loads(body)


def test_truth_is_deterministic_bounded_and_sometimes_zero() -> None:
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    first, second = FakeGitHub(), FakeGitHub()
    series = [first.truth("acme", "rocket", day) for day in days]

    assert series == [second.truth("ACME", "Rocket", day) for day in days]
    assert series != [first.truth("acme", "launchpad", day) for day in days]
    for views, unique_views, clones, unique_clones in series:
        assert 0 <= unique_views <= views and 0 <= unique_clones <= clones
        assert (views == 0) == (unique_views == 0) and (clones == 0) == (unique_clones == 0)
    assert any(views == 0 for views, *_ in series) and any(views > 0 for views, *_ in series)
    assert any(row[2] == 0 for row in series) and any(row[2] > 0 for row in series)


def test_daily_views_follow_the_documented_rule_and_totals(fake: FakeGitHub) -> None:
    status, body = _json(fake, "/repos/acme/rocket/traffic/views?per=day")

    assert status == 200
    expected = expected_daily(fake=fake, owner="acme", name="rocket", now=NOW, kind="views")
    assert body["views"] == [
        {"timestamp": f"{b.day}T00:00:00Z", "count": b.count, "uniques": b.uniques}
        for b in expected
    ]
    uniques = [b.uniques for b in expected]
    assert body["count"] == sum(b.count for b in expected)
    assert body["uniques"] == max(uniques) + (sum(uniques) - max(uniques)) // 2


def test_per_defaults_to_day_and_bad_per_is_422(fake: FakeGitHub) -> None:
    assert (
        _json(fake, "/repos/acme/rocket/traffic/clones")[1]
        == _json(fake, "/repos/acme/rocket/traffic/clones?per=day")[1]
    )
    assert _json(fake, "/repos/acme/rocket/traffic/clones?per=month")[0] == 422


def test_weekly_buckets_group_the_daily_ones_by_iso_week(fake: FakeGitHub) -> None:
    _, daily = _json(fake, "/repos/acme/rocket/traffic/views?per=day")
    _, weekly = _json(fake, "/repos/acme/rocket/traffic/views?per=week")

    weeks: dict[dt.date, list[dict]] = defaultdict(list)
    for bucket in daily["views"]:
        day = dt.date.fromisoformat(bucket["timestamp"][:10])
        weeks[day - dt.timedelta(days=day.weekday())].append(bucket)
    assert [bucket["timestamp"] for bucket in weekly["views"]] == [
        f"{monday}T00:00:00Z" for monday in sorted(weeks)
    ]
    for bucket in weekly["views"]:
        days = weeks[dt.date.fromisoformat(bucket["timestamp"][:10])]
        uniques = [day["uniques"] for day in days]
        assert bucket["count"] == sum(day["count"] for day in days)
        assert bucket["uniques"] == max(uniques) + (sum(uniques) - max(uniques)) // 2
    assert (weekly["count"], weekly["uniques"]) == (daily["count"], daily["uniques"])


def test_popular_lists_have_githubs_shape(fake: FakeGitHub) -> None:
    for path, keys in (
        ("referrers", {"referrer", "count", "uniques"}),
        ("paths", {"path", "title", "count", "uniques"}),
    ):
        status, entries = _json(fake, f"/repos/acme/rocket/traffic/popular/{path}")
        assert status == 200 and 0 < len(entries) <= 10
        assert all(set(entry) == keys for entry in entries)
        assert all(0 < entry["uniques"] <= entry["count"] for entry in entries)
        counts = [entry["count"] for entry in entries]
        assert counts == sorted(counts, reverse=True)


def test_top_ten_lists_change_day_by_day_and_an_entry_can_leave_and_come_back(
    fake: FakeGitHub,
) -> None:
    lists = []
    for _ in range(60):
        fake.advance(days=1)
        referrers = _json(fake, "/repos/acme/rocket/traffic/popular/referrers")[1]
        paths = _json(fake, "/repos/acme/rocket/traffic/popular/paths")[1]
        lists.append(({e["referrer"] for e in referrers}, {e["path"] for e in paths}))

    assert any(today != tomorrow for today, tomorrow in itertools.pairwise(lists))
    for kind in (0, 1):
        everyone = set().union(*(day[kind] for day in lists))
        came_back = [
            entry
            for entry in everyone
            if re.search(r"X\.+X", "".join("X" if entry in day[kind] else "." for day in lists))
        ]
        assert came_back, kind


def test_views_and_clones_move_by_the_hour_not_by_the_second(fake: FakeGitHub) -> None:
    def both() -> tuple[Any, Any]:
        views = _json(fake, "/repos/acme/rocket/traffic/views")[1]
        return views, _json(fake, "/repos/acme/rocket/traffic/clones")[1]

    fake.set_now("2026-11-12T18:00:00Z")
    on_the_hour = both()
    fake.set_now("2026-11-12T18:59:59Z")
    assert both() == on_the_hour
    fake.set_now("2026-11-12T19:00:00Z")
    next_hour = both()

    today, oldest = "2026-11-12T00:00:00Z", "2026-10-29T00:00:00Z"
    for before, after in zip(on_the_hour, next_hour, strict=True):
        key = "views" if "views" in before else "clones"
        counts = [{b["timestamp"]: b["count"] for b in body[key]} for body in (before, after)]
        assert counts[1].get(today, 0) >= counts[0].get(today, 0)
        assert counts[1].get(oldest, 0) <= counts[0].get(oldest, 0)
    assert next_hour != on_the_hour


def test_user_answers_the_login_for_token_and_bearer(fake: FakeGitHub) -> None:
    for scheme in ("token", "Bearer"):
        status, body = _json(fake, "/user", scheme=scheme)
        assert (status, body["login"], body["type"]) == (200, "alice", "User")


def test_access_rules(fake: FakeGitHub) -> None:
    fake.add_token("ghp_fine", push=False, kind="fine_grained")
    fake.add_token("ghp_viewer", push=False)
    fake.add_repo("acme", "secret", private=True, push_tokens=[TOKEN])

    status, headers, body = http_get(fake.url + "/repos/acme/rocket/traffic/views")
    assert (status, json.loads(body)["message"]) == (401, "Bad credentials")
    assert headers["X-RateLimit-Limit"] == "60"
    assert _json(fake, "/repos/acme/rocket/traffic/views", token="nope")[0] == 401
    assert _json(fake, "/repos/acme/missing/traffic/views") == (
        404,
        {"message": "Not Found", "documentation_url": VIEWS_DOCS, "status": "404"},
    )
    assert _json(fake, "/repos/acme/secret/traffic/views")[0] == 200
    assert _json(fake, "/repos/acme/secret/traffic/views", token="ghp_fine")[0] == 404
    assert _json(fake, "/repos/acme/rocket/traffic/views", token="ghp_viewer") == (
        403,
        {
            "message": "Must have push access to repository",
            "documentation_url": VIEWS_DOCS,
            "status": "403",
        },
    )
    status, body = _json(fake, "/repos/acme/rocket/traffic/views", token="ghp_fine")
    assert (status, body["message"]) == (403, "Resource not accessible by personal access token")


def test_an_app_token_has_no_user_but_lists_its_installations_repositories(
    fake: FakeGitHub,
) -> None:
    fake.add_token("ghs_app", kind="app")
    fake.add_repo("acme", "secret", private=True, push_tokens=[TOKEN])
    fake.add_repo("octo", "widgets")

    status, body = _json(fake, "/user", token="ghs_app")
    assert (status, body["message"]) == (403, "Resource not accessible by integration")
    status, body = _json(fake, "/installation/repositories", token="ghs_app")
    assert status == 200 and body["total_count"] == 2  # not the private one
    assert [repo["full_name"] for repo in body["repositories"]] == ["acme/rocket", "octo/widgets"]
    status, body = _json(fake, "/installation/repositories?per_page=1&page=2", token="ghs_app")
    assert (body["total_count"], [r["full_name"] for r in body["repositories"]]) == (
        2,
        ["octo/widgets"],
    )
    status, body = _json(fake, "/installation/repositories")  # a personal token
    assert status == 403 and "installation access token" in body["message"]


def test_rate_limit_headers_count_down_and_run_out(fake: FakeGitHub) -> None:
    fake.set_rate_limit(2)
    with time_machine.travel(dt.datetime(2026, 11, 12, 18, 0, 0, tzinfo=dt.UTC), tick=False):
        answers = [http_get(fake.url + "/user", token=TOKEN) for _ in range(3)]

    assert [status for status, _, _ in answers] == [200, 200, 403]
    assert [h["X-RateLimit-Remaining"] for _, h, _ in answers] == ["1", "0", "0"]
    assert [h["X-RateLimit-Used"] for _, h, _ in answers] == ["1", "2", "2"]
    # The window is an hour of real time from its first request.
    reset = int(answers[2][1]["X-RateLimit-Reset"])
    assert reset == int(dt.datetime(2026, 11, 12, 19, 0, 0, tzinfo=dt.UTC).timestamp())
    assert json.loads(answers[2][2])["message"].startswith("API rate limit exceeded")
    fake.reset_rate_limits()
    assert http_get(fake.url + "/user", token=TOKEN)[0] == 200


def test_latency_delays_api_requests(fake: FakeGitHub, waits: list[float]) -> None:
    fake.set_latency(200)

    status, _, _ = http_get(fake.url + "/user", token=TOKEN)

    assert status == 200
    assert waits == [0.2]


def test_clock_moves_the_window(fake: FakeGitHub) -> None:
    fake.advance(days=1, hours=2)
    assert fake.now() == NOW + dt.timedelta(days=1, hours=2)
    body = _json(fake, "/repos/acme/rocket/traffic/views")[1]
    assert body["views"][-1]["timestamp"] <= f"{NOW.date() + dt.timedelta(days=1)}T00:00:00Z"
    fake.set_now(None)
    assert abs(fake.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_control_endpoint_sets_up_and_reports(fake: FakeGitHub) -> None:
    http_get(fake.url + "/user", token=TOKEN)
    status, state = http_post_json(
        fake.url + "/_fake/state",
        {
            "tokens": [{"token": "ghp_http", "login": "bob"}],
            "repos": [{"owner": "octo", "name": "widgets", "private": True}],
            "reset_requests": True,
        },
    )
    assert status == 200
    assert {"login": "bob", "push": True, "kind": "classic"} in state["tokens"]
    assert {"owner": "octo", "name": "widgets", "private": True} in state["repos"]
    assert "ghp_http" not in json.dumps(state)
    assert state["total_requests"] == 0

    widgets = "/repos/octo/widgets/traffic/views"
    assert http_get(fake.url + widgets, token="ghp_http")[0] == 200
    _, _, body = http_get(fake.url + "/_fake/state")
    assert (json.loads(body)["requests"], json.loads(body)["total_requests"]) == ({widgets: 1}, 1)


@pytest.mark.parametrize(
    "payload",
    [
        {"tokens": [{"tokn": "x"}]},
        {"tokens": [{"token": "x", "kind": "robot"}]},
        {"now": "2026-11-01T23:00:00Z"},
        ["not", "a", "dict"],
    ],
)
def test_control_endpoint_refuses_bad_requests(fake: FakeGitHub, payload: object) -> None:
    status, body = http_post_json(fake.url + "/_fake/state", payload)

    assert status == 400 and body["message"].startswith("bad control request")


def test_seed_demo_gives_the_demo_token_three_realistic_repositories(fake: FakeGitHub) -> None:
    fake.seed_demo()

    for repo in ("acme/rocket", "acme/launchpad", "octo/widgets"):
        owner, name = repo.split("/")
        status = http_get(f"{fake.url}/repos/{repo}/traffic/views", token="demo-token")[0]
        assert status == 200, repo
        # Realistic figures (fake_realistic.py): a news spike tops the referrers.
        spike = fake.news_spikes(owner, name, start=NOW.date(), end=NOW.date() + dt.timedelta(91))[
            0
        ]
        fake.set_now(dt.datetime.combine(spike.start, dt.time(22), tzinfo=dt.UTC) + dt.timedelta(1))
        referrers = http_get(
            f"{fake.url}/repos/{repo}/traffic/popular/referrers", token="demo-token"
        )[2]
        assert json.loads(referrers)[0]["referrer"] == spike.site, repo


def test_management_command_serves_until_terminated() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    process = subprocess.Popen(
        [sys.executable, str(MANAGE_PY), "fake_github", "--port", str(port), "--seed-demo"],
        env=env,
        cwd=MANAGE_PY.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    def answering() -> bool:
        assert process.poll() is None, process.communicate()[0].decode()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    try:
        poll_until(answering, seconds=20, interval=0.1, what="fake_github to listen")
        status, _, body = http_get(f"http://127.0.0.1:{port}/user", token="demo-token")
        assert (status, json.loads(body)["login"]) == (200, "demo")
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=10)[0].decode()
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output
