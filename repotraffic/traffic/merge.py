"""The merge rule: how one of GitHub's 14-day windows is folded into stored history.

GitHub's daily traffic response covers about 15 UTC days: 14 complete days and today,
still in progress. Its facts, and what the rule does about each:

- The latest day or two are revised upward on later requests: the newest figure
  wins for every day the response reports.
- The oldest bucket is cut short, because the 14-day window rolls by the hour (one
  archive saw a day as 73 in one response and 18 in the next): the oldest day of a
  response never lowers a stored value; each metric keeps the larger figure.
- Days without traffic are left out of the response: a missing day never erases or
  lowers stored data (it was either zero already or has rolled out of the window).
- A metric GitHub left out for a day it reported otherwise (views but no clones)
  is 0 for that day, when the day lies inside that metric's own response window.
  Views and clones are two responses, each with its own window and its own oldest
  bucket; if the two requests straddle UTC midnight, a day outside one window keeps
  that metric's stored value.

The function is pure so the rule can be tested on its own (property-based tests).
"""

import datetime as dt
from dataclasses import dataclass
from typing import cast

from repotraffic.integrations.github.client import TrafficWindow

METRICS = ("views", "unique_views", "clones", "unique_clones")


@dataclass(frozen=True)
class DayFigures:
    """One day's figures; in a response, None means "not reported by its endpoint"."""

    views: int | None = 0
    unique_views: int | None = 0
    clones: int | None = 0
    unique_clones: int | None = 0

    def as_tuple(self) -> tuple[int, int, int, int]:
        """The figures of a stored or merged day, which are all known (never None)."""
        figures = (self.views, self.unique_views, self.clones, self.unique_clones)
        # None only ever appears in `reported` figures; traffic_merge fills it from the store.
        return cast("tuple[int, int, int, int]", figures)


def _pairs(buckets) -> tuple[dict[dt.date, tuple[int, int]], tuple[dt.date, dt.date] | None]:
    pairs = {bucket.day: (bucket.count, bucket.uniques) for bucket in buckets}
    return pairs, ((min(pairs), max(pairs)) if pairs else None)


def traffic_window_days(*, window: TrafficWindow) -> dict[dt.date, DayFigures]:
    """The two responses as one figure set per reported day.

    Views and clones are separate responses, each with its own window. A metric one of
    them left out is 0 for a day inside that response's span (GitHub omits days
    without traffic), and None (unknown, stored value kept) for a day outside it,
    which happens when the two requests straddle UTC midnight.
    """
    views, views_span = _pairs(window.views)
    clones, clones_span = _pairs(window.clones)

    def pair(pairs, span, day) -> tuple[int | None, int | None]:
        if day in pairs:
            return pairs[day]
        if span and span[0] <= day <= span[1]:
            return 0, 0
        return None, None

    days = {}
    for day in sorted(views.keys() | clones.keys()):
        view, clone = pair(views, views_span, day), pair(clones, clones_span, day)
        days[day] = DayFigures(*view, *clone)
    return days


def _oldest(reported: dict[dt.date, DayFigures], field: str) -> dt.date | None:
    days = [day for day, figures in reported.items() if getattr(figures, field) is not None]
    return min(days) if days else None


def traffic_merge(
    *, stored: dict[dt.date, DayFigures], reported: dict[dt.date, DayFigures]
) -> dict[dt.date, DayFigures]:
    """The rows to write: every reported day, merged with what is stored.

    Days not in `reported` are not returned, so they stay as they are. The oldest day
    of each response (views, clones) never lowers a stored value.
    """
    oldest = {"views": _oldest(reported, "views"), "clones": _oldest(reported, "clones")}
    merged = {}
    for day, figures in reported.items():
        previous = stored.get(day) or DayFigures()
        values = {}
        for group in ("views", "clones"):
            for field in (group, f"unique_{group}"):
                new, old = getattr(figures, field), getattr(previous, field)
                if new is None:
                    values[field] = old  # outside this response's window: keep
                elif day == oldest[group] and day in stored:
                    values[field] = max(new, old)  # cut short by the rolling window
                else:
                    values[field] = new
        result = DayFigures(**values)
        if result != stored.get(day):
            merged[day] = result
    return merged
