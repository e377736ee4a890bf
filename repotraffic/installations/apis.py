from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api_errors import error_responses
from repotraffic.common.fields import StrictIntegerField
from repotraffic.common.throttles import GitHubTokenCheckThrottle
from repotraffic.common.validation import body_validate
from repotraffic.installations.selectors import installation_list
from repotraffic.installations.services import installation_connect, installation_disconnect

INSTALLATION_ID = OpenApiParameter(
    "installation_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="GitHub's number for the installation.",
)
# GitHub's installation ids are 64-bit integers.
INSTALLATION_ID_MAX = 2**63 - 1


class GitHubAppInstallationSerializer(serializers.Serializer):
    installation_id = serializers.IntegerField(help_text="GitHub's number for the installation.")
    account = serializers.CharField(
        source="account_login", help_text="The user or organization it is installed on."
    )
    account_type = serializers.CharField(help_text='"User" or "Organization".')
    repository_selection = serializers.CharField(
        help_text='"all" the account\'s repositories, or "selected" ones (when connected).'
    )
    created_at = serializers.DateTimeField()


class GitHubAppInstallationListApi(APIView):
    @extend_schema(
        operation_id="github_app_installations_list",
        responses={200: GitHubAppInstallationSerializer(many=True), **error_responses(401, 405)},
    )
    def get(self, request):
        connections = installation_list(user=request.user)
        return Response(GitHubAppInstallationSerializer(connections, many=True).data)


class GitHubAppInstallationCreateApi(APIView):
    # Each connection asks GitHub about your token, as setting a token does.
    throttle_classes = [GitHubTokenCheckThrottle]

    @extend_schema_serializer(component_name="GitHubAppInstallationCreate")
    class InputSerializer(serializers.Serializer):
        installation_id = StrictIntegerField(
            min_value=1,
            max_value=INSTALLATION_ID_MAX,
            help_text="The number at the end of the installation's settings page on GitHub "
            "(…/settings/installations/<number>).",
        )

    @extend_schema(
        operation_id="github_app_installations_create",
        request={"application/json": InputSerializer},
        responses={
            200: GitHubAppInstallationSerializer,
            **error_responses(400, 401, 403, 404, 405, 413, 429, 503),
        },
        description="Connects an installation of this server's GitHub App, once GitHub shows "
        "with your own GitHub token that you control its account (it is yours, or you are "
        "an owner of the organization). Its account's repositories are then collected with "
        "the installation's tokens. 403: not yours, or the server has no app; 404: no such "
        "installation of the app.",
    )
    def post(self, request):
        data = body_validate(self.InputSerializer, request.data)
        connection = installation_connect(
            user=request.user, installation_id=data["installation_id"]
        )
        return Response(GitHubAppInstallationSerializer(connection).data)


class GitHubAppInstallationDeleteApi(APIView):
    @extend_schema(
        operation_id="github_app_installations_delete",
        parameters=[INSTALLATION_ID],
        request=None,
        responses={200: GitHubAppInstallationSerializer, **error_responses(401, 404, 405)},
        description="Disconnects the installation: its account's repositories are collected "
        "with your own token (or the server's) from now on; what was collected stays.",
    )
    def post(self, request, installation_id: str):
        connection = installation_disconnect(user=request.user, installation_id=installation_id)
        return Response(GitHubAppInstallationSerializer(connection).data)
