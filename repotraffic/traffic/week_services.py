"""Weekly traffic: GitHub's per=week answers, kept for their honest weekly uniques.

Unique visitors and cloners do not add across days, so a week's uniques can only come
from GitHub, and only from an answer that held the whole week (Monday .. Sunday, UTC)
inside its window and final: fetched on D, monday >= D-13 and sunday <= D-2, as GitHub
revises yesterday's figures upward early in the next UTC day
(traffic.merge.traffic_week_complete). Partial weeks of the same answers are stored too,
flagged, and merged by maximum like the days.

When to ask. The per=week answers cost two requests, so a collection asks for them
only when they can capture a complete week not stored yet: with D the day's date, the
week ending on the last Sunday up to D-2 has no complete TrafficWeek (there is such a
week on every day but Monday). So a daily collection asks once a week, on Tuesday,
and then instead of the per=day answers (traffic.services: GitHub's daily windows
overlap by 13 days, so the next day's answer brings those days), plus a repository's
first collection: six requests a day in all. A collection after downtime still catches
the latest week; weeks that fell out of GitHub's window while nothing ran are lost, as
their days are. If an answer straddles midnight and misses the week whole, the week
stays incomplete and the next run asks again.
"""

import datetime as dt

from django.db import transaction

from repotraffic.integrations.github.client import TrafficWeeks
from repotraffic.repositories.models import Repository
from repotraffic.traffic.merge import (
    WeekFigures,
    traffic_week_capturable,
    traffic_week_max,
    traffic_weeks_reported,
)
from repotraffic.traffic.models import Collection, TrafficWeek
from repotraffic.traffic.selectors import collection_of

# A stored week's columns, in WeekFigures' order.
_WEEK_FIGURES = ("views", "unique_views", "clones", "unique_clones", "complete")


def traffic_week_capture_due(*, repository: Repository, fetched_on: dt.date) -> bool:
    """Whether a collection whose daily answer is dated `fetched_on` should ask GitHub
    for weeks: the latest week it can get whole is not stored complete yet."""
    monday = traffic_week_capturable(fetched_on=fetched_on)
    if monday is None:
        return False
    return not TrafficWeek.objects.filter(
        repository=repository, week=monday, complete=True
    ).exists()


def traffic_weeks_store(
    *, repository: Repository, weeks: TrafficWeeks, fetched_at: dt.datetime
) -> int:
    """Merge one pair of per=week answers into the stored weeks (by maximum; complete
    once any answer held the week whole). Moves `traffic_updated_at` when a row changed,
    so cached details follow. Returns the number of rows written."""
    reported = traffic_weeks_reported(weeks=weeks)
    with transaction.atomic(savepoint=False):
        # The lock traffic_store takes too, in the same order (no deadlock between them),
        # and gone with the repository if it was deleted while we were fetching.
        if not Collection.objects.select_for_update().filter(pk=repository.id).exists():
            return 0
        rows = TrafficWeek.objects.filter(repository=repository, week__in=list(reported))
        stored = {row[0]: WeekFigures(*row[1:]) for row in rows.values_list("week", *_WEEK_FIGURES)}
        merged = {}
        for monday, figures in reported.items():
            previous = stored.get(monday)
            result = (
                figures if previous is None else traffic_week_max(stored=previous, reported=figures)
            )
            if result != previous:
                merged[monday] = result
        if merged:
            TrafficWeek.objects.bulk_create(
                [
                    TrafficWeek(
                        repository=repository,
                        week=monday,
                        views=figures.views,
                        unique_views=figures.unique_views,
                        clones=figures.clones,
                        unique_clones=figures.unique_clones,
                        complete=figures.complete,
                    )
                    for monday, figures in merged.items()
                ],
                update_conflicts=True,
                unique_fields=["repository", "week"],
                update_fields=list(_WEEK_FIGURES),
            )
            Collection.objects.filter(pk=repository.id).update(traffic_updated_at=fetched_at)
            collection_of(repository).traffic_updated_at = fetched_at
    return len(merged)
