"""The GitHub layer, measured against the fake GitHub: PyGithub used as its authors
designed it versus repotraffic's thin client (httpx plus pydantic), doing the same work
for each repository, and what each does with a rate limit.

    .venv/bin/python bench/bench_github_layer.py
        [--repositories 200] [--latency-ms 20] [--throttled-repositories 20]
        [--rate-limit-wait 5] [--rounds 3]

The work per repository, 7 requests when nothing is wasted: the repository (access and
counts), daily views and clones, the top referrers and paths, page 1 of the releases
and page 1 of the stargazers with their dates; each answer's Date header and the
stargazer list's Link header are read where the layer gives them. The fake runs in its
own process, so the CPU time measured (`time.process_time`) is the client's alone;
requests are the fake's count, connections the `socket.connect` calls in this process.

Layers:
- "pygithub": `Github(auth=Auth.Token, base_url, retry=GithubRetry(), lazy=True,
  per_page=100)` and its objects (`get_repo`, `get_views_traffic`, ...), public API only,
  with PyGithub's default pacing of 0.25 s between requests, over the first
  --throttled-repositories repositories (the pacing makes all 200 take minutes).
- "pygithub-unpaced": the same with `seconds_between_requests=None`.
- "thin": repotraffic's client.py functions.

Then the rate-limit probe, against a fake in this process (faults are injected through
its Python API): one request meets a primary rate limit resetting in --rate-limit-wait
seconds, then a secondary one with Retry-After; for each layer, how long the call took,
whether the wait happened inside urllib3 (`urllib3.util.retry.Retry.sleep`) or in
repotraffic's code, and whether the caller could bound it.

PyGithub's stargazers read no `starred_at` here: it asks for the media type
application/vnd.github.v3.star+json, which GitHub accepts and the fake does not.

Targets (the exit status is 1 when the thin client misses one): 7 requests a repository,
one connection for the whole run, every answer dated, and every rate-limit wait in
repotraffic's code and within the caller's bound.
"""

import argparse
import datetime as dt
import socket
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_collection import fake_control, fake_github
from common import production_env, workdir

TOKEN = "bench-layer-token"  # known to the throwaway fake only
OWNER = "org"
REQUESTS_PER_REPOSITORY = 7


@contextmanager
def connections_counted() -> Iterator[dict[str, int]]:
    """Counts the TCP connections this process opens (both layers go through
    socket.socket.connect: urllib3 and httpcore alike)."""
    counted = {"connections": 0}
    real_connect = socket.socket.connect

    def counting_connect(sock: socket.socket, address: Any) -> None:
        counted["connections"] += 1
        real_connect(sock, address)

    socket.socket.connect = counting_connect  # type: ignore[method-assign]
    try:
        yield counted
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]


def pygithub_work(*, base: str, paced: bool) -> tuple[Callable[[str], dict[str, Any]], Any]:
    """One Github instance for the whole run, as its documentation has it."""
    from github import Auth, Github, GithubRetry

    pacing = {} if paced else {"seconds_between_requests": None}
    github = Github(
        auth=Auth.Token(TOKEN),
        base_url=base,
        retry=GithubRetry(),
        lazy=True,
        per_page=100,
        **pacing,
    )

    def work(name: str) -> dict[str, Any]:
        repo = github.get_repo(f"{OWNER}/{name}")
        stars = repo.stargazers_count  # completes the lazy object: GET /repos/{o}/{n}
        views = repo.get_views_traffic(per="day")
        clones = repo.get_clones_traffic(per="day")
        referrers = repo.get_top_referrers() or []
        paths = repo.get_top_paths() or []
        repo.get_releases().get_page(0)
        stargazers = repo.get_stargazers_with_dates().get_page(0)
        # Headers only through each object's raw_headers: none for an empty list, and a
        # lazy GitRelease would fetch itself again to give them (so it is not asked).
        dated = [repo, views, clones, *referrers[:1], *paths[:1], *stargazers[:1]]
        return {
            "stars": stars,
            "days": len(views.views) + len(clones.clones),
            "dates": sum(1 for item in dated if "date" in item.raw_headers),
            "answers": 7,
            "starred_at": sum(1 for star in stargazers if star.starred_at is not None),
            "stargazers": len(stargazers),
            "link": any("link" in star.raw_headers for star in stargazers[:1]),
        }

    return work, github


def thin_work(*, base: str) -> tuple[Callable[[str], dict[str, Any]], None]:
    from repotraffic.integrations.github import client

    def work(name: str) -> dict[str, Any]:
        info = client.github_repository_get(token=TOKEN, owner=OWNER, name=name)
        window = client.github_traffic_fetch(token=TOKEN, owner=OWNER, name=name)
        client.github_popular_fetch(token=TOKEN, owner=OWNER, name=name)
        client.github_releases_fetch(token=TOKEN, owner=OWNER, name=name, max_pages=1)
        stars = client.github_stargazers_fetch(token=TOKEN, owner=OWNER, name=name, pages=[1])
        return {
            "stars": info.stars,
            "days": len(window.views) + len(window.clones),
            "dates": 7,  # every answer is dated by its Date header, an empty list's too
            "answers": 7,
            "starred_at": len(stars.pages.get(1, [])),
            "stargazers": len(stars.pages.get(1, [])),
            "link": stars.total_pages is not None,
        }

    return work, None


def layer_run(
    *, layer: str, base: str, names: list[str], build: Callable[[], tuple[Any, Any]]
) -> dict[str, Any]:
    fake_control(base, {"reset_requests": True})
    work, keep = build()
    with connections_counted() as counted:
        results = []
        wall, cpu = time.perf_counter(), time.process_time()
        for name in names:
            results.append(work(name))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if keep is not None:
        keep.close()
    requests = fake_control(base)["total_requests"]
    n = len(names)
    return {
        "layer": layer,
        "repositories": n,
        "wall_ms": 1000 * wall / n,
        "cpu_ms": 1000 * cpu / n,
        "requests": requests / n,
        "connections": counted["connections"] / n,
        "dated": sum(r["dates"] for r in results) / sum(r["answers"] for r in results),
        "starred_at": sum(r["starred_at"] for r in results),
        "stargazers": sum(r["stargazers"] for r in results),
        "link": sum(1 for r in results if r["link"]) / n,
    }


@contextmanager
def retry_sleeps_recorded() -> Iterator[list[tuple[str, float]]]:
    """Where each wait of a rate-limit probe happened: urllib3's Retry.sleep (inside
    PyGithub's transport) or repotraffic's client._sleep."""
    from urllib3.util.retry import Retry

    from repotraffic.integrations.github import client

    waits: list[tuple[str, float]] = []
    real_retry_sleep, real_client_sleep = Retry.sleep, client._sleep

    def retry_sleep(self: Retry, response: Any = None) -> None:
        started = time.perf_counter()
        real_retry_sleep(self, response)
        waits.append(("urllib3 Retry.sleep", time.perf_counter() - started))

    def client_sleep(seconds: float) -> None:
        started = time.perf_counter()
        real_client_sleep(seconds)
        waits.append(("repotraffic client._sleep", time.perf_counter() - started))

    Retry.sleep = retry_sleep  # type: ignore[method-assign]
    client._sleep = client_sleep
    try:
        yield waits
    finally:
        Retry.sleep = real_retry_sleep  # type: ignore[method-assign]
        client._sleep = real_client_sleep


def rate_limit_probe(*, wait: int) -> list[dict[str, Any]]:
    """Each layer meets a primary limit resetting in `wait` s, then a secondary limit with
    Retry-After `wait` s; and the same with the caller's bound below `wait`."""
    from django.conf import settings
    from github import Auth, Github, GithubException, GithubRetry

    from repotraffic.integrations.github import client
    from repotraffic.integrations.github.fake import FakeGitHub

    rows = []
    with FakeGitHub() as fake:
        fake.add_token(TOKEN, login="bench")
        fake.add_repo(OWNER, "probe")
        settings.GITHUB_API_URL = fake.url

        def pygithub(bound: float | None) -> Any:
            github = Github(
                auth=Auth.Token(TOKEN),
                base_url=fake.url,
                retry=GithubRetry(max_rate_limit_wait=bound, secondary_rate_wait=wait),
                lazy=True,
                seconds_between_requests=None,
            )
            try:
                return github.get_repo(f"{OWNER}/probe").get_views_traffic(per="day")
            finally:
                github.close()

        def thin(bound: float | None) -> Any:
            settings.GITHUB_RATE_LIMIT_MAX_WAIT = 60 if bound is None else bound
            client.github_rate_limit_blocks_clear()
            return client.github_traffic_fetch(token=TOKEN, owner=OWNER, name="probe")

        limits = {
            "primary, reset in": ("primary_rate_limit", {"reset_in": wait}),
            "secondary, Retry-After": ("secondary_rate_limit", {"retry_after": wait}),
        }
        for layer, call in (("pygithub", pygithub), ("thin", thin)):
            for limit, (kind, options) in limits.items():
                for bound in (None, wait / 2):
                    fake.clear_faults()
                    fake.inject_fault(kind, path="views", status=403, **options)
                    fake.reset_requests()
                    with retry_sleeps_recorded() as waits:
                        started = time.perf_counter()
                        try:
                            call(bound)
                            outcome = "answered"
                        except (GithubException, client.GitHubError) as exc:
                            outcome = f"raised {type(exc).__name__}"
                        took = time.perf_counter() - started
                    rows.append(
                        {
                            "layer": layer,
                            "limit": f"{limit} {wait} s",
                            "bound": "none" if bound is None else f"{bound:g} s",
                            "took": took,
                            "outcome": outcome,
                            "requests": sum(
                                count
                                for path, count in fake.request_counts().items()
                                if path.endswith("/views")
                            ),
                            "waits": waits,
                        }
                    )
    return rows


def thin_problems(*, run: dict[str, Any], probe: list[dict[str, Any]]) -> list[str]:
    problems = []
    if run["requests"] != REQUESTS_PER_REPOSITORY:
        problems.append(f"{run['requests']:.2f} requests a repository")
    if run["connections"] * run["repositories"] > 1:
        problems.append(f"{run['connections'] * run['repositories']:.0f} connections")
    if run["dated"] < 1 or run["starred_at"] != run["stargazers"]:
        problems.append("an answer without its date or a star without its time")
    for row in (row for row in probe if row["layer"] == "thin"):
        if any(where != "repotraffic client._sleep" for where, _ in row["waits"]):
            problems.append(f"a wait outside repotraffic's code: {row}")
        if row["bound"] != "none" and row["waits"]:
            problems.append(f"a wait beyond the caller's bound: {row}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repositories", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--throttled-repositories", type=int, default=20)
    parser.add_argument("--rate-limit-wait", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="of the unpaced layers")
    args = parser.parse_args()

    warnings.simplefilter("ignore", DeprecationWarning)
    names = [f"repo-{i}" for i in range(args.repositories)]
    with workdir() as path:
        env = production_env(path)
        from django.conf import settings

        settings.configure(
            GITHUB_TIMEOUT=30, GITHUB_MAX_RETRIES=3, GITHUB_RETRY_BACKOFF=1.0,
            GITHUB_RATE_LIMIT_MAX_WAIT=60,
        )  # fmt: skip
        # Enough for every run: the fake's limit is not what is measured.
        rate_limit = (2 * args.rounds + 1) * REQUESTS_PER_REPOSITORY * args.repositories + 1000
        with fake_github(env, latency_ms=args.latency_ms, rate_limit=rate_limit) as base:
            fake_control(
                base,
                {
                    "tokens": [{"token": TOKEN, "login": "bench"}],
                    "repos": [{"owner": OWNER, "name": name} for name in names],
                },
            )
            settings.GITHUB_API_URL = base
            runs = [
                layer_run(
                    layer="pygithub (0.25 s pacing, its default)",
                    base=base,
                    names=names[: args.throttled_repositories],
                    build=lambda: pygithub_work(base=base, paced=True),
                )
            ]
            # Rounds interleave the two, so that a busy neighbour slows both alike.
            builds = {
                "pygithub-unpaced": lambda: pygithub_work(base=base, paced=False),
                "thin": lambda: thin_work(base=base),
            }
            rounds: dict[str, list[dict[str, Any]]] = {layer: [] for layer in builds}
            for _ in range(args.rounds):
                for layer, build in builds.items():
                    rounds[layer].append(
                        layer_run(layer=layer, base=base, names=names, build=build)
                    )
            runs += [
                {
                    **measured[-1],
                    "wall_ms": statistics.median(run["wall_ms"] for run in measured),
                    "cpu_ms": statistics.median(run["cpu_ms"] for run in measured),
                }
                for measured in rounds.values()
            ]
        probe = rate_limit_probe(wait=args.rate_limit_wait)

    print(
        f"{dt.date.today()}: {args.repositories} repositories, fake GitHub at "
        f"{args.latency_ms:g} ms a request in its own process, one thread; wall and CPU: "
        f"the median of {args.rounds} rounds (the paced layer: one)\n"
    )
    print(
        "| layer | repositories | wall ms/repo | CPU ms/repo | requests/repo | "
        "connections/repo | answers with a Date | starred_at read | Link read |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        print(
            f"| {run['layer']} | {run['repositories']} | {run['wall_ms']:.1f} "
            f"| {run['cpu_ms']:.2f} | {run['requests']:.2f} | {run['connections']:.3f} "
            f"| {run['dated']:.0%} | {run['starred_at']}/{run['stargazers']} "
            f"| {run['link']:.0%} |"
        )
    print(
        "\n| layer | rate limit | caller's bound | call took s | outcome | requests to views "
        "| waits |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in probe:
        waits = "; ".join(f"{where} {seconds:.1f} s" for where, seconds in row["waits"]) or "none"
        print(
            f"| {row['layer']} | {row['limit']} | {row['bound']} | {row['took']:.1f} "
            f"| {row['outcome']} | {row['requests']} | {waits} |"
        )
    problems = thin_problems(run=runs[-1], probe=probe)
    print("\n" + ("\n".join(problems) if problems else "thin client: every target met"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
