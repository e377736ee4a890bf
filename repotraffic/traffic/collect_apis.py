"""POST /api/repos/<id>/collect: collect one repository now, outside the daily run."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api_errors import error_responses
from repotraffic.common.exceptions import NotFoundError
from repotraffic.common.throttles import CollectNowThrottle
from repotraffic.repositories.selectors import repository_get
from repotraffic.traffic.collect_services import collection_now_request


class RepositoryCollectApi(APIView):
    throttle_classes = [CollectNowThrottle]

    @extend_schema_serializer(component_name="CollectionQueued")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="repository_id")
        requested_at = serializers.DateTimeField()
        note = serializers.CharField()

    @extend_schema(
        operation_id="repos_collect",
        parameters=[OpenApiParameter("repository_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request=None,
        responses={
            202: OutputSerializer,
            **error_responses(401, 404, 405, 409, 429),
        },
        description="Queue a collection of the repository now, outside the daily run: 202 "
        "when queued; 409 while a collection of it is running (Retry-After says when it "
        "ends at the latest); 429 past REPOTRAFFIC_THROTTLE_COLLECT_NOW per user "
        "(Retry-After says when to try again). The outcome shows in GET /api/repos/<id> "
        "(last_success_at, last_error) once the worker has run it.",
    )
    def post(self, request, repository_id: str):
        repository = repository_get(user=request.user, repository_id=repository_id)
        if repository is None:
            raise NotFoundError(f"You have no repository with id {repository_id}.")
        queued = collection_now_request(repository=repository)
        body = {
            "repository_id": queued.repository_id,
            "requested_at": queued.requested_at,
            "note": "Queued: a worker collects it within moments when one is running.",
        }
        return Response(self.OutputSerializer(body).data, status=202)
