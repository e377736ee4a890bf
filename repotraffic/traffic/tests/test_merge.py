import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from repotraffic.integrations.github.client import TrafficBucket, TrafficWindow
from repotraffic.traffic.merge import DayFigures, traffic_merge, traffic_window_days

D = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def fold(stored: dict, reported: dict) -> dict:
    return {**stored, **traffic_merge(stored=stored, reported=reported)}


class TestRuleByExample:
    def test_newest_figure_wins_for_a_day_inside_the_window(self):
        stored = {day(5): DayFigures(10, 5, 2, 1)}
        reported = {day(1): DayFigures(1, 1, 0, 0), day(5): DayFigures(8, 4, 1, 1)}

        assert fold(stored, reported)[day(5)] == DayFigures(8, 4, 1, 1)

    def test_the_oldest_bucket_never_lowers_a_stored_value(self):
        # 73 yesterday, 18 now that the rolling window cut the day short.
        stored = {day(1): DayFigures(73, 20, 3, 2)}
        reported = {day(1): DayFigures(18, 25, 0, 0), day(2): DayFigures(4, 2, 0, 0)}

        assert fold(stored, reported)[day(1)] == DayFigures(73, 25, 3, 2)

    def test_the_oldest_bucket_raises_a_lower_stored_value(self):
        stored = {day(1): DayFigures(5, 1, 0, 0)}
        reported = {day(1): DayFigures(9, 3, 0, 0), day(2): DayFigures(1, 1, 0, 0)}

        assert fold(stored, reported)[day(1)] == DayFigures(9, 3, 0, 0)

    def test_a_day_missing_from_the_response_is_kept(self):
        stored = {day(3): DayFigures(7, 3, 1, 1)}
        reported = {day(2): DayFigures(1, 1, 0, 0), day(4): DayFigures(2, 1, 0, 0)}

        assert fold(stored, reported)[day(3)] == DayFigures(7, 3, 1, 1)

    def test_an_empty_response_changes_nothing(self):
        assert traffic_merge(stored={day(1): DayFigures(1, 1, 1, 1)}, reported={}) == {}

    def test_unchanged_days_are_not_rewritten(self):
        stored = {day(1): DayFigures(1, 1, 0, 0), day(2): DayFigures(2, 1, 0, 0)}
        reported = {day(1): DayFigures(1, 1, 0, 0), day(2): DayFigures(3, 1, 0, 0)}

        assert traffic_merge(stored=stored, reported=reported) == {day(2): DayFigures(3, 1, 0, 0)}

    def test_a_metric_left_out_for_a_reported_day_is_zero(self):
        window = TrafficWindow(
            views=[TrafficBucket(day=day(n), count=5, uniques=2) for n in (1, 2, 3)],
            clones=[TrafficBucket(day=day(n), count=3, uniques=1) for n in (1, 3)],
        )

        assert traffic_window_days(window=window)[day(2)] == DayFigures(
            views=5, unique_views=2, clones=0, unique_clones=0
        )

    def test_requests_straddling_midnight_keep_what_the_other_window_cannot_see(self):
        # Views asked at 23:59 (window day 0..14), clones at 00:01 (day 1..15).
        window = TrafficWindow(
            views=[TrafficBucket(day=day(n), count=10, uniques=4) for n in range(0, 15)],
            clones=[TrafficBucket(day=day(n), count=2, uniques=1) for n in range(1, 16)],
        )
        stored = {
            day(0): DayFigures(50, 20, 7, 3),  # day 0 is outside the clones window
            day(1): DayFigures(10, 4, 9, 4),  # the clones window's cut-short oldest day
        }

        merged = fold(stored, traffic_window_days(window=window))

        assert merged[day(0)] == DayFigures(50, 20, 7, 3)  # views' oldest: never lowered
        assert merged[day(1)] == DayFigures(10, 4, 9, 4)  # clones' oldest: never lowered
        assert merged[day(15)] == DayFigures(0, 0, 2, 1)  # views had not reached it yet


# --- Property-based: a model of GitHub's windows, independent of the fake ----------

DAY_SECONDS = 86400
WINDOW = 15  # today-14 .. today


def share(now: dt.datetime, of: dt.date) -> tuple[int, int]:
    elapsed = now.hour * 3600 + now.minute * 60 + now.second
    age = (now.date() - of).days
    if age == 0:
        return elapsed * 9, DAY_SECONDS * 10  # in progress, and GitHub lags a little
    if age == 1 and elapsed < 6 * 3600:
        return 9, 10  # revised upward later
    if age == WINDOW - 1:
        return DAY_SECONDS - elapsed, DAY_SECONDS  # cut short by the rolling window
    return (1, 1) if 0 < age < WINDOW else (0, 1)


def github_window(truth: dict, now: dt.datetime) -> dict[dt.date, DayFigures]:
    views, clones = [], []
    for age in range(WINDOW - 1, -1, -1):
        of = now.date() - dt.timedelta(days=age)
        n, d = share(now, of)
        v, uv, c, uc = truth.get(of, (0, 0, 0, 0))
        if v * n // d:
            views.append(TrafficBucket(of, v * n // d, min(max(uv * n // d, 1), v * n // d)))
        if c * n // d:
            clones.append(TrafficBucket(of, c * n // d, min(max(uc * n // d, 1), c * n // d)))
    return traffic_window_days(window=TrafficWindow(views=views, clones=clones))


def figures(rng: random.Random) -> tuple[int, int, int, int]:
    views = rng.choice([0, 0, 1, 2, rng.randint(0, 500)])
    clones = rng.choice([0, 0, 1, rng.randint(0, 50)])
    return views, rng.randint(min(1, views), views), clones, rng.randint(min(1, clones), clones)


@st.composite
def histories(draw):
    # Hypothesis explores the timing of fetches; the traffic itself comes from a seed.
    rng = random.Random(draw(st.integers(0, 2**32)))
    truth = {day(n): figures(rng) for n in range(-20, 140)}
    fetches = []
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    for _ in range(draw(st.integers(1, 25))):
        # Gaps: several fetches a day, a day apart, or long outages.
        at += dt.timedelta(seconds=draw(st.integers(0, 5 * DAY_SECONDS)))
        fetches.append(at)
    return truth, fetches


@settings(max_examples=200, deadline=None)
@given(histories())
def test_merge_keeps_every_day_and_converges_to_the_truth(history):
    truth, fetches = history
    stored: dict[dt.date, DayFigures] = {}
    complete: set[dt.date] = set()
    for now in fetches:
        reported = github_window(truth, now)
        before = dict(stored)
        stored = fold(stored, reported)

        # Nothing stored is erased or lowered, and nothing exceeds what happened.
        assert before.keys() <= stored.keys()
        for of, old in before.items():
            assert all(n >= o for n, o in zip(stored[of].as_tuple(), old.as_tuple(), strict=True))
        for of, figures_ in stored.items():
            assert all(s <= t for s, t in zip(figures_.as_tuple(), truth[of], strict=True))

        # A day GitHub has reported in full is stored exactly, and stays so.
        complete |= {of for of in reported if share(now, of) == (1, 1)}
        for of in complete:
            assert stored.get(of, DayFigures()).as_tuple() == truth[of]

        # Idempotent: the same response again changes nothing.
        assert traffic_merge(stored=stored, reported=reported) == {}
