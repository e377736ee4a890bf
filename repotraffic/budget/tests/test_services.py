import datetime as dt

import pytest

from repotraffic.budget.models import TokenSpend
from repotraffic.budget.services import backfill_requests_reserve, backfill_requests_spent

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 12, 22, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def allowance(settings):
    settings.TRAFFIC_BACKFILL_REQUESTS_PER_HOUR = 25


def test_reservations_add_up_to_the_hours_allowance_and_no_further() -> None:
    granted = [backfill_requests_reserve(token_key="a", requests=10, now=NOW) for _ in range(3)]

    assert granted == [True, True, False]
    assert backfill_requests_spent(token_key="a", now=NOW) == 20
    # What is left still fits a smaller reservation: all or none, never a part.
    assert backfill_requests_reserve(token_key="a", requests=5, now=NOW)
    assert not backfill_requests_reserve(token_key="a", requests=1, now=NOW)


def test_each_token_has_its_own_allowance() -> None:
    assert backfill_requests_reserve(token_key="a", requests=25, now=NOW)

    assert backfill_requests_reserve(token_key="b", requests=25, now=NOW)
    assert not backfill_requests_reserve(token_key="a", requests=1, now=NOW)


def test_the_allowance_comes_back_with_the_next_hour() -> None:
    assert backfill_requests_reserve(token_key="a", requests=25, now=NOW)

    assert not backfill_requests_reserve(token_key="a", requests=1, now=NOW.replace(minute=59))
    assert backfill_requests_reserve(token_key="a", requests=25, now=NOW.replace(hour=23, minute=0))


def test_more_than_an_hours_allowance_never_fits(settings) -> None:
    assert not backfill_requests_reserve(token_key="a", requests=26, now=NOW)
    settings.TRAFFIC_BACKFILL_REQUESTS_PER_HOUR = 0
    assert not backfill_requests_reserve(token_key="a", requests=1, now=NOW)
    assert backfill_requests_spent(token_key="a", now=NOW) == 0


def test_hours_older_than_two_days_are_forgotten() -> None:
    backfill_requests_reserve(token_key="a", requests=1, now=NOW - dt.timedelta(days=3))

    backfill_requests_reserve(token_key="a", requests=1, now=NOW)

    assert list(TokenSpend.objects.values_list("hour", flat=True)) == [NOW.replace(minute=0)]


class TestDailyBudgetSpare:
    """What a token's hour can spare beside the daily collection: GitHub's remaining
    count (at the gate), less the reserve for people waiting, less six requests for each
    repository still due on the token."""

    @pytest.fixture
    def hour_left(self, settings):
        from repotraffic.budget.gates import token_gate
        from repotraffic.budget.tests.helpers import gate_hour_set

        settings.GITHUB_RATE_LIMIT_RESERVE = 100
        yield lambda key, remaining: gate_hour_set(token_key=key, remaining=remaining)
        token_gate().clear()

    def test_what_the_daily_collection_needs_is_not_spared(self, hour_left) -> None:
        from repotraffic.budget.services import DAILY_REQUESTS, daily_budget_spare

        reset = hour_left("a", 100 + 10 * DAILY_REQUESTS + 8)

        assert daily_budget_spare(token_key="a", requests=8, daily_due=10).fits
        short = daily_budget_spare(token_key="a", requests=9, daily_due=10)
        assert (short.fits, short.reset) == (False, reset)
        assert daily_budget_spare(token_key="a", requests=8 + DAILY_REQUESTS, daily_due=9).fits

    def test_a_token_github_has_said_nothing_of_yet_spares(self, hour_left) -> None:
        from repotraffic.budget.services import daily_budget_spare

        hour_left("a", 0)

        assert daily_budget_spare(token_key="b", requests=500, daily_due=1000).fits

    def test_a_backfill_never_takes_what_the_daily_collection_needs(
        self, hour_left, settings
    ) -> None:
        settings.TRAFFIC_BACKFILL_REQUESTS_PER_HOUR = 400
        hour_left("a", 100 + 50 * 6 + 20)

        assert not backfill_requests_reserve(token_key="a", requests=21, daily_due=50)
        assert backfill_requests_spent(token_key="a") == 0  # nothing taken on a refusal
        assert backfill_requests_reserve(token_key="a", requests=20, daily_due=50)
