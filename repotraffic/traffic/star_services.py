"""Star history from before the first collection, rebuilt once from GitHub's stargazer
list (GET .../stargazers with `starred_at`, oldest first, 100 a page).

Star number i of the list (counting from 1) starred at time t_i, so at the end of the
UTC day of t_i exactly i of today's stargazers had starred, provided the next star
in the list came on a later day. Reading every page gives the whole history. Past the
page budget (TRAFFIC_STARGAZER_PAGES), or past the 400 pages GitHub lists at most
(40,000 stars), pages are read spread evenly over what can be listed, and only the
days they pin down exactly are kept: nothing between them is guessed. Stars after the
40,000th cannot be listed at all; the daily snapshots (RepositorySnapshot) carry the
count from the first collection on.

The list holds today's stargazers only: someone who starred and unstarred is not in
it, so a rebuilt day can be below what GitHub showed on that day. A star removed while
the pages are read shifts the later pages by one; the figures are then off by that one.
"""

import datetime as dt
import logging
import math

from django.conf import settings
from django.db import transaction

from repotraffic.budget.services import backfill_requests_reserve
from repotraffic.integrations.github.client import (
    StargazerList,
    github_stargazers_fetch,
    github_token_key,
)
from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import StarHistory, StarHistoryDay
from repotraffic.traffic.selectors import collections_due_count

logger = logging.getLogger(__name__)

STARGAZERS_PER_PAGE = 100
# GitHub answers 422 past page 400 of the stargazer list, at any page size.
GITHUB_LISTED_PAGES_MAX = 400


def stargazer_pages_total(*, stars_total: int) -> int:
    """The pages of 100 the whole stargazer list has (GitHub lists at most 400)."""
    return math.ceil(stars_total / STARGAZERS_PER_PAGE)


def stargazer_pages_plan(*, stars_total: int, budget: int) -> list[int]:
    """The page numbers to read: every page when they fit the budget, else `budget`
    pages spread evenly from the first to the last page GitHub will list."""
    pages_total = stargazer_pages_total(stars_total=stars_total)
    listed = min(pages_total, GITHUB_LISTED_PAGES_MAX)
    budget = max(1, budget)
    if listed <= budget:
        return list(range(1, listed + 1))
    if budget == 1:
        return [1]
    step = (listed - 1) / (budget - 1)
    return sorted({1 + round(index * step) for index in range(budget)})


def star_history_days(
    *, pages: dict[int, list[dt.datetime]], last_page: int | None
) -> dict[dt.date, int]:
    """The exact end-of-day star counts that the pages read pin down.

    `pages` maps a page number to its stars' times, in the list's order. `last_page` is
    the number of the list's last page when the list ends there (so nothing follows its
    last star), else None."""
    days: dict[dt.date, int] = {}
    numbers = sorted(pages)
    run_starts = [n for n in numbers if n - 1 not in pages]
    for first in run_starts:
        run: list[dt.datetime] = []
        page = first
        while page in pages:
            run.extend(pages[page])
            page += 1
        run_ends_the_list = last_page is not None and page - 1 == last_page
        offset = (first - 1) * STARGAZERS_PER_PAGE
        for position, starred_at in enumerate(run):
            day = starred_at.astimezone(dt.UTC).date()
            if position + 1 < len(run):
                following = run[position + 1].astimezone(dt.UTC).date()
                if following <= day:
                    continue  # more stars that day, maybe on a page not read
            elif not run_ends_the_list:
                continue  # the next star may be on the same day, on a page not read
            days[day] = offset + position + 1
    return days


def star_history_store(
    *,
    repository: Repository,
    days: dict[dt.date, int],
    rebuilt_on: dt.date,
    stars_total: int,
    pages_read: int,
) -> int:
    """Keep a rebuilt history: its days (a day already stored keeps the larger count)
    and how it was rebuilt. Returns the number of days written."""
    pages_total = stargazer_pages_total(stars_total=stars_total)
    with transaction.atomic(savepoint=False):
        if not Repository.objects.select_for_update().filter(id=repository.id).exists():
            return 0  # deleted while we were fetching
        stored = dict(
            StarHistoryDay.objects.filter(repository=repository, date__in=list(days)).values_list(
                "date", "stars"
            )
        )
        rows = [
            StarHistoryDay(repository=repository, date=day, stars=stars)
            for day, stars in sorted(days.items())
            if stars > stored.get(day, -1)
        ]
        StarHistoryDay.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["repository", "date"],
            update_fields=["stars"],
        )
        StarHistory.objects.update_or_create(
            repository=repository,
            defaults={
                "rebuilt_on": rebuilt_on,
                "stars_total": stars_total,
                "pages_total": pages_total,
                "pages_read": pages_read,
                "complete": pages_read == pages_total and pages_total <= GITHUB_LISTED_PAGES_MAX,
            },
        )
    return len(rows)


def star_history_fetch(
    *, repository: Repository, token: str, stars_total: int
) -> StargazerList | None:
    """The pages of the stargazer list the rebuild reads, once: None when the history
    was rebuilt before, or when the token's backfill allowance for the hour cannot pay
    for the pages, or they would take what the daily collections still due on the token
    need (the next collection tries again). Raises GitHubError."""
    if StarHistory.objects.filter(repository=repository).exists():
        return None
    budget = min(settings.TRAFFIC_STARGAZER_PAGES, settings.TRAFFIC_BACKFILL_REQUESTS_PER_HOUR)
    if budget < 1:
        return None  # backfills are turned off
    plan = stargazer_pages_plan(stars_total=stars_total, budget=budget)
    token_key = github_token_key(token=token)
    due = collections_due_count(token_key=token_key, exclude=repository.id)
    if not backfill_requests_reserve(token_key=token_key, requests=len(plan), daily_due=due):
        logger.info("the star history of %s waits for its token's backfill allowance", repository)
        return None
    return github_stargazers_fetch(
        token=token, owner=repository.owner, name=repository.name, pages=plan
    )


def star_history_rebuild_store(
    *, repository: Repository, listing: StargazerList, stars_total: int
) -> int:
    """Keep the history the pages read pin down. `stars_total` is GitHub's
    stargazers_count, from the collection's GET /repos. Returns the days written."""
    pages_total = stargazer_pages_total(stars_total=stars_total)
    # The list ends on the last page read when that page is GitHub's last (fewer than a
    # full page, or the one stargazers_count says is last) and GitHub lists it.
    read = {number: stars for number, stars in listing.pages.items() if stars}
    last_read = max(read, default=None)
    ends = (
        last_read
        if last_read is not None
        and last_read <= GITHUB_LISTED_PAGES_MAX
        and (len(read[last_read]) < STARGAZERS_PER_PAGE or last_read >= pages_total)
        else None
    )
    written = star_history_store(
        repository=repository,
        days=star_history_days(pages=read, last_page=ends),
        rebuilt_on=listing.fetched_on,
        stars_total=stars_total,
        pages_read=len(listing.pages),
    )
    logger.info(
        "rebuilt the star history of %s: %d days from %d of %d pages",
        repository.full_name,
        written,
        len(listing.pages),
        pages_total,
    )
    return written
