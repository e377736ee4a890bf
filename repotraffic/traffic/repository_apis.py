"""GET /api/repos and GET /api/repos/<id>: the repositories with their collection state,
and the detail with its traffic. Here rather than in `repositories`, which must not import
this app. Their shape is repository_serializers'."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema

from repotraffic.common.api_errors import error_responses
from repotraffic.common.dates import date_range_parse
from repotraffic.common.exceptions import ApplicationError, NotFoundError
from repotraffic.repositories.apis import REPOSITORY_ID
from repotraffic.traffic.repository_selectors import (
    RepositoryRead,
    repository_detail_json,
    repository_list_read_by_token,
    repository_read_by_token,
)
from repotraffic.traffic.repository_serializers import DETAIL_INTERVALS, RepositorySerializer
from repotraffic.users.token_reads import TokenReadApi


def json_response(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def interval_parse(*, value: str | None) -> str:
    interval = value or "day"
    if interval not in DETAIL_INTERVALS:
        raise ApplicationError(f"interval must be one of day, week, month, not {interval!r}.")
    return interval


def _unfiltered(query_params) -> bool:
    """No date range and the daily interval: the detail rendered at collection fits."""
    return (
        not (query_params.get("start") or query_params.get("end"))
        and (query_params.get("interval") or "day") == "day"
    )


class RepositoryListApi(TokenReadApi):
    def token_authenticate(self, request, token: str):
        """ApiTokenAuthentication's lookup, reading only what the list needs, with the
        list (repository_list_read_by_token): request.auth is its JSON text."""
        return repository_list_read_by_token(token=token)

    def token_answer(self, auth: str) -> str:
        return auth

    @extend_schema(
        operation_id="repos_list",
        responses={200: RepositorySerializer(many=True), **error_responses(401, 405)},
    )
    def get(self, request):
        return json_response(request.auth)


class RepositoryDetailApi(TokenReadApi):
    def token_authenticate(self, request, token: str):
        """ApiTokenAuthentication's lookup, in one query with the repository the URL
        names and its collection state or, for an unfiltered detail, the whole answer
        (repository_read_by_token): request.auth is that RepositoryRead."""
        read = repository_read_by_token(
            token=token,
            repository_id=self.kwargs["repository_id"],
            with_detail_json=_unfiltered(request.GET),
        )
        return None if read is None else (read.user, read)

    def token_answer(self, auth: RepositoryRead) -> str | None:
        """The unfiltered detail, when the repository is the user's (get's first case)."""
        return auth.detail_json if auth.found else None

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
        # In repository_and_range_read's order: a bad date filter is a 400 before an
        # unknown repository is a 404.
        date_range = date_range_parse(
            start=request.query_params.get("start"), end=request.query_params.get("end")
        )
        read = request.auth  # token_authenticate's
        if not read.found:
            raise NotFoundError(f"You have no repository with id {repository_id}.")
        if read.detail_json is not None:  # unfiltered
            return json_response(read.detail_json)
        interval = interval_parse(value=request.query_params.get("interval"))
        return json_response(
            repository_detail_json(
                repository=read.repository, date_range=date_range, interval=interval
            )
        )
