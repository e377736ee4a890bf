"""HTTP for the fake GitHub: reads requests, applies faults, access rules and rate limits,
and writes GitHub-shaped answers. Traffic figures, auth and rate limits are documented in
`fake.py`; the control endpoint and the faults here.

Control: POST /_fake/state with a JSON object, all keys optional, applied in this order:
    {"reset": true, "seed_demo": true,
     "tokens": [{"token": "t", "login": "alice", "push": true, "kind": "classic"}],
     "repos": [{"owner": "acme", "name": "rocket", "private": false,
                "push_tokens": null, "visible_tokens": null}],
     "now": "2026-11-01T23:00:00Z" (null: real time), "advance": {"days": 1, "hours": 2},
     "latency_ms": 100, "rate_limit": 5000, "rate_window_seconds": 3600,
     "reset_rate_limits": true, "clear_faults": true,
     "faults": [{"kind": "502", "count": 2, "repo": "acme/rocket", "path": "clones"}],
     "reset_requests": true}
It answers like GET /_fake/state: {"now", "clock", "latency_ms", "rate_limit",
"rate_window_seconds", "requests": {path: count}, "total_requests", "faults", "repos",
"tokens"}. GET /_fake/truth?repo=acme/rocket&from=2026-11-01&to=2026-11-14 lists truth().
Control requests are never counted, delayed or faulted.

Faults apply to the next `count` API requests whose path contains `path` and that are
about `repo` (each filter optional): "500", "502", "503", "504"; "timeout" (hang
`seconds`, default 30, then close without answering); "disconnect" (close at once);
"malformed_json" (200, the real body with a stray ",," before its last bracket);
"truncated_json" (200 with the first half of the real body and a Content-Length that
matches it); "wrong_shape" (200, valid JSON, `variant`: "missing_key", "string_count",
"bad_timestamp" or "not_object");
"secondary_rate_limit" (`status` 403 or 429, Retry-After `retry_after` seconds, default
60); "primary_rate_limit" (`status`, Remaining 0, Reset `reset_in` seconds ahead,
default 60); "no_push_access" (403, `variant` picks the message as for token kinds).
"""

import datetime as dt
import json
import logging
import math
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from repotraffic.integrations.github import fake_traffic

if TYPE_CHECKING:
    from repotraffic.integrations.github.fake import FakeGitHub
    from repotraffic.integrations.github.fake_state import FakeFault

logger = logging.getLogger(__name__)

DOCS_URL = "https://docs.github.com/rest"
_ENTERPRISE_PREFIX = "/api/v3"
_REPO_PATH = re.compile(r"^/repos/([^/]+)/([^/]+)(?:/|$)")
_REPOSITORY_PATH = re.compile(r"^/repos/([^/]+)/([^/]+)$")
_TRAFFIC_PATH = re.compile(
    r"^/repos/([^/]+)/([^/]+)/traffic/(views|clones|popular/referrers|popular/paths)/?$"
)
_NO_PUSH_MESSAGES = {
    "classic": "Must have push access to repository",
    "fine_grained": "Resource not accessible by personal access token",
    "app": "Resource not accessible by integration",
}
_NOT_INSTALLATION_MESSAGE = (
    "You must authenticate with an installation access token in order to list repositories "
    "for an installation."
)
_PRIMARY_MESSAGE = (
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
    "please include the request ID."
)
_SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID."
)
_SERVER_ERRORS = {
    "500": (500, {"message": "Server Error"}),
    "502": (502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "503": (503, {"message": "Service Unavailable"}),
    "504": (504, "<html><body><h1>504 Gateway Time-out</h1></body></html>"),
}
_MAX_TRUTH_DAYS = 3660
FAULT_KINDS = frozenset(
    {*_SERVER_ERRORS, "timeout", "disconnect", "malformed_json", "truncated_json"}
    | {"wrong_shape", "secondary_rate_limit", "primary_rate_limit", "no_push_access"}
)
CONTROL_KEYS = frozenset(
    {"reset", "seed_demo", "tokens", "repos", "now", "advance", "latency_ms", "rate_limit"}
    | {"rate_window_seconds", "reset_rate_limits", "clear_faults", "faults", "reset_requests"}
)


@dataclass
class Reply:
    status: int = 200
    payload: Any = None
    body: bytes | None = None  # sent as is instead of the JSON of `payload`
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    payload = {"message": message, "documentation_url": DOCS_URL, "status": str(status)}
    return Reply(status=status, payload=payload, headers=headers or {})


def _token_parse(authorization: str | None) -> str | None:
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return None


def _fault_reply(*, fake: "FakeGitHub", fault: "FakeFault", limit: int) -> Reply | None:
    """The answer a fault puts in place of the real one; None for faults that corrupt it."""
    if fault.kind in _SERVER_ERRORS:
        status, content = _SERVER_ERRORS[fault.kind]
        if isinstance(content, str):
            return Reply(status=status, body=content.encode(), content_type="text/html")
        return Reply(status=status, payload=content)
    if fault.kind == "timeout":
        fake.wait(fault.seconds)
        return Reply(drop=True)
    if fault.kind == "disconnect":
        return Reply(drop=True)
    if fault.kind == "secondary_rate_limit":
        return _error(fault.status, _SECONDARY_MESSAGE, {"Retry-After": str(fault.retry_after)})
    if fault.kind == "primary_rate_limit":
        headers = {
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Used": str(limit),
            "X-RateLimit-Reset": str(math.ceil(time.time() + fault.reset_in)),
        }
        return _error(fault.status, _PRIMARY_MESSAGE, headers)
    if fault.kind == "no_push_access":
        return _error(403, _NO_PUSH_MESSAGES[fault.variant])
    return None


def _shape_break(*, payload: Any, variant: str, today: dt.date) -> Any:
    """Valid JSON that a client must still refuse: a key gone, a count as text, and so on."""
    if variant == "not_object" or not isinstance(payload, dict):
        return ["not", "an", "object"]
    payload = dict(payload)
    key = next((k for k in ("views", "clones") if isinstance(payload.get(k), list)), None)
    if key is None:  # e.g. GET /user: only dropping its key makes sense
        return {k: v for k, v in payload.items() if k != "login"}
    buckets = [dict(bucket) for bucket in payload[key]] or [
        {"timestamp": f"{today.isoformat()}T00:00:00Z", "count": 1, "uniques": 1}
    ]
    if variant == "missing_key":
        del buckets[0]["uniques"]
    elif variant == "string_count":
        buckets[0]["count"] = str(buckets[0]["count"])
    elif variant == "bad_timestamp":
        buckets[0]["timestamp"] = "2026-13-45T00:00:00Z"
    payload[key] = buckets
    return payload


def _reply_corrupt(*, reply: Reply, fault: "FakeFault", today: dt.date) -> Reply:
    if reply.status != 200:
        return reply
    text = json.dumps(reply.payload)
    if fault.kind == "malformed_json":
        # A stray ",," before the closing bracket: invalid whatever the payload is.
        reply.body = (text[:-1] + ",," + text[-1]).encode()
    elif fault.kind == "truncated_json":
        reply.body = text.encode()[: len(text) // 2]
    elif fault.kind == "wrong_shape":
        reply.payload = _shape_break(payload=reply.payload, variant=fault.variant, today=today)
    return reply


def _installation_reply(*, fake: "FakeGitHub", query: str, token: str) -> Reply:
    params = urllib.parse.parse_qs(query)
    try:
        per_page = min(100, max(1, int((params.get("per_page") or ["30"])[-1])))
        page = max(1, int((params.get("page") or ["1"])[-1]))
    except ValueError:
        return _error(422, "Invalid request.\n\nper_page and page must be whole numbers.")
    repos = fake.installation_repos(token=token)
    shown = repos[(page - 1) * per_page : page * per_page]
    return Reply(
        payload={
            "total_count": len(repos),
            "repository_selection": "selected",
            "repositories": [
                {
                    "name": repo.name,
                    "full_name": f"{repo.owner}/{repo.name}",
                    "private": repo.private,
                    "owner": {"login": repo.owner},
                }
                for repo in shown
            ],
        }
    )


def _repository_reply(*, fake: "FakeGitHub", match: re.Match[str], token: str, kind: str) -> Reply:
    """GET /repos/{owner}/{repo}: the repository in GitHub's spelling. `permissions` is
    sent to user tokens only, as GitHub does (an installation token gets none)."""
    owner, name = (urllib.parse.unquote(part) for part in match.group(1, 2))
    repo, push = fake.repo_access(owner=owner, name=name, token=token)
    if repo is None:
        return _error(404, "Not Found")
    payload: dict[str, Any] = {
        "id": fake_traffic.repository_id(owner=repo.owner, name=repo.name),
        "name": repo.name,
        "full_name": f"{repo.owner}/{repo.name}",
        "owner": {"login": repo.owner, "type": "Organization"},
        "private": repo.private,
        "html_url": f"https://github.com/{repo.owner}/{repo.name}",
        **fake_traffic.repository_counts(owner=repo.owner, name=repo.name, now=fake.now()),
    }
    if kind != "app":
        payload["permissions"] = {
            "admin": push,
            "maintain": push,
            "push": push,
            "triage": push,
            "pull": True,
        }
    return Reply(payload=payload)


def _route(*, fake: "FakeGitHub", path: str, query: str, token: str | None) -> Reply:
    info = fake.token_lookup(token)
    if token is None or info is None:
        return _error(401, "Bad credentials")
    if path.rstrip("/") == "/installation/repositories":
        if info.kind != "app":
            return _error(403, _NOT_INSTALLATION_MESSAGE)
        return _installation_reply(fake=fake, query=query, token=token)
    if path.rstrip("/") == "/user":
        if info.kind == "app":  # an installation token belongs to no user
            return _error(403, _NO_PUSH_MESSAGES["app"])
        user_id = int.from_bytes(info.login.encode()[:6].ljust(6, b"\0"), "big") % 10**8
        return Reply(payload={"login": info.login, "id": user_id, "type": "User"})
    repository_match = _REPOSITORY_PATH.match(path)
    if repository_match is not None:
        return _repository_reply(fake=fake, match=repository_match, token=token, kind=info.kind)
    match = _TRAFFIC_PATH.match(path)
    if match is None:
        return _error(404, "Not Found")
    owner, name = (urllib.parse.unquote(part) for part in match.group(1, 2))
    repo, push = fake.repo_access(owner=owner, name=name, token=token)
    if repo is None:
        return _error(404, "Not Found")
    if not push:
        return _error(403, _NO_PUSH_MESSAGES[info.kind])
    now = fake.now()
    what = match.group(3)
    if what == "popular/referrers":
        return Reply(
            payload=fake_traffic.traffic_referrers(owner=repo.owner, name=repo.name, now=now)
        )
    if what == "popular/paths":
        return Reply(payload=fake_traffic.traffic_paths(owner=repo.owner, name=repo.name, now=now))
    per = (urllib.parse.parse_qs(query).get("per") or ["day"])[-1]
    if per not in ("day", "week"):
        return _error(422, f"Invalid request.\n\n{per!r} is not one of day, week.")
    return Reply(
        payload=fake_traffic.traffic_payload(
            owner=repo.owner, name=repo.name, now=now, kind=what, per=per
        )
    )


def api_reply(*, fake: "FakeGitHub", path: str, query: str, headers: Message) -> Reply:
    """Answers one GitHub API request: latency, then faults, auth, rate limit, route."""
    authorization = headers.get("Authorization")
    scheme = (authorization or "").strip().partition(" ")[0]
    fake.request_record(
        path=path,
        query=query,
        headers={
            "user-agent": headers.get("User-Agent", ""),
            "x-github-api-version": headers.get("X-GitHub-Api-Version", ""),
            "accept": headers.get("Accept", ""),
            "authorization-scheme": scheme,  # never the token itself
        },
    )
    fake.wait(fake.latency_seconds())
    route_path = path.removeprefix(_ENTERPRISE_PREFIX) if path.startswith("/api/v3/") else path
    repo_match = _REPO_PATH.match(route_path)
    repo = "/".join(urllib.parse.unquote(p) for p in repo_match.group(1, 2)) if repo_match else None
    fault = fake.fault_take(path=path, repo=repo)
    token = _token_parse(authorization)
    valid = token if fake.token_lookup(token) is not None else None
    limit, used, reset, exceeded = fake.rate_take(token=valid, now=time.time())
    reply = _fault_reply(fake=fake, fault=fault, limit=limit) if fault else None
    if reply is None:
        if valid is not None and exceeded:
            reply = _error(403, _PRIMARY_MESSAGE)
        else:
            reply = _route(fake=fake, path=route_path, query=query, token=valid)
        if fault is not None:
            reply = _reply_corrupt(reply=reply, fault=fault, today=fake.now().date())
    reply.headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(limit - used),
        "X-RateLimit-Reset": str(math.ceil(reset)),
        "X-RateLimit-Used": str(used),
        "X-RateLimit-Resource": "core",
        **reply.headers,
    }
    return reply


def _truth_reply(*, fake: "FakeGitHub", query: str) -> Reply:
    params = urllib.parse.parse_qs(query)
    owner, _, name = (params.get("repo") or [""])[0].partition("/")
    if not owner or not name:
        raise ValueError("give repo=owner/name")
    today = fake.now().date()
    start = dt.date.fromisoformat((params.get("from") or [str(today - dt.timedelta(14))])[0])
    end = dt.date.fromisoformat((params.get("to") or [str(today)])[0])
    if not 0 <= (end - start).days < _MAX_TRUTH_DAYS:
        raise ValueError(f"from..to must span 1 to {_MAX_TRUTH_DAYS} days")
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    fields = ("views", "unique_views", "clones", "unique_clones")
    return Reply(
        payload=[
            {"day": day.isoformat(), **dict(zip(fields, fake.truth(owner, name, day), strict=True))}
            for day in days
        ]
    )


def control_reply(*, fake: "FakeGitHub", method: str, path: str, query: str, body: bytes) -> Reply:
    try:
        if path == "/_fake/state" and method == "GET":
            return Reply(payload=fake.state())
        if path == "/_fake/state" and method == "POST":
            return Reply(payload=fake.apply(json.loads(body or b"{}")))
        if path == "/_fake/truth" and method == "GET":
            return _truth_reply(fake=fake, query=query)
    except (ValueError, TypeError, KeyError) as exc:
        return Reply(status=400, payload={"message": f"bad control request: {exc}"})
    return Reply(status=404, payload={"message": "unknown control path"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as GitHub and PyGithub's session use
    server_version = "FakeGitHub/1.0"
    timeout = 60  # an idle keep-alive connection ends eventually
    # Headers and body go out in two writes; with Nagle on, a reused connection would
    # wait for the client's delayed ACK (about 40 ms) on every request.
    disable_nagle_algorithm = True
    server: "FakeHTTPServer"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        parts = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            if parts.path.startswith("/_fake/"):
                reply = control_reply(
                    fake=fake, method=method, path=parts.path, query=parts.query, body=body
                )
            elif method != "GET":
                reply = _error(404, "Not Found")
            else:
                reply = api_reply(
                    fake=fake, path=parts.path, query=parts.query, headers=self.headers
                )
        except Exception as exc:  # a bug in the fake should show, not hang the client
            logger.exception("fake GitHub failed on %s", parts.path)
            reply = Reply(status=500, payload={"message": f"fake GitHub failed: {exc!r}"})
        if reply.drop:
            self.close_connection = True
            return
        data = reply.body if reply.body is not None else json.dumps(reply.payload).encode()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # stop() must not wait for clients that keep a connection open.
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], *, fake: "FakeGitHub") -> None:
        self.fake = fake
        super().__init__(address, _Handler)
