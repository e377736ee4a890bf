"""The shape of GET /api/repos and GET /api/repos/<id>, defined once: these serializers
document it (drf-spectacular) and render it (repository_selectors, through
common.renderers.representation_compile), at request time and when a collection
renders the detail ahead of its first read (detail_services).

A detail is RepositorySerializer's fields followed by its traffic part's
(TrafficDetailSerializer, or its ByWeek, ByMonth variant): the two are rendered apart,
so that a traffic part rendered earlier is served as it is with the repository's
current state, and joined (common.renderers.json_objects_join) exactly as the combined
serializer renders them.
"""

from rest_framework import serializers


class RepositorySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_attempt_at = serializers.DateTimeField(
        source="collection.last_attempt_at", allow_null=True
    )
    last_success_at = serializers.DateTimeField(
        source="collection.last_success_at", allow_null=True
    )
    last_error = serializers.CharField(
        source="collection.last_error",
        allow_blank=True,
        help_text="Why the last collection failed; empty after a success.",
    )


class TrafficDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    views = serializers.IntegerField(min_value=0)
    unique_views = serializers.IntegerField(min_value=0)
    clones = serializers.IntegerField(min_value=0)
    unique_clones = serializers.IntegerField(min_value=0)
    # Named like Serializer.partial, the partial-update flag, which it does not touch: the
    # metaclass moves declared fields out of the class. Hence the ignore, for the stubs.
    partial = serializers.BooleanField(  # type: ignore[assignment]
        help_text="The figures may still grow: GitHub has reported this day only as its "
        "today (in progress) or as its 14-day window's cut-short oldest day."
    )


class TrafficTotalsSerializer(serializers.Serializer):
    views = serializers.IntegerField(min_value=0)
    clones = serializers.IntegerField(min_value=0)
    days = serializers.IntegerField(min_value=0)
    partial_days = serializers.IntegerField(min_value=0)


_UNIQUES_WEEK_HELP = (
    "GitHub's distinct {who} of the whole week (its per=week answer), or null: where "
    "GitHub never reported the week whole inside its 14-day window, or the range shows "
    "only part of it. Never added up from daily uniques, which do not add across days."
)
_UNIQUES_MONTH_HELP = (
    "Always null: GitHub gives no monthly unique {who}, and daily or weekly ones do not "
    "add up (one person is counted again on each day or week)."
)


def _period_sum(period: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, help_text=f"The sum of the {period}'s days shown.")


def _period_partial(period: str) -> serializers.BooleanField:
    return serializers.BooleanField(
        help_text=f"The sums may be too low: a day of the {period} is partial, or the range "
        f"or the collected days hold only part of the {period}."
    )


class TrafficWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The week's Monday (weeks start 00:00 UTC).")
    views = _period_sum("week")
    clones = _period_sum("week")
    unique_views = serializers.IntegerField(
        min_value=0, allow_null=True, help_text=_UNIQUES_WEEK_HELP.format(who="visitors")
    )
    unique_clones = serializers.IntegerField(
        min_value=0, allow_null=True, help_text=_UNIQUES_WEEK_HELP.format(who="cloners")
    )
    partial = _period_partial("week")  # type: ignore[assignment]  # see TrafficDaySerializer


class TrafficMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, a calendar month in UTC.")
    views = _period_sum("month")
    clones = _period_sum("month")
    unique_views = serializers.IntegerField(
        allow_null=True, help_text=_UNIQUES_MONTH_HELP.format(who="visitors")
    )
    unique_clones = serializers.IntegerField(
        allow_null=True, help_text=_UNIQUES_MONTH_HELP.format(who="cloners")
    )
    partial = _period_partial("month")  # type: ignore[assignment]  # see TrafficDaySerializer


# The traffic part of a detail (traffic.selectors.TrafficDetail). A comment, not a
# docstring: drf-spectacular would describe the details that inherit it with it.
class TrafficDetailSerializer(serializers.Serializer):
    collected_from = serializers.DateField(
        allow_null=True, help_text="The first UTC day collections covered; null until one has."
    )
    collected_until = serializers.DateField(
        allow_null=True, help_text="The last UTC day collections covered; null until one has."
    )
    totals = TrafficTotalsSerializer(
        help_text="Of the days in `traffic`. No unique visitors or cloners: they do not add "
        "up across days."
    )
    traffic = TrafficDaySerializer(many=True)


class TrafficDetailByWeekSerializer(TrafficDetailSerializer):
    traffic = None  # type: ignore[assignment]  # replaced by `weeks`
    weeks = TrafficWeekSerializer(many=True)


class TrafficDetailByMonthSerializer(TrafficDetailSerializer):
    traffic = None  # type: ignore[assignment]  # replaced by `months`
    months = TrafficMonthSerializer(many=True)


# The detail: the repository's fields, then its traffic part's (DRF lists the fields of
# the first base, then the second's).
class RepositoryDetailSerializer(RepositorySerializer, TrafficDetailSerializer):
    pass


class RepositoryDetailByWeekSerializer(RepositorySerializer, TrafficDetailByWeekSerializer):
    pass


class RepositoryDetailByMonthSerializer(RepositorySerializer, TrafficDetailByMonthSerializer):
    pass


# interval=... : the serializer of the detail's answer for it, and of its traffic part.
DETAIL_INTERVALS: dict[str, type[serializers.Serializer]] = {
    "day": RepositoryDetailSerializer,
    "week": RepositoryDetailByWeekSerializer,
    "month": RepositoryDetailByMonthSerializer,
}
TRAFFIC_DETAIL_INTERVALS: dict[str, type[serializers.Serializer]] = {
    "day": TrafficDetailSerializer,
    "week": TrafficDetailByWeekSerializer,
    "month": TrafficDetailByMonthSerializer,
}
