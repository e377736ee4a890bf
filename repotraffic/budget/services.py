"""Budgets of GitHub requests per token, shared by every worker through the database.

GitHub gives a token 5,000 requests an hour. The daily collection of a repository needs
about six a day; a backfill (the star history a first collection rebuilds) can need
many more at once. Backfills may spend TRAFFIC_BACKFILL_REQUESTS_PER_HOUR of a token's
hour, counted across every process, so a user adding hundreds of repositories at once
never starves the daily collections of the others on the same token."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from repotraffic.budget.models import TokenSpend

# Rows older than this are of no use: deleted as new hours begin.
_KEEP = dt.timedelta(days=2)


def _hour_start(*, now: dt.datetime | None) -> dt.datetime:
    """The start of the UTC hour `now` (default: the present) falls in."""
    return (now or timezone.now()).astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def backfill_requests_reserve(
    *, token_key: str, requests: int, now: dt.datetime | None = None
) -> bool:
    """Reserves `requests` of the current hour's backfill allowance for the token: all of
    them, or none (False) when they do not fit. One conditional UPDATE decides, so two
    processes can never both take the last of the allowance."""
    allowance = int(settings.TRAFFIC_BACKFILL_REQUESTS_PER_HOUR)
    if requests <= 0:
        return True
    if requests > allowance:
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
