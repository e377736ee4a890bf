"""The merge rule: how GitHub's daily traffic responses are folded into stored history.

GitHub's daily traffic response, fetched on UTC date D, covers the 15 days D-14 .. D:
D is still in progress, D-14 is cut short (the 14-day window rolls by the hour: one
archive saw a day as 73 in one response and 18 in the next), D-13 .. D-1 are complete,
and the latest day or two are revised upward on later requests. Days without traffic
are left out.

So no single response is the truth for a day, but no truthful response ever says more
than happened. The rule:

- **Maximum.** Every day keeps, metric by metric, the largest figure any response has
  reported. A response never lowers a stored figure (a cut-short bucket, a day left
  out, a glitch), and a metric or day missing from a response is 0, which lowers
  nothing. The result of any sequence of responses is the same in any order and
  however often each is merged: the per-metric maximum.
- **Partial days.** A day is partial while every response that reported it had it as
  its today (D) or as its cut-short oldest day (D-14): its figures may still be too
  low. It becomes complete, for good, once a response reports it inside its window
  (D-13 .. D-1). Views and clones are two requests that can straddle UTC midnight, so
  each endpoint's days are judged against that response's own D.

Weeks (GitHub's per=week answers, TrafficWeek) merge the same way, by maximum per
metric, and a week is complete, for good, once an answer held all seven of its days in
full (traffic_week_complete): only then are its uniques GitHub's weekly uniques.

The functions are pure so the rule can be tested on its own (property-based tests).
"""

import datetime as dt
from dataclasses import dataclass

from repotraffic.integrations.github.client import TrafficBucket, TrafficWeeks, TrafficWindow

# GitHub's window: a response fetched on D covers D-14 (cut short) .. D (in progress).
GITHUB_WINDOW_DAYS = 14


@dataclass(frozen=True)
class DayFigures:
    """One day's figures, and whether they may still be too low (see the module)."""

    views: int = 0
    unique_views: int = 0
    clones: int = 0
    unique_clones: int = 0
    partial: bool = False

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.views, self.unique_views, self.clones, self.unique_clones)


def _inside_window(*, day: dt.date, fetched_on: dt.date) -> bool:
    """Whether a response fetched on `fetched_on` reports `day` in full: inside its
    window, neither its today (in progress) nor its oldest day (cut short)."""
    return 0 < (fetched_on - day).days < GITHUB_WINDOW_DAYS


def traffic_window_days(*, window: TrafficWindow, fetched_on: dt.date) -> dict[dt.date, DayFigures]:
    """The two responses as one figure set per day either of them reported.

    A metric a response left out is 0 (GitHub omits days without traffic; for a day
    outside that response's window, the maximum keeps what is stored). Each endpoint's
    days are judged against the date its response was fetched on, `fetched_on` where
    the window does not say.
    """
    views_on = window.views_fetched_on or fetched_on
    clones_on = window.clones_fetched_on or fetched_on
    views = {bucket.day: bucket for bucket in window.views}
    clones = {bucket.day: bucket for bucket in window.clones}

    def complete(bucket: TrafficBucket | None, on: dt.date) -> bool:
        return bucket is not None and _inside_window(day=bucket.day, fetched_on=on)

    days = {}
    for day in sorted(views.keys() | clones.keys()):
        view, clone = views.get(day), clones.get(day)
        days[day] = DayFigures(
            views=view.count if view else 0,
            unique_views=view.uniques if view else 0,
            clones=clone.count if clone else 0,
            unique_clones=clone.uniques if clone else 0,
            partial=not (complete(view, views_on) or complete(clone, clones_on)),
        )
    return days


def traffic_day_max(*, stored: DayFigures, reported: DayFigures) -> DayFigures:
    """One day merged: each metric's larger figure; partial only while both say so."""
    return DayFigures(
        views=max(stored.views, reported.views),
        unique_views=max(stored.unique_views, reported.unique_views),
        clones=max(stored.clones, reported.clones),
        unique_clones=max(stored.unique_clones, reported.unique_clones),
        partial=stored.partial and reported.partial,
    )


def traffic_merge(
    *, stored: dict[dt.date, DayFigures], reported: dict[dt.date, DayFigures]
) -> dict[dt.date, DayFigures]:
    """The rows to write: each reported day merged with its stored figures, where that
    changes them. Days not in `reported` are not returned, so they stay as they are."""
    merged = {}
    for day, figures in reported.items():
        previous = stored.get(day)
        result = figures if previous is None else traffic_day_max(stored=previous, reported=figures)
        if result != previous:
            merged[day] = result
    return merged


@dataclass(frozen=True)
class WeekFigures:
    """One week's figures (GitHub's per=week buckets) and whether an answer held it whole."""

    views: int = 0
    unique_views: int = 0
    clones: int = 0
    unique_clones: int = 0
    complete: bool = False


# GitHub revises yesterday's figures upward until early in the next UTC day: a week is
# final in an answer once its Sunday is at least this many days old.
_WEEK_SETTLED_DAYS = 2


def traffic_week_complete(*, monday: dt.date, fetched_on: dt.date) -> bool:
    """Whether an answer fetched on `fetched_on` (D) reports the week of `monday` whole
    and final: all seven days inside its window (monday >= D-13) and past GitHub's
    revision of yesterday (sunday <= D-2)."""
    sunday = monday + dt.timedelta(days=6)
    return (fetched_on - monday).days <= GITHUB_WINDOW_DAYS - 1 and (
        fetched_on - sunday
    ).days >= _WEEK_SETTLED_DAYS


def traffic_week_capturable(*, fetched_on: dt.date) -> dt.date | None:
    """The Monday of the week an answer fetched on D holds whole and final: the week
    ending on the last Sunday up to D-2, if its Monday is still inside the window
    (>= D-13). Every day but Monday has one; on a Monday, last week's Sunday is not
    final yet and the week before has lost its Monday to the window's cut."""
    settled = fetched_on - dt.timedelta(days=_WEEK_SETTLED_DAYS)
    sunday = settled - dt.timedelta(days=(settled.weekday() + 1) % 7)
    monday = sunday - dt.timedelta(days=6)
    return monday if traffic_week_complete(monday=monday, fetched_on=fetched_on) else None


def traffic_weeks_reported(*, weeks: TrafficWeeks) -> dict[dt.date, WeekFigures]:
    """The two weekly answers as one figure set per week either reported; complete when
    both answers held the week whole (a week an answer left out had no traffic in it)."""
    views = {bucket.day: bucket for bucket in weeks.views}
    clones = {bucket.day: bucket for bucket in weeks.clones}
    result = {}
    for monday in sorted(views.keys() | clones.keys()):
        view, clone = views.get(monday), clones.get(monday)
        result[monday] = WeekFigures(
            views=view.count if view else 0,
            unique_views=view.uniques if view else 0,
            clones=clone.count if clone else 0,
            unique_clones=clone.uniques if clone else 0,
            complete=traffic_week_complete(monday=monday, fetched_on=weeks.views_fetched_on)
            and traffic_week_complete(monday=monday, fetched_on=weeks.clones_fetched_on),
        )
    return result


def traffic_week_max(*, stored: WeekFigures, reported: WeekFigures) -> WeekFigures:
    """One week merged: each metric's larger figure; complete once either says so."""
    return WeekFigures(
        views=max(stored.views, reported.views),
        unique_views=max(stored.unique_views, reported.unique_views),
        clones=max(stored.clones, reported.clones),
        unique_clones=max(stored.unique_clones, reported.unique_clones),
        complete=stored.complete or reported.complete,
    )
