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
repositories it can see, and any other token 403. GET /user/repos answers a user's token
its repositories (fake.user_repos: owned, as a collaborator, as an organization member),
each with `permissions`, and an "app" token 403 "Resource not accessible by
integration". GET /repos/{o}/{n} has `permissions` for user tokens only, as on GitHub.
The GitHub App's endpoints (its JWT, POST .../access_tokens) and GET
/user/memberships/orgs/{org}: fake_app.py.

Lists (user and installation repositories, stargazers, releases): per_page default 30,
at most 100, and page; GitHub's Link header with next and last (the relations tests and
the client read; GitHub adds first and prev past page 1), written as GitHub writes them
for a repository's lists, /repositories/{id}/..., a path fake_http serves too. Stargazers:
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
    # "token": a token the fake knows (else 401 "Bad credentials"); "app": the GitHub
    # App's JSON Web Token, checked by fake_app.py.
    auth: str = "token"


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


_USER_REPO_CHOICES = {
    "visibility": ("all", "public", "private"),
    "type": ("all", "owner", "public", "private", "member"),
    "sort": ("created", "updated", "pushed", "full_name"),
    "direction": ("asc", "desc"),
}
_AFFILIATIONS = ("owner", "collaborator", "organization_member")


def _user_repos_kept(call: Call) -> Callable[[FakeRepo, str], bool] | Reply:
    """Which listed repositories the query keeps, from its type, or its visibility and
    affiliation (GitHub refuses type with either: 422); or the refusal."""
    query = {key: values[-1] for key, values in call.query.items()}
    for key, choices in _USER_REPO_CHOICES.items():
        if key in query and query[key] not in choices:
            return call.error(422, f"Invalid request.\n\n{query[key]!r} is not a valid {key}.")
    if "type" in query and ("visibility" in query or "affiliation" in query):
        return call.error(
            422, "Invalid request.\n\ntype cannot be used with visibility or affiliation."
        )
    affiliations = query.get("affiliation", ",".join(_AFFILIATIONS)).split(",")
    if not set(affiliations) <= set(_AFFILIATIONS):
        return call.error(422, f"Invalid request.\n\n{query['affiliation']!r} is not valid.")
    kind, visibility = query.get("type", "all"), query.get("visibility", "all")

    def kept(repo: FakeRepo, affiliation: str) -> bool:
        if visibility != "all" and repo.private != (visibility == "private"):
            return False
        if kind in ("public", "private") and repo.private != (kind == "private"):
            return False
        if kind == "owner" and affiliation != "owner":
            return False
        if kind == "member" and affiliation == "owner":
            return False
        return affiliation in affiliations

    return kept


def _user_repos(call: Call) -> Reply:
    """GET /user/repos: the repositories of fake.user_repos that the query keeps, each
    with the user's `permissions`; sorted by full_name (ascending by default) or created
    (descending by default); updated and pushed are the same moment for every fake
    repository, so they sort by full_name. GitHub refuses installation tokens here."""
    if call.info.kind == "app":
        return call.error(403, NO_PUSH_MESSAGES["app"])
    kept = _user_repos_kept(call)
    if isinstance(kept, Reply):
        return kept
    paging = _page_params(call)
    if isinstance(paging, Reply):
        return paging
    per_page, page = paging
    sort = (call.query.get("sort") or ["full_name"])[-1]
    default_direction = "asc" if sort == "full_name" else "desc"
    descending = (call.query.get("direction") or [default_direction])[-1] == "desc"
    listed = [
        (repo, push)
        for repo, push, affiliation in call.fake.user_repos(token=call.token)
        if kept(repo, affiliation)
    ]

    def order(entry: tuple[FakeRepo, bool]) -> tuple[Any, ...]:
        repo = entry[0]
        full_name = f"{repo.owner}/{repo.name}".lower()
        if sort == "created":
            return (fake_payloads.repository_created_at(repo=repo), full_name)
        return (full_name,)

    listed.sort(key=order, reverse=descending)
    now = call.fake.now()
    items = [
        fake_payloads.repository(
            api=call.api_base,
            repo=repo,
            now=now,
            api_version=call.api_version,
            full=False,
            permissions={
                "admin": push,
                "maintain": push,
                "push": push,
                "triage": push,
                "pull": True,
            },
        )
        for repo, push in listed[(page - 1) * per_page : page * per_page]
    ]
    last = -(-len(listed) // per_page)
    return Reply(payload=items, headers=_link_header(call, page=page, last=last))


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


def _app_reply(call: Call, answer: tuple[int, Any]) -> Reply:
    status, payload = answer
    return call.error(status, payload) if status >= 400 else Reply(status=status, payload=payload)


def _app_installation(call: Call) -> Reply:
    """GET /app/installations/{id}, with the app's JWT (fake_app.py)."""
    installation_id = int(call.match.group(1))
    answer = call.fake.app_installation_answer(installation_id=installation_id, api=call.api_base)
    return _app_reply(call, answer)


def _app_access_token(call: Call) -> Reply:
    """POST /app/installations/{id}/access_tokens, with the app's JWT (fake_app.py)."""
    return _app_reply(call, call.fake.app_access_token_answer(installation_id=int(call.match[1])))


def _org_membership(call: Call) -> Reply:
    """GET /user/memberships/orgs/{org}: the token's user's membership (fake_app.py)."""
    if call.info.kind == "app":  # an installation token belongs to no user
        return call.error(403, NO_PUSH_MESSAGES["app"])
    org = urllib.parse.unquote(call.match.group(1))
    answer = call.fake.membership_answer(org=org, login=call.info.login, api=call.api_base)
    return _app_reply(call, answer)


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
        "GET /user/repos",
        re.compile(r"^/user/repos$"),
        "https://docs.github.com/rest/repos/repos#list-repositories-for-the-authenticated-user",
        None,
        _user_repos,
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
        "GET /user/memberships/orgs/{org}",
        re.compile(r"^/user/memberships/orgs/([^/]+)$"),
        "https://docs.github.com/rest/orgs/members"
        "#get-an-organization-membership-for-the-authenticated-user",
        None,
        _org_membership,
    ),
    Operation(
        "GET /app/installations/{installation_id}",
        re.compile(r"^/app/installations/(\d+)$"),
        "https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app",
        None,
        _app_installation,
        auth="app",
    ),
    Operation(
        "POST /app/installations/{installation_id}/access_tokens",
        re.compile(r"^/app/installations/(\d+)/access_tokens$"),
        "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app",
        None,
        _app_access_token,
        auth="app",
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


def operation_find(path: str, method: str = "GET") -> tuple[Operation, re.Match[str]] | None:
    """The operation a method and path name. GitHub's paths have no trailing slash: with
    one, or anything else unknown, None (a 404)."""
    for operation in OPERATIONS:
        if not operation.name.startswith(f"{method} "):
            continue
        match = operation.pattern.match(path)
        if match is not None:
            return operation, match
    return None
