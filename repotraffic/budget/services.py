"""Budgets of GitHub requests per token, shared by every worker through the database.

GitHub gives a token 5,000 requests an hour. The daily collection of a repository needs
DAILY_REQUESTS; a backfill (the star history a first collection rebuilds) can need many
more at once, and a first collection a few more. Neither may eat what the daily
collection needs (`daily_budget_spare`): what the token has left of its hour (its gate
knows it from GitHub's X-RateLimit-Remaining), less GITHUB_RATE_LIMIT_RESERVE, less
DAILY_REQUESTS for each repository the token still has to collect today, must pay for
it, or it waits. Backfills may besides spend no more than
TRAFFIC_BACKFILL_REQUESTS_PER_HOUR of a token's hour, counted across every process, so
a user adding hundreds of repositories at once never starves the daily collections of
the others on the same token."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from repotraffic.budget.gates import token_gate
from repotraffic.budget.models import TokenSpend

# What the daily collection of a repository asks GitHub: the repository, views, clones,
# referrers, paths and releases (bench/bench_collection.py measures it).
DAILY_REQUESTS = 6

# Rows older than this are of no use: deleted as new hours begin.
_KEEP = dt.timedelta(days=2)


def _hour_start(*, now: dt.datetime | None) -> dt.datetime:
    """The start of the UTC hour `now` (default: the present) falls in."""
    return (now or timezone.now()).astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class DailySpare:
    """Whether `requests` beyond the daily collection fit in the token's hour, and if not,
    when its hour resets (epoch seconds)."""

    fits: bool
    reset: float | None = None


def daily_budget_spare(
    *, token_key: str, requests: int, daily_due: int, now: dt.datetime | None = None
) -> DailySpare:
    """Whether the token can spend `requests` on work other than the daily collection
    (a first collection, a backfill) this hour without taking what the daily collection
    still needs: `daily_due` repositories, DAILY_REQUESTS each, and
    GITHUB_RATE_LIMIT_RESERVE for people waiting. Before GitHub has said what is left of
    the hour (a new token, an hour just reset) it fits: the first answers tell."""
    epoch = (now or timezone.now()).timestamp()
    states = token_gate().token_states(now=epoch, token_keys=[token_key])
    remaining = states[0].remaining if states else None
    if remaining is None:
        return DailySpare(fits=True)
    held = max(0, int(settings.GITHUB_RATE_LIMIT_RESERVE)) + DAILY_REQUESTS * max(0, daily_due)
    if remaining - held >= requests:
        return DailySpare(fits=True)
    return DailySpare(fits=False, reset=states[0].reset)


def backfill_requests_reserve(
    *, token_key: str, requests: int, daily_due: int = 0, now: dt.datetime | None = None
) -> bool:
    """Reserves `requests` of the current hour's backfill allowance for the token: all of
    them, or none (False) when they do not fit, or when they would take what the daily
    collection of `daily_due` repositories still needs (daily_budget_spare). One
    conditional UPDATE decides, so two processes can never both take the last of the
    allowance."""
    allowance = int(settings.TRAFFIC_BACKFILL_REQUESTS_PER_HOUR)
    if requests <= 0:
        return True
    if requests > allowance:
        return False
    if not daily_budget_spare(
        token_key=token_key, requests=requests, daily_due=daily_due, now=now
    ).fits:
        return False
    hour = _hour_start(now=now)
    spends = TokenSpend.objects.filter(token_key=token_key, hour=hour)
    if not spends.exists():
        try:
            with transaction.atomic():
                TokenSpend.objects.create(token_key=token_key, hour=hour)
        except IntegrityError:
            pass  # another process created the hour's row first
        TokenSpend.objects.filter(hour__lt=hour - _KEEP).delete()
    taken = spends.filter(backfill_requests__lte=allowance - requests).update(
        backfill_requests=F("backfill_requests") + requests
    )
    return taken == 1


def backfill_requests_spent(*, token_key: str, now: dt.datetime | None = None) -> int:
    """The backfill requests the token has reserved this hour."""
    hour = _hour_start(now=now)
    spent = (
        TokenSpend.objects.filter(token_key=token_key, hour=hour)
        .values_list("backfill_requests", flat=True)
        .first()
    )
    return spent or 0
