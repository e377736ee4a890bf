"""HTTP for the fake GitHub: reads requests, checks the headers GitHub requires, applies
faults, authentication and rate limits, hands the request to its endpoint in
`fake_routes`, and writes GitHub's headers on the answer. Figures are documented in
`fake.py`, endpoints and access in `fake_routes.py`; headers, rate limits, the control
endpoint here, faults in `fake_faults.py`.

Headers. A request without a User-Agent is refused: 403 text/html "Request forbidden by
administrative rules. Please make sure your request has a User-Agent header ...". An
X-GitHub-Api-Version other than 2022-11-28 (the default) or 2026-03-10 is refused: 400
{"message": "Bad Request", "errors": "The version you specified in the
\"X-GitHub-API-Version\" request header, ... is not a supported version. ..."}. Under
2026-03-10 repositories have no `has_downloads`. Every answer carries its own
X-GitHub-Request-Id and X-GitHub-Api-Version-Selected; an endpoint with a documented
permission adds X-Accepted-GitHub-Permissions.

Auth and rate limits. "Authorization: token X" or "Bearer X"; no or unknown token: 401
"Bad credentials". The GitHub App's endpoints (GET, and POST for a token) take the app's
JWT instead, refused in GitHub's words (fake_app.py). Every API answer carries
X-RateLimit-Limit/Remaining/Reset/Used (GitHub adds X-RateLimit-Resource, which nothing
here reads). Each valid token may make `rate_limit` requests (default 5000) per hour of
*real* time, since a client compares the reset with its own clock; past that, 403 "API
rate limit exceeded ..." with Remaining 0. The fake clock only moves the figures.

Control: POST /_fake/state with a JSON object, all keys optional, applied in this order:
    {"tokens": [{"token": "t", "login": "alice", "push": true, "kind": "classic"}],
     "repos": [{"owner": "acme", "name": "rocket", "private": false,
                "push_tokens": null, "stars": null, "profile": "default"}],
     "reset_requests": true, "concurrency_reset": true}
It answers like GET /_fake/state: {"requests": {path: count}, "total_requests",
"concurrency_peaks": {login: most requests at once} (fake_concurrency.py), "faults",
"repos", "tokens"}. A fake in
another process (`manage.py fake_github`, as bench/ runs it) is set up this way;
everything else goes through FakeGitHub's methods. Control requests are never counted,
delayed or faulted.
"""

import email.utils
import json
import logging
import math
import re
import time
import urllib.parse
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from repotraffic.integrations.github import fake_activity
from repotraffic.integrations.github.fake_faults import (
    RATE_LIMIT_DOCS,
    fault_reply,
    primary_message,
    reply_corrupt,
)
from repotraffic.integrations.github.fake_payloads import DEFAULT_API_VERSION
from repotraffic.integrations.github.fake_routes import (
    DOCS_URL,
    Call,
    Operation,
    Reply,
    error_reply,
    operation_find,
)
from repotraffic.integrations.github.fake_state import FakeToken

if TYPE_CHECKING:
    from repotraffic.integrations.github.fake import FakeGitHub

logger = logging.getLogger(__name__)

# The versions GitHub's REST description knows, newest first: 2022-11-28 (the default,
# its base) and 2026-03-10 (the version of its x-github-breaking-changes).
SUPPORTED_API_VERSIONS = ("2026-03-10", DEFAULT_API_VERSION)
# GitHub's words for a request without a User-Agent (403, text/html), as GitHub's REST
# docs example and users' reports of live answers give them; not checked against GitHub
# itself. The link inside has moved with GitHub's docs (developer.github.com/v3/#...
# in older reports); this is the address reported most recently.
NO_USER_AGENT_MESSAGE = (
    "Request forbidden by administrative rules. Please make sure your request has a "
    "User-Agent header (https://docs.github.com/en/rest/using-the-rest-api/"
    "troubleshooting-the-rest-api#user-agent-required). Check https://developer.github.com "
    "for other possible causes.\n"
)
_REPO_PATH = re.compile(r"^/repos/([^/]+)/([^/]+)")
# GitHub's links to pages of a repository's lists name it by id.
_REPOSITORY_ID_PATH = re.compile(r"^/repositories/(\d+)(?=/|$)")
# Who calls the GitHub App's endpoints, once its JWT is checked.
_APP_CALLER = FakeToken(login="", kind="app")
CONTROL_KEYS = frozenset({"tokens", "repos", "reset_requests", "concurrency_reset"})


def _version_refusal(version: str) -> Reply:
    newest, *others = SUPPORTED_API_VERSIONS
    supported = " and ".join([f'"{newest}" (most recent)', *(f'"{v}"' for v in others)])
    reply = error_reply(400, "Bad Request")
    # GitHub's `errors` is a sentence here, not the usual list.
    reply.payload["errors"] = (
        f'The version you specified in the "X-GitHub-API-Version" request header, "{version}", '
        f"is not a supported version. The following versions are currently supported: "
        f"{supported}."
    )
    return reply


def _token_parse(authorization: str | None) -> str | None:
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return None


def _path_by_name(*, fake: "FakeGitHub", path: str) -> str:
    """/repositories/{id}/... (GitHub's Link headers) as /repos/{owner}/{repo}/..."""
    match = _REPOSITORY_ID_PATH.match(path)
    repo = fake.repo_by_id(int(match.group(1))) if match else None
    if match is None or repo is None:
        return path
    return f"/repos/{repo.owner}/{repo.name}{path[match.end() :]}"


def _path_by_id(path: str) -> str:
    match = _REPO_PATH.match(path)
    if match is None:
        return path
    owner, name = (urllib.parse.unquote(part) for part in match.group(1, 2))
    repo_id = fake_activity.repository_id(owner=owner, name=name)
    return f"/repositories/{repo_id}{path[match.end() :]}"


def _route(
    *,
    fake: "FakeGitHub",
    found: tuple[Operation, re.Match[str]] | None,
    path: str,
    query: str,
    headers: Message,
    token: str | None,
    api_version: str,
) -> Reply:
    app_auth = found is not None and found[0].auth == "app"  # its JWT is checked already
    info = _APP_CALLER if app_auth and token else fake.token_lookup(token)
    if token is None or info is None:
        return error_reply(401, "Bad credentials")
    if found is None:
        return error_reply(404, "Not Found")
    operation, match = found
    call = Call(
        fake=fake,
        token=token,
        info=info,
        match=match,
        query=urllib.parse.parse_qs(query),
        accept=headers.get("Accept", ""),
        api_version=api_version,
        api_base=f"http://{headers.get('Host') or f'{fake.host}:{fake.port}'}",
        link_path=_path_by_id(path),
        docs_url=operation.docs_url,
    )
    return operation.answer(call)


def _api_answer(
    *, fake: "FakeGitHub", method: str, path: str, query: str, headers: Message, request_id: str
) -> Reply:
    if not (headers.get("User-Agent") or "").strip():
        # Refused before the API itself: no JSON and no rate-limit headers.
        return Reply(
            status=403,
            body=NO_USER_AGENT_MESSAGE.encode(),
            content_type="text/html; charset=utf-8",
        )
    api_version = (headers.get("X-GitHub-Api-Version") or "").strip() or DEFAULT_API_VERSION
    if api_version not in SUPPORTED_API_VERSIONS:
        return _version_refusal(api_version)
    route_path = _path_by_name(fake=fake, path=path)
    found = operation_find(route_path, method)
    repo_match = _REPO_PATH.match(route_path)
    repo = "/".join(urllib.parse.unquote(p) for p in repo_match.group(1, 2)) if repo_match else None
    fault = fake.fault_take(path=path, repo=repo)
    token = _token_parse(headers.get("Authorization"))
    # The GitHub App's endpoints take its JWT (fake_app.py), the others a known token.
    app_auth = found is not None and found[0].auth == "app"
    jwt_refusal = fake.app_jwt_refusal(token) if app_auth else None
    known = jwt_refusal is None if app_auth else fake.token_lookup(token) is not None
    valid = token if known else None
    limit, used, reset, exceeded = fake.rate_take(token=valid, now=time.time())
    docs_url = found[0].docs_url if found else DOCS_URL
    reply = None
    if fault is not None:
        reply = fault_reply(
            fake=fake, fault=fault, limit=limit, docs_url=docs_url, request_id=request_id
        )
    if reply is None:
        if valid is not None and exceeded:
            reply = error_reply(403, primary_message(request_id), docs_url=RATE_LIMIT_DOCS)
        elif jwt_refusal is not None:
            reply = error_reply(401, jwt_refusal)
        else:
            reply = _route(
                fake=fake,
                found=found,
                path=route_path,
                query=query,
                headers=headers,
                token=valid,
                api_version=api_version,
            )
        if fault is not None:
            reply = reply_corrupt(reply=reply, fault=fault, today=fake.now().date())
    permission = found[0].permission if found else None
    reply.headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(limit - used),
        "X-RateLimit-Reset": str(math.ceil(reset)),
        "X-RateLimit-Used": str(used),
        "X-GitHub-Api-Version-Selected": api_version,
        **({"X-Accepted-GitHub-Permissions": permission} if permission else {}),
        **reply.headers,
    }
    return reply


def api_reply(
    *, fake: "FakeGitHub", path: str, query: str, headers: Message, method: str = "GET"
) -> Reply:
    """Answers one GitHub API request: latency, then the required headers, faults, auth,
    rate limit and the endpoint. Every answer carries its own X-GitHub-Request-Id."""
    with fake.request_in_flight(token=_token_parse(headers.get("Authorization"))):
        fake.request_record(
            path=path,
            query=query,
            headers={  # those tests check; never the token
                "user-agent": headers.get("User-Agent", ""),
                "x-github-api-version": headers.get("X-GitHub-Api-Version", ""),
                "accept": headers.get("Accept", ""),
            },
        )
        fake.wait(fake.latency_seconds())
        request_id = fake.request_id_next()
        reply = _api_answer(
            fake=fake,
            method=method,
            path=path,
            query=query,
            headers=headers,
            request_id=request_id,
        )
        reply.headers = {"X-GitHub-Request-Id": request_id, **reply.headers}
        return reply


def control_reply(*, fake: "FakeGitHub", method: str, path: str, body: bytes) -> Reply:
    try:
        if path == "/_fake/state" and method == "GET":
            return Reply(payload=fake.state())
        if path == "/_fake/state" and method == "POST":
            return Reply(payload=fake.apply(json.loads(body or b"{}")))
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

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header: the fake's clock, as GitHub's Date follows GitHub's (a client
        takes "today" from it)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        return email.utils.format_datetime(self.server.fake.now(), usegmt=True)

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
                reply = control_reply(fake=fake, method=method, path=parts.path, body=body)
            else:
                reply = api_reply(
                    fake=fake,
                    path=parts.path,
                    query=parts.query,
                    headers=self.headers,
                    method=method,
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
