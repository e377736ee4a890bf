from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api_errors import error_responses
from repotraffic.common.dates import DateRange, date_range_parse
from repotraffic.common.exceptions import NotFoundError
from repotraffic.common.fields import StrictCharField
from repotraffic.common.throttles import RepositoryCreateThrottle
from repotraffic.common.validation import body_validate
from repotraffic.repositories.models import Repository
from repotraffic.repositories.selectors import repository_get
from repotraffic.repositories.services import repository_create, repository_delete

REPOSITORY_ID = OpenApiParameter(
    "repository_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The id from create."
)


def repository_and_range_read(*, request, repository_id: str) -> tuple[Repository, DateRange]:
    """The `start`/`end` filters of a read endpoint, and the user's repository: a bad
    filter is a 400, another user's or an unknown repository a 404."""
    date_range = date_range_parse(
        start=request.query_params.get("start"), end=request.query_params.get("end")
    )
    repository = repository_get(user=request.user, repository_id=repository_id)
    if repository is None:
        raise NotFoundError(f"You have no repository with id {repository_id}.")
    return repository, date_range


class RepositoryCreateApi(APIView):
    throttle_classes = [RepositoryCreateThrottle]

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
        responses={200: OutputSerializer, **error_responses(400, 401, 403, 405, 413, 429, 503)},
        description="Tracks a repository once GitHub confirms that the token which will "
        "collect it (yours, or the server's where its operator allows) can read its traffic. "
        "400 says why not and what to do; 503: GitHub did not answer; 429: a rate limit, "
        "see Retry-After.",
    )
    def post(self, request):
        data = body_validate(self.InputSerializer, request.data)
        repository = repository_create(user=request.user, url=data["url"])
        return Response({"id": str(repository.id)})


class RepositoryDeleteApi(APIView):
    @extend_schema(
        operation_id="repos_delete",
        parameters=[REPOSITORY_ID],
        request=None,
        responses={202: RepositoryCreateApi.OutputSerializer, **error_responses(400, 401, 405)},
    )
    def post(self, request, repository_id: str):
        deleted_id = repository_delete(user=request.user, repository_id=repository_id)
        return Response({"id": str(deleted_id)}, status=202)
