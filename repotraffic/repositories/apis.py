import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api import error_responses
from repotraffic.common.cache import json_cached
from repotraffic.common.dates import date_range_parse
from repotraffic.common.exceptions import ApplicationError, NotFoundError
from repotraffic.common.fields import StrictCharField
from repotraffic.repositories.selectors import (
    repository_get,
    repository_list,
)
from repotraffic.repositories.services import repository_create, repository_delete
from repotraffic.traffic.selectors import traffic_series_json
from repotraffic.users.apis import body_validate

REPOSITORY_ID = OpenApiParameter(
    "repository_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The id from create."
)


class RepositorySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(
        allow_blank=True, help_text="Why the last collection failed; empty after a success."
    )


def repository_data(repository) -> dict:
    # Built by hand: DRF field-by-field serialization costs more than the query.
    return {
        "id": str(repository.id),
        "url": repository.url,
        "created_at": _iso(repository.created_at),
        "last_attempt_at": _iso(repository.last_attempt_at),
        "last_success_at": _iso(repository.last_success_at),
        "last_error": repository.last_error,
    }


def json_response(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def _iso(moment) -> str | None:
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


class TrafficDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    views = serializers.IntegerField(min_value=0)
    unique_views = serializers.IntegerField(min_value=0)
    clones = serializers.IntegerField(min_value=0)
    unique_clones = serializers.IntegerField(min_value=0)


class RepositoryDetailSerializer(RepositorySerializer):
    traffic = TrafficDaySerializer(many=True)


class RepositoryCreateApi(APIView):
    @extend_schema_serializer(component_name="RepositoryCreate")
    class InputSerializer(serializers.Serializer):
        url = StrictCharField(
            trim_whitespace=False,
            allow_blank=True,
            help_text="e.g. https://github.com/HackSoftware/Django-Styleguide",
        )

    @extend_schema_serializer(component_name="RepositoryId")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()

    @extend_schema(
        operation_id="repos_create",
        request={"application/json": InputSerializer},
        responses={200: OutputSerializer, **error_responses(400, 401, 405)},
    )
    def post(self, request):
        data = body_validate(self.InputSerializer, request.data)
        repository = repository_create(user=request.user, url=data["url"])
        return Response({"id": str(repository.id)})


class RepositoryListApi(APIView):
    @extend_schema(
        operation_id="repos_list",
        responses={200: RepositorySerializer(many=True), **error_responses(401, 405)},
    )
    def get(self, request):
        user = request.user
        version = user.repositories_changed_at.timestamp() if user.repositories_changed_at else 0
        body = json_cached(
            key=f"repos:{user.id}:{version}",
            build=lambda: [
                repository_data(repository) for repository in repository_list(user=user)
            ],
        )
        return json_response(body)


class RepositoryDetailApi(APIView):
    @extend_schema(
        operation_id="repos_detail",
        parameters=[
            REPOSITORY_ID,
            OpenApiParameter("start", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("end", str, description="YYYY-MM-DD, inclusive"),
        ],
        responses={200: RepositoryDetailSerializer, **error_responses(400, 401, 404, 405)},
    )
    def get(self, request, repository_id: str):
        date_range = date_range_parse(
            start=request.query_params.get("start"), end=request.query_params.get("end")
        )
        repository = repository_get(user=request.user, repository_id=repository_id)
        if repository is None:
            raise NotFoundError(f"You have no repository with id {repository_id}.")
        # The traffic array is cached JSON text; splice it in rather than parse it again.
        head = json.dumps(repository_data(repository), separators=(",", ":"))
        traffic = traffic_series_json(repository=repository, date_range=date_range)
        return json_response(f'{head[:-1]},"traffic":{traffic}}}')


class RepositoryDeleteApi(APIView):
    @extend_schema(
        operation_id="repos_delete",
        parameters=[REPOSITORY_ID],
        request=None,
        responses={202: RepositoryCreateApi.OutputSerializer, **error_responses(400, 401, 405)},
    )
    def post(self, request, repository_id: str):
        repository = repository_get(user=request.user, repository_id=repository_id)
        if repository is None:
            raise ApplicationError(f"You have no repository with id {repository_id}.")
        repository_delete(user=request.user, repository_id=repository.id)
        return Response({"id": str(repository.id)}, status=202)
