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
  is 0 for that day.

The function is pure so the rule can be tested on its own (property-based tests).
"""

import datetime as dt
from dataclasses import dataclass

from repotraffic.integrations.github.client import TrafficWindow

METRICS = ("views", "unique_views", "clones", "unique_clones")


@dataclass(frozen=True)
class DayFigures:
    views: int = 0
    unique_views: int = 0
    clones: int = 0
    unique_clones: int = 0

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.views, self.unique_views, self.clones, self.unique_clones)


def traffic_window_days(*, window: TrafficWindow) -> dict[dt.date, DayFigures]:
    """The response as one figure set per reported day; an unreported metric is 0."""
    views = {bucket.day: bucket for bucket in window.views}
    clones = {bucket.day: bucket for bucket in window.clones}
    days = {}
    for day in sorted(views.keys() | clones.keys()):
        view, clone = views.get(day), clones.get(day)
        days[day] = DayFigures(
            views=view.count if view else 0,
            unique_views=view.uniques if view else 0,
            clones=clone.count if clone else 0,
            unique_clones=clone.uniques if clone else 0,
        )
    return days


def traffic_merge(
    *, stored: dict[dt.date, DayFigures], reported: dict[dt.date, DayFigures]
) -> dict[dt.date, DayFigures]:
    """The rows to write: every reported day, merged with what is stored.

    Days not in `reported` are not returned, so they stay as they are.
    """
    if not reported:
        return {}
    oldest = min(reported)
    merged = {}
    for day, figures in reported.items():
        previous = stored.get(day)
        if day == oldest and previous is not None:
            figures = DayFigures(
                *(
                    max(new, old)
                    for new, old in zip(figures.as_tuple(), previous.as_tuple(), strict=True)
                )
            )
        if figures != previous:
            merged[day] = figures
    return merged
