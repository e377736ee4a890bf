"""The fake GitHub's JSON objects in GitHub's spelling: users, repositories, releases and
stargazers, with every field GitHub's REST description requires (tests/
github_rest_schemas.json holds the schemas they are checked against). `api` is the
fake's own address, as GitHub writes api.github.com into its links.
"""

import datetime as dt
from typing import Any

from repotraffic.integrations.github import fake_activity
from repotraffic.integrations.github.fake_state import EPOCH, FakeRelease, FakeRepo

GITHUB_WEB = "https://github.com"
DEFAULT_API_VERSION = "2022-11-28"


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_simple(*, api: str, login: str, kind: str = "User") -> dict[str, Any]:
    """A user (or an organization) as lists and other objects show one."""
    user_id = fake_activity.number_id("user", login.lower())
    url = f"{api}/users/{login}"
    return {
        "login": login,
        "id": user_id,
        "node_id": f"U_{user_id:x}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{GITHUB_WEB}/{login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": kind,
        "site_admin": False,
    }


def user_public(*, api: str, login: str) -> dict[str, Any]:
    """GET /user for a token without the `user` scope (repotraffic's tokens): the public
    profile. The description forbids any field beyond public-user's."""
    return {
        **user_simple(api=api, login=login),
        "name": None,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "public_repos": 3,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": timestamp(EPOCH - dt.timedelta(days=1000)),
        "updated_at": timestamp(EPOCH),
    }


def repository_created_at(*, repo: FakeRepo) -> dt.datetime:
    """When the repository was created at GitHub: as added, else 30 days before its first
    star (and before the fake's first day)."""
    if repo.created_at is not None:
        return repo.created_at
    stars = fake_activity.stars_get(
        owner=repo.owner, name=repo.name, initial=repo.stars, profile=repo.profile
    )
    return min(EPOCH, stars.star_time(1)) - dt.timedelta(days=30)


def repository(
    *,
    api: str,
    repo: FakeRepo,
    now: dt.datetime,
    api_version: str,
    full: bool,
    permissions: dict[str, bool] | None,
) -> dict[str, Any]:
    """GET /repos/{owner}/{repo} (`full`: full-repository) or an item of a repository
    list (repository). `permissions` is left out where GitHub leaves it out."""
    full_name = f"{repo.owner}/{repo.name}"
    url = f"{api}/repos/{full_name}"
    html_url = f"{GITHUB_WEB}/{full_name}"
    repo_id = fake_activity.repository_id(owner=repo.owner, name=repo.name)
    stars = fake_activity.stars_get(
        owner=repo.owner, name=repo.name, initial=repo.stars, profile=repo.profile
    )
    counts = fake_activity.repository_counts(owner=repo.owner, name=repo.name, stars=stars, now=now)
    created = repository_created_at(repo=repo)
    updated = timestamp(now.replace(minute=0, second=0, microsecond=0))
    payload: dict[str, Any] = {
        "id": repo_id,
        "node_id": f"R_{repo_id:x}",
        "name": repo.name,
        "full_name": full_name,
        "owner": user_simple(api=api, login=repo.owner, kind="Organization"),
        "private": repo.private,
        "html_url": html_url,
        "description": None,
        "fork": False,
        "url": url,
        **{f"{key}_url": f"{url}/{path}" for key, path in _REPOSITORY_LINKS.items()},
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{html_url}.git",
        "svn_url": html_url,
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "size": 100 + repo_id % 20_000,
        "default_branch": "main",
        "has_issues": True,
        "has_projects": True,
        "has_wiki": True,
        "has_pages": False,
        "archived": False,
        "disabled": False,
        "license": None,
        "forks": counts["forks_count"],
        "open_issues": counts["open_issues_count"],
        "watchers": counts["watchers_count"],
        **{key: value for key, value in counts.items() if key != "subscribers_count"},
        "created_at": timestamp(created),
        "updated_at": updated,
        "pushed_at": updated,
    }
    if api_version == DEFAULT_API_VERSION:  # 2026-03-10 removed it
        payload["has_downloads"] = True
    if full:
        payload["has_discussions"] = False
        payload["network_count"] = counts["forks_count"]
        payload["subscribers_count"] = counts["subscribers_count"]
    if permissions is not None:
        payload["permissions"] = permissions
    return payload


_REPOSITORY_LINKS = {
    "archive": "{archive_format}{/ref}",
    "assignees": "assignees{/user}",
    "blobs": "git/blobs{/sha}",
    "branches": "branches{/branch}",
    "collaborators": "collaborators{/collaborator}",
    "comments": "comments{/number}",
    "commits": "commits{/sha}",
    "compare": "compare/{base}...{head}",
    "contents": "contents/{+path}",
    "contributors": "contributors",
    "deployments": "deployments",
    "downloads": "downloads",
    "events": "events",
    "forks": "forks",
    "git_commits": "git/commits{/sha}",
    "git_refs": "git/refs{/sha}",
    "git_tags": "git/tags{/sha}",
    "hooks": "hooks",
    "issue_comment": "issues/comments{/number}",
    "issue_events": "issues/events{/number}",
    "issues": "issues{/number}",
    "keys": "keys{/key_id}",
    "labels": "labels{/name}",
    "languages": "languages",
    "merges": "merges",
    "milestones": "milestones{/number}",
    "notifications": "notifications{?since,all,participating}",
    "pulls": "pulls{/number}",
    "releases": "releases{/id}",
    "stargazers": "stargazers",
    "statuses": "statuses/{sha}",
    "subscribers": "subscribers",
    "subscription": "subscription",
    "tags": "tags",
    "teams": "teams",
    "trees": "git/trees{/sha}",
}


def stargazer(*, api: str, stars: fake_activity.Stars, index: int, with_time: bool) -> Any:
    """Star number `index`: its user, or {starred_at, user} for the star+json media type."""
    user = user_simple(api=api, login=f"stargazer{index}")
    if not with_time:
        return user
    return {"starred_at": timestamp(stars.star_time(index)), "user": user}


def release(*, api: str, repo: FakeRepo, release: FakeRelease, now: dt.datetime) -> dict[str, Any]:
    full_name = f"{repo.owner}/{repo.name}"
    url = f"{api}/repos/{full_name}"
    release_id = fake_activity.number_id("release", full_name.lower(), release.tag)
    author = user_simple(api=api, login=repo.owner)
    return {
        "url": f"{url}/releases/{release_id}",
        "html_url": f"{GITHUB_WEB}/{full_name}/releases/tag/{release.tag}",
        "assets_url": f"{url}/releases/{release_id}/assets",
        "upload_url": f"https://uploads.github.com/repos/{full_name}/releases/{release_id}"
        "/assets{?name,label}",
        "tarball_url": f"{url}/tarball/{release.tag}",
        "zipball_url": f"{url}/zipball/{release.tag}",
        "id": release_id,
        "node_id": f"RE_{release_id:x}",
        "tag_name": release.tag,
        "target_commitish": "main",
        "name": release.tag,
        "draft": False,
        "prerelease": False,
        "created_at": timestamp(release.published_at - dt.timedelta(hours=1)),
        "published_at": timestamp(release.published_at),
        "author": author,
        "assets": [
            _asset(api=api, repo=repo, release=release, asset=asset, uploader=author, now=now)
            for asset in release.assets
        ],
    }


def _asset(
    *,
    api: str,
    repo: FakeRepo,
    release: FakeRelease,
    asset: str,
    uploader: dict[str, Any],
    now: dt.datetime,
) -> dict[str, Any]:
    full_name = f"{repo.owner}/{repo.name}"
    where = {"owner": repo.owner, "name": repo.name, "tag": release.tag, "asset": asset}
    asset_id = fake_activity.number_id("asset", full_name.lower(), release.tag, asset)
    uploaded = timestamp(release.published_at - dt.timedelta(minutes=10))
    return {
        "url": f"{api}/repos/{full_name}/releases/assets/{asset_id}",
        "browser_download_url": f"{GITHUB_WEB}/{full_name}/releases/download/{release.tag}/{asset}",
        "id": asset_id,
        "node_id": f"RA_{asset_id:x}",
        "name": asset,
        "label": "",
        "state": "uploaded",
        "content_type": "application/gzip" if asset.endswith(".gz") else "application/octet-stream",
        "size": fake_activity.asset_size(**where),
        "digest": fake_activity.asset_digest(**where),
        "download_count": fake_activity.asset_downloads(
            **where, published_at=release.published_at, now=now, profile=repo.profile
        ),
        "created_at": uploaded,
        "updated_at": uploaded,
        "uploader": uploader,
    }
