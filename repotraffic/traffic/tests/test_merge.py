import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from repotraffic.integrations.github.client import TrafficBucket, TrafficWeeks, TrafficWindow
from repotraffic.traffic.merge import (
    DayFigures,
    WeekFigures,
    traffic_merge,
    traffic_week_capturable,
    traffic_week_complete,
    traffic_week_max,
    traffic_weeks_reported,
    traffic_window_days,
)

D = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def fold(stored: dict, reported: dict) -> dict:
    return {**stored, **traffic_merge(stored=stored, reported=reported)}


def buckets(days, count: int = 5, uniques: int = 2) -> list[TrafficBucket]:
    return [TrafficBucket(day=day(n), count=count, uniques=uniques) for n in days]


class TestMaximumByExample:
    def test_a_higher_figure_wins(self):
        stored = {day(5): DayFigures(8, 4, 1, 1)}
        reported = {day(5): DayFigures(10, 5, 2, 1)}

        assert fold(stored, reported)[day(5)] == DayFigures(10, 5, 2, 1)

    def test_a_lower_figure_never_lowers_a_stored_one(self):
        # 73 yesterday, 18 now that the rolling window cut the day short; uniques rose.
        stored = {day(1): DayFigures(73, 20, 3, 2)}
        reported = {day(1): DayFigures(18, 25, 0, 0)}

        assert fold(stored, reported)[day(1)] == DayFigures(73, 25, 3, 2)

    def test_a_day_missing_from_the_response_is_kept(self):
        stored = {day(3): DayFigures(7, 3, 1, 1)}
        reported = {day(2): DayFigures(1, 1, 0, 0), day(4): DayFigures(2, 1, 0, 0)}

        assert fold(stored, reported)[day(3)] == DayFigures(7, 3, 1, 1)

    def test_a_day_one_endpoint_leaves_out_keeps_that_endpoints_stored_figures(self):
        # Issue 8's reproduction: 100 views stored; then the views response left the day
        # out while the clones response still reported it, and views became 0.
        stored = {day(5): DayFigures(100, 40, 3, 2)}
        window = TrafficWindow(views=buckets([4, 6]), clones=buckets([4, 5, 6], count=3))

        merged = fold(stored, traffic_window_days(window=window, fetched_on=day(10)))

        assert merged[day(5)] == DayFigures(100, 40, 3, 2)

    def test_an_empty_response_changes_nothing(self):
        assert traffic_merge(stored={day(1): DayFigures(1, 1, 1, 1)}, reported={}) == {}

    def test_unchanged_days_are_not_rewritten(self):
        stored = {day(1): DayFigures(1, 1, 0, 0), day(2): DayFigures(2, 1, 0, 0)}
        reported = {day(1): DayFigures(1, 1, 0, 0), day(2): DayFigures(3, 1, 0, 0)}

        assert traffic_merge(stored=stored, reported=reported) == {day(2): DayFigures(3, 1, 0, 0)}

    def test_a_metric_left_out_for_a_reported_day_is_zero_in_the_response(self):
        window = TrafficWindow(views=buckets([1, 2, 3]), clones=buckets([1, 3], count=3))

        assert traffic_window_days(window=window, fetched_on=day(10))[day(2)] == DayFigures(
            views=5, unique_views=2, clones=0, unique_clones=0
        )


class TestPartialDaysByExample:
    """A response fetched on D: D and D-14 are partial, D-13 .. D-1 complete."""

    def partial_days(self, window: TrafficWindow, fetched_on: dt.date) -> set[dt.date]:
        reported = traffic_window_days(window=window, fetched_on=fetched_on)
        return {of for of, figures in reported.items() if figures.partial}

    def test_today_and_the_cut_short_oldest_day_are_partial(self):
        window = TrafficWindow(views=buckets(range(0, 15)), clones=[])

        assert self.partial_days(window, fetched_on=day(14)) == {day(0), day(14)}

    def test_a_day_partial_for_one_endpoint_is_complete_if_the_other_has_it_inside(self):
        # Views asked at 23:59 (window day 0..14), clones at 00:01 (day 1..15).
        window = TrafficWindow(
            views=buckets(range(0, 15)),
            clones=buckets(range(1, 16), count=2),
            views_fetched_on=day(14),
            clones_fetched_on=day(15),
        )

        # Day 1 is the clones' oldest but inside the views' window; day 14 is the views'
        # today but inside the clones' window.
        assert self.partial_days(window, fetched_on=day(15)) == {day(0), day(15)}

    def test_each_endpoint_is_judged_against_its_own_fetch_date(self):
        window = TrafficWindow(
            views=[], clones=buckets([1]), views_fetched_on=day(15), clones_fetched_on=day(15)
        )

        # By the store's date (day 14) day 1 would be inside; by the clones' it is oldest.
        assert self.partial_days(window, fetched_on=day(14)) == {day(1)}

    def test_a_partial_day_becomes_complete_when_reported_inside_a_window(self):
        stored = {day(9): DayFigures(4, 2, 0, 0, partial=True)}
        reported = {day(9): DayFigures(4, 2, 0, 0, partial=False)}

        assert fold(stored, reported)[day(9)] == DayFigures(4, 2, 0, 0, partial=False)

    def test_a_complete_day_stays_complete_when_reported_as_the_oldest(self):
        stored = {day(1): DayFigures(73, 20, 3, 2, partial=False)}
        reported = {day(1): DayFigures(18, 5, 0, 0, partial=True)}

        assert traffic_merge(stored=stored, reported=reported) == {}


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


def github_series(truth: dict, now: dt.datetime, metric: int) -> list[TrafficBucket]:
    """One endpoint's answer at `now`: metric 0 is views, 2 clones."""
    series = []
    for age in range(WINDOW - 1, -1, -1):
        of = now.date() - dt.timedelta(days=age)
        n, d = share(now, of)
        count, uniques = truth.get(of, (0, 0, 0, 0))[metric : metric + 2]
        if count * n // d:
            scaled = count * n // d
            series.append(TrafficBucket(of, scaled, min(max(uniques * n // d, 1), scaled)))
    return series


def github_window(truth: dict, views_at: dt.datetime, clones_at: dt.datetime) -> TrafficWindow:
    return TrafficWindow(
        views=github_series(truth, views_at, 0),
        clones=github_series(truth, clones_at, 2),
        views_fetched_on=views_at.date(),
        clones_fetched_on=clones_at.date(),
    )


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
        # Gaps: several fetches a day, a day apart, or long outages; the clones request
        # follows the views request by up to two minutes, sometimes across midnight.
        at += dt.timedelta(seconds=draw(st.integers(0, 5 * DAY_SECONDS)))
        fetches.append((at, at + dt.timedelta(seconds=draw(st.integers(0, 120)))))
    return truth, fetches


def complete_in(series: list[TrafficBucket], at: dt.datetime) -> set[dt.date]:
    return {bucket.day for bucket in series if 0 < (at.date() - bucket.day).days < WINDOW - 1}


@settings(max_examples=200, deadline=None)
@given(histories())
def test_merge_never_lowers_and_converges_to_the_truth(history):
    truth, fetches = history
    stored: dict[dt.date, DayFigures] = {}
    exact: set[dt.date] = set()
    inside: set[dt.date] = set()
    for views_at, clones_at in fetches:
        window = github_window(truth, views_at, clones_at)
        reported = traffic_window_days(window=window, fetched_on=clones_at.date())
        before = dict(stored)
        stored = fold(stored, reported)

        # Nothing stored is erased or lowered, and nothing exceeds what happened.
        assert before.keys() <= stored.keys()
        for of, old in before.items():
            assert all(n >= o for n, o in zip(stored[of].as_tuple(), old.as_tuple(), strict=True))
        for of, figures_ in stored.items():
            assert all(s <= t for s, t in zip(figures_.as_tuple(), truth[of], strict=True))

        # A day GitHub has reported in full is stored exactly, and stays so.
        exact |= {
            of
            for of in reported
            if share(views_at, of) == (1, 1) and share(clones_at, of) == (1, 1)
        }
        for of in exact:
            assert stored.get(of, DayFigures()).as_tuple() == truth[of]

        # A day is partial exactly while no response has had it inside its window.
        inside |= complete_in(window.views, views_at) | complete_in(window.clones, clones_at)
        assert {of for of, figures_ in stored.items() if not figures_.partial} == inside

        # Idempotent: the same response again changes nothing.
        assert traffic_merge(stored=stored, reported=reported) == {}


day_figures = st.builds(
    DayFigures,
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
    st.booleans(),
)
responses = st.lists(
    st.dictionaries(st.sampled_from([day(n) for n in range(6)]), day_figures), max_size=8
)


@settings(max_examples=300, deadline=None)
@given(responses, st.randoms(use_true_random=False))
def test_any_order_of_responses_gives_the_per_metric_maximum(sequence, rng):
    # Any responses, glitches included, in any order, some of them twice.
    shuffled = sequence + rng.sample(sequence, k=len(sequence) // 2)
    rng.shuffle(shuffled)
    stored: dict[dt.date, DayFigures] = {}
    for reported in shuffled:
        stored = fold(stored, reported)

    days = {of for reported in sequence for of in reported}
    assert stored.keys() == days
    for of in days:
        seen = [reported[of] for reported in sequence if of in reported]
        assert stored[of] == DayFigures(
            views=max(f.views for f in seen),
            unique_views=max(f.unique_views for f in seen),
            clones=max(f.clones for f in seen),
            unique_clones=max(f.unique_clones for f in seen),
            partial=all(f.partial for f in seen),
        )


# --- weeks ------------------------------------------------------------------------

MONDAY = dt.date(2026, 11, 2)  # a Monday; its Sunday is 2026-11-08


def test_a_week_is_complete_only_when_an_answer_held_all_seven_days_in_full() -> None:
    sunday = MONDAY + dt.timedelta(days=6)
    # D-2 must reach the Sunday, D-13 must not pass the Monday.
    assert not traffic_week_complete(monday=MONDAY, fetched_on=sunday)  # Sunday in progress
    # On Monday, GitHub may still revise Sunday's figures upward.
    assert not traffic_week_complete(monday=MONDAY, fetched_on=sunday + dt.timedelta(days=1))
    assert traffic_week_complete(monday=MONDAY, fetched_on=sunday + dt.timedelta(days=2))
    assert traffic_week_complete(monday=MONDAY, fetched_on=MONDAY + dt.timedelta(days=13))
    # D-14 is cut short: the Monday is no longer reported in full.
    assert not traffic_week_complete(monday=MONDAY, fetched_on=MONDAY + dt.timedelta(days=14))


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_the_week_to_capture_is_the_one_complete_week_of_any_answer(fetched_on: dt.date) -> None:
    monday = traffic_week_capturable(fetched_on=fetched_on)

    complete = [
        candidate
        for candidate in (fetched_on - dt.timedelta(days=back) for back in range(20))
        if candidate.weekday() == 0
        and traffic_week_complete(monday=candidate, fetched_on=fetched_on)
    ]
    # Every day but Monday holds exactly one; a Monday none (see the docstring).
    assert complete == ([] if fetched_on.weekday() == 0 else [monday])


def test_weeks_merge_by_maximum_and_stay_complete() -> None:

    on = MONDAY + dt.timedelta(days=8)  # the week of MONDAY whole, the next one begun
    weeks = TrafficWeeks(
        views=[TrafficBucket(MONDAY, 70, 30), TrafficBucket(on, 5, 4)],
        clones=[TrafficBucket(MONDAY, 7, 3)],
        views_fetched_on=on,
        clones_fetched_on=on,
    )

    reported = traffic_weeks_reported(weeks=weeks)

    assert reported == {
        MONDAY: WeekFigures(70, 30, 7, 3, complete=True),
        on: WeekFigures(5, 4, 0, 0, complete=False),
    }
    later = WeekFigures(60, 31, 9, 2, complete=False)
    assert traffic_week_max(stored=reported[MONDAY], reported=later) == WeekFigures(
        70, 31, 9, 3, complete=True
    )


def test_a_week_is_incomplete_when_one_answer_came_after_midnight() -> None:

    on = MONDAY + dt.timedelta(days=13)
    weeks = TrafficWeeks(
        views=[TrafficBucket(MONDAY, 70, 30)],
        clones=[TrafficBucket(MONDAY, 7, 3)],
        views_fetched_on=on,
        clones_fetched_on=on + dt.timedelta(days=1),
    )

    assert not traffic_weeks_reported(weeks=weeks)[MONDAY].complete
