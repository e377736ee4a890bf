"""GET /api/repos and GET /api/repos/<id>: the repositories with their collection state,
and the detail with its traffic. Here rather than in `repositories`, which must not import
this app."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from repotraffic.common.api_errors import error_responses
from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.apis import REPOSITORY_ID, repository_and_range_read
from repotraffic.traffic.repository_selectors import repository_detail_json, repository_list_json


class RepositorySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(
        allow_blank=True, help_text="Why the last collection failed; empty after a success."
    )


def json_response(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


# The detail is built as JSON text by repository_detail_json (fast, cached); these
# serializers document its shape, and a test holds the two to the same fields.
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


class RepositoryDetailSerializer(RepositorySerializer):
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


_UNIQUES_WEEK_HELP = (
    "GitHub's distinct {who} of the whole week (its per=week answer), or null: where "
    "GitHub never reported the week whole inside its 14-day window, or the range shows "
    "only part of it. Never added up from daily uniques, which do not add across days."
)
_UNIQUES_MONTH_HELP = (
    "Always null: GitHub gives no monthly unique {who}, and daily or weekly ones do not "
    "add up (one person is counted again on each day or week)."
)


class TrafficWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The week's Monday (weeks start 00:00 UTC).")
    views = serializers.IntegerField(min_value=0, help_text="The sum of the week's days shown.")
    clones = serializers.IntegerField(min_value=0, help_text="The sum of the week's days shown.")
    unique_views = serializers.IntegerField(
        min_value=0, allow_null=True, help_text=_UNIQUES_WEEK_HELP.format(who="visitors")
    )
    unique_clones = serializers.IntegerField(
        min_value=0, allow_null=True, help_text=_UNIQUES_WEEK_HELP.format(who="cloners")
    )
    partial = serializers.BooleanField(  # type: ignore[assignment]  # see TrafficDaySerializer
        help_text="The sums may be too low: a day of the week is partial, or the range or "
        "the collected days hold only part of the week."
    )


class TrafficMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, a calendar month in UTC.")
    views = serializers.IntegerField(min_value=0, help_text="The sum of the month's days shown.")
    clones = serializers.IntegerField(min_value=0, help_text="The sum of the month's days shown.")
    unique_views = serializers.IntegerField(
        allow_null=True, help_text=_UNIQUES_MONTH_HELP.format(who="visitors")
    )
    unique_clones = serializers.IntegerField(
        allow_null=True, help_text=_UNIQUES_MONTH_HELP.format(who="cloners")
    )
    partial = serializers.BooleanField(  # type: ignore[assignment]  # see TrafficDaySerializer
        help_text="The sums may be too low: a day of the month is partial, or the range or "
        "the collected days hold only part of the month."
    )


class RepositoryDetailByWeekSerializer(RepositoryDetailSerializer):
    traffic = None  # type: ignore[assignment]  # replaced by `weeks`
    weeks = TrafficWeekSerializer(many=True)


class RepositoryDetailByMonthSerializer(RepositoryDetailSerializer):
    traffic = None  # type: ignore[assignment]  # replaced by `months`
    months = TrafficMonthSerializer(many=True)


# interval=... : the serializer documenting the detail's answer for it.
DETAIL_INTERVALS = {
    "day": RepositoryDetailSerializer,
    "week": RepositoryDetailByWeekSerializer,
    "month": RepositoryDetailByMonthSerializer,
}


def interval_parse(*, value: str | None) -> str:
    interval = value or "day"
    if interval not in DETAIL_INTERVALS:
        raise ApplicationError(f"interval must be one of day, week, month, not {interval!r}.")
    return interval


class RepositoryListApi(APIView):
    @extend_schema(
        operation_id="repos_list",
        responses={200: RepositorySerializer(many=True), **error_responses(401, 405)},
    )
    def get(self, request):
        return json_response(repository_list_json(user=request.user))


class RepositoryDetailApi(APIView):
    @extend_schema(
        operation_id="repos_detail",
        parameters=[
            REPOSITORY_ID,
            OpenApiParameter("start", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("end", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter(
                "interval",
                str,
                enum=list(DETAIL_INTERVALS),
                default="day",
                description="day: the days, under `traffic`. week: weeks from Monday 00:00 "
                "UTC, under `weeks`, views and clones summed from the days, uniques GitHub's "
                "own weekly figure where it reported the week whole, else null. month: "
                "calendar months under `months`, uniques always null. Anything else is a 400.",
            ),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="RepositoryDetailByInterval",
                serializers=list(DETAIL_INTERVALS.values()),
                resource_type_field_name=None,
            ),
            **error_responses(400, 401, 404, 405),
        },
    )
    def get(self, request, repository_id: str):
        repository, date_range = repository_and_range_read(
            request=request, repository_id=repository_id
        )
        interval = interval_parse(value=request.query_params.get("interval"))
        return json_response(
            repository_detail_json(repository=repository, date_range=date_range, interval=interval)
        )
