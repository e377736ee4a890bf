"""The endpoints the fake GitHub serves (OPERATIONS), each as GitHub's REST description
has it: its path, its documentation URL (the operation's externalDocs.url, which its
error bodies carry), the permission GitHub names in X-Accepted-GitHub-Permissions (from
docs.github.com: the description has none), and its answer. Requests reach them through
`fake_http`, once the headers, faults, authentication and rate limit are dealt with.

Access. Unknown repository, or a private one the token cannot push to: 404 "Not Found".
Traffic without push access: 403 "Must have push access to repository" (token kind
"classic"), "Resource not accessible by personal access token" ("fine_grained") or
"Resource not accessible by integration" ("app"). Stargazers without push access: 403
"Forbidden" (since GitHub's change of 2026-06-30 only admins and collaborators may list
them; GitHub does not document its words). Releases: anyone who sees the repository.
GET /user answers the public profile, but to an "app" token (a GitHub App installation
token, which belongs to no user) 403 "Resource not accessible by integration". GET
/installation/repositories answers an "app" token {"total_count", "repositories"}, the
repositories it can see, and any other token 403. GET /repos/{o}/{n} has `permissions`
for user tokens only, as on GitHub.

Lists (installation repositories, stargazers, releases): per_page default 30, at most
100, and page; GitHub's Link header with next and last (the relations tests and the
client read; GitHub adds first and prev past page 1), written as GitHub writes them for
a repository's lists, /repositories/{id}/..., a path fake_http serves too. Stargazers:
page 401 and beyond answer 422 "In order to keep the API fast for everyone, pagination
is limited for this resource. ..." with rel="last" at page 400. GitHub stops there
(40,000 stargazers at per_page=100, as users report; the description only lists a 422);
the fake applies 400 pages at any per_page. With `Accept:
application/vnd.github.star+json` a stargazer is {starred_at, user}, otherwise the user.

Errors are {"message", "documentation_url", "status"}: an endpoint's own (404, 403,
422) link its documentation; a 401 or a path GitHub does not have (a trailing slash
included: GitHub's paths have none) links https://docs.github.com/rest.
"""

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from repotraffic.integrations.github import fake_activity, fake_payloads, fake_traffic
from repotraffic.integrations.github.fake_state import FakeRepo, FakeToken

if TYPE_CHECKING:
    from repotraffic.integrations.github.fake import FakeGitHub

DOCS_URL = "https://docs.github.com/rest"  # what GitHub links errors of no endpoint to
STAR_MEDIA_TYPE = "application/vnd.github.star+json"
# GitHub stops listing stargazers at page 400 (see fake.py); the description only
# says that the operation may answer 422.
STARGAZER_PAGES = 400
_PAGINATION_LIMITED = (
    "In order to keep the API fast for everyone, pagination is limited for this resource. "
    "Check the rel=last link relation in the Link response header to see how far back you "
    "can traverse."
)
NO_PUSH_MESSAGES = {
    "classic": "Must have push access to repository",
    "fine_grained": "Resource not accessible by personal access token",
    "app": "Resource not accessible by integration",
}
_NOT_INSTALLATION_MESSAGE = (
    "You must authenticate with an installation access token in order to list repositories "
    "for an installation."
)


@dataclass
class Reply:
    status: int = 200
    payload: Any = None
    body: bytes | None = None  # sent as is instead of the JSON of `payload`
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def error_reply(
    status: int, message: str, *, docs_url: str = DOCS_URL, headers: dict[str, str] | None = None
) -> Reply:
    payload = {"message": message, "documentation_url": docs_url, "status": str(status)}
    return Reply(status=status, payload=payload, headers=headers or {})


@dataclass(frozen=True)
class Call:
    """One authenticated request to an endpoint."""

    fake: "FakeGitHub"
    token: str
    info: FakeToken
    match: re.Match[str]
    query: dict[str, list[str]]
    accept: str
    api_version: str
    api_base: str  # e.g. "http://127.0.0.1:8765": the links GitHub writes
    link_path: str  # the path as GitHub's Link headers write it: /repositories/{id}/...
    docs_url: str

    def error(self, status: int, message: str) -> Reply:
        return error_reply(status, message, docs_url=self.docs_url)

    def repo(self) -> tuple[FakeRepo | None, bool]:
        """The repository the path names if the token can see it, and push access."""
        owner, name = (urllib.parse.unquote(part) for part in self.match.group(1, 2))
        return self.fake.repo_access(owner=owner, name=name, token=self.token)


@dataclass(frozen=True)
class Operation:
    name: str  # as in the description: "GET /repos/{owner}/{repo}"
    pattern: re.Pattern[str]
    docs_url: str
    permission: str | None  # None where GitHub documents no permission
    answer: Callable[[Call], Reply]


def _page_params(call: Call) -> tuple[int, int] | Reply:
    try:
        per_page = min(100, max(1, int((call.query.get("per_page") or ["30"])[-1])))
        page = max(1, int((call.query.get("page") or ["1"])[-1]))
    except ValueError:
        return call.error(422, "Invalid request.\n\nper_page and page must be whole numbers.")
    return per_page, page


def _link_header(call: Call, *, page: int, last: int) -> dict[str, str]:
    """GitHub's Link header: next, and last."""
    if last <= 1:
        return {}

    def url(number: int) -> str:
        query = {key: values[-1] for key, values in call.query.items() if key != "page"}
        page_query = urllib.parse.urlencode({**query, "page": number})
        return f"{call.api_base}{call.link_path}?{page_query}"

    links = [f'<{url(page + 1)}>; rel="next"'] if page < last else []
    if page != last:  # past the end too: it says how far one can go
        links.append(f'<{url(last)}>; rel="last"')
    return {"Link": ", ".join(links)}


def _user(call: Call) -> Reply:
    if call.info.kind == "app":  # an installation token belongs to no user
        return call.error(403, NO_PUSH_MESSAGES["app"])
    return Reply(payload=fake_payloads.user_public(api=call.api_base, login=call.info.login))


def _installation_repositories(call: Call) -> Reply:
    if call.info.kind != "app":
        return call.error(403, _NOT_INSTALLATION_MESSAGE)
    paging = _page_params(call)
    if isinstance(paging, Reply):
        return paging
    per_page, page = paging
    repos = call.fake.installation_repos(token=call.token)
    now = call.fake.now()
    shown = repos[(page - 1) * per_page : page * per_page]
    payload = {
        "total_count": len(repos),
        "repositories": [
            fake_payloads.repository(
                api=call.api_base,
                repo=repo,
                now=now,
                api_version=call.api_version,
                full=False,
                permissions=None,
            )
            for repo in shown
        ],
    }
    last = -(-len(repos) // per_page)
    return Reply(payload=payload, headers=_link_header(call, page=page, last=last))


def _repository(call: Call) -> Reply:
    """`permissions` goes to user tokens only, as GitHub does (an installation token gets
    none)."""
    repo, push = call.repo()
    if repo is None:
        return call.error(404, "Not Found")
    permissions = None
    if call.info.kind != "app":
        permissions = {"admin": push, "maintain": push, "push": push, "triage": push, "pull": True}
    payload = fake_payloads.repository(
        api=call.api_base,
        repo=repo,
        now=call.fake.now(),
        api_version=call.api_version,
        full=True,
        permissions=permissions,
    )
    return Reply(payload=payload)


def _traffic(call: Call) -> Reply:
    repo, push = call.repo()
    if repo is None:
        return call.error(404, "Not Found")
    if not push:
        return call.error(403, NO_PUSH_MESSAGES[call.info.kind])
    owner, name, now, profile = repo.owner, repo.name, call.fake.now(), repo.profile
    what = call.match.group(3)
    if what == "popular/referrers":
        return Reply(
            payload=fake_traffic.traffic_referrers(owner=owner, name=name, now=now, profile=profile)
        )
    if what == "popular/paths":
        return Reply(
            payload=fake_traffic.traffic_paths(owner=owner, name=name, now=now, profile=profile)
        )
    per = (call.query.get("per") or ["day"])[-1]
    if per not in ("day", "week"):
        return call.error(422, f"Invalid request.\n\n{per!r} is not one of day, week.")
    payload = fake_traffic.traffic_payload(
        owner=owner, name=name, now=now, kind=what, per=per, profile=profile
    )
    return Reply(payload=payload)


def _stargazers(call: Call) -> Reply:
    """Since GitHub's change of 2026-06-30 only admins and collaborators may list them
    (push access here); GitHub documents a 403 for others but not its words."""
    repo, push = call.repo()
    if repo is None:
        return call.error(404, "Not Found")
    if not push:
        return call.error(403, "Forbidden")
    paging = _page_params(call)
    if isinstance(paging, Reply):
        return paging
    per_page, page = paging
    stars = fake_activity.stars_get(
        owner=repo.owner, name=repo.name, initial=repo.stars, profile=repo.profile
    )
    total = stars.count(call.fake.now())
    last = min(-(-total // per_page), STARGAZER_PAGES)
    links = _link_header(call, page=page, last=last)
    if page > STARGAZER_PAGES:
        refused = call.error(422, _PAGINATION_LIMITED)
        refused.headers = links
        return refused
    first = (page - 1) * per_page + 1
    with_time = STAR_MEDIA_TYPE in call.accept
    items = [
        fake_payloads.stargazer(api=call.api_base, stars=stars, index=index, with_time=with_time)
        for index in range(first, min(total, page * per_page) + 1)
    ]
    return Reply(payload=items, headers=links)


def _releases(call: Call) -> Reply:
    repo, _ = call.repo()
    if repo is None:
        return call.error(404, "Not Found")
    paging = _page_params(call)
    if isinstance(paging, Reply):
        return paging
    per_page, page = paging
    now = call.fake.now()
    releases = fake_activity.releases_published(
        owner=repo.owner, name=repo.name, added=repo.releases, now=now, profile=repo.profile
    )
    shown = releases[(page - 1) * per_page : page * per_page]
    items = [
        fake_payloads.release(api=call.api_base, repo=repo, release=release, now=now)
        for release in shown
    ]
    last = -(-len(releases) // per_page)
    return Reply(payload=items, headers=_link_header(call, page=page, last=last))


_REPO = r"^/repos/([^/]+)/([^/]+)"
_TRAFFIC_DOCS = "https://docs.github.com/rest/metrics/traffic"
OPERATIONS = (
    Operation(
        "GET /user",
        re.compile(r"^/user$"),
        "https://docs.github.com/rest/users/users#get-the-authenticated-user",
        None,
        _user,
    ),
    Operation(
        "GET /installation/repositories",
        re.compile(r"^/installation/repositories$"),
        "https://docs.github.com/rest/apps/installations"
        "#list-repositories-accessible-to-the-app-installation",
        None,
        _installation_repositories,
    ),
    Operation(
        "GET /repos/{owner}/{repo}",
        re.compile(_REPO + "$"),
        "https://docs.github.com/rest/repos/repos#get-a-repository",
        "metadata=read",
        _repository,
    ),
    Operation(
        "GET /repos/{owner}/{repo}/traffic/views",
        re.compile(_REPO + "/traffic/(views)$"),
        f"{_TRAFFIC_DOCS}#get-page-views",
        "administration=read",
        _traffic,
    ),
    Operation(
        "GET /repos/{owner}/{repo}/traffic/clones",
        re.compile(_REPO + "/traffic/(clones)$"),
        f"{_TRAFFIC_DOCS}#get-repository-clones",
        "administration=read",
        _traffic,
    ),
    Operation(
        "GET /repos/{owner}/{repo}/traffic/popular/referrers",
        re.compile(_REPO + "/traffic/(popular/referrers)$"),
        f"{_TRAFFIC_DOCS}#get-top-referral-sources",
        "administration=read",
        _traffic,
    ),
    Operation(
        "GET /repos/{owner}/{repo}/traffic/popular/paths",
        re.compile(_REPO + "/traffic/(popular/paths)$"),
        f"{_TRAFFIC_DOCS}#get-top-referral-paths",
        "administration=read",
        _traffic,
    ),
    Operation(
        "GET /repos/{owner}/{repo}/stargazers",
        re.compile(_REPO + "/stargazers$"),
        "https://docs.github.com/rest/activity/starring#list-stargazers",
        "metadata=read",
        _stargazers,
    ),
    Operation(
        "GET /repos/{owner}/{repo}/releases",
        re.compile(_REPO + "/releases$"),
        "https://docs.github.com/rest/releases/releases#list-releases",
        "contents=read",
        _releases,
    ),
)


def operation_find(path: str) -> tuple[Operation, re.Match[str]] | None:
    """The operation a path names. GitHub's paths have no trailing slash: with one, or
    anything else unknown, None (a 404)."""
    for operation in OPERATIONS:
        match = operation.pattern.match(path)
        if match is not None:
            return operation, match
    return None
