from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api_errors import error_responses
from repotraffic.common.fields import StrictCharField
from repotraffic.common.throttles import GitHubTokenCheckThrottle, UserCreateThrottle
from repotraffic.common.validation import body_validate
from repotraffic.users.services import (
    user_github_token_delete,
    user_github_token_set,
    user_register,
)


class UserCreateApi(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = [UserCreateThrottle]

    @extend_schema_serializer(component_name="UserCreate")
    class InputSerializer(serializers.Serializer):
        email = StrictCharField(trim_whitespace=False, allow_blank=True)

    @extend_schema_serializer(component_name="UserToken")
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="32 hex characters. Shown once; keep it.")

    @extend_schema(
        operation_id="users_create",
        request={"application/json": InputSerializer},
        responses={200: OutputSerializer, **error_responses(400, 403, 405, 413, 429)},
        auth=[],
    )
    def post(self, request):
        data = body_validate(self.InputSerializer, request.data)
        created = user_register(email=data["email"])
        return Response(self.OutputSerializer({"token": created.token}).data)


class GitHubTokenStatusSerializer(serializers.Serializer):
    has_token = serializers.BooleanField(help_text="Whether your own GitHub token is in use.")
    login = serializers.CharField(allow_blank=True, help_text="The GitHub login it belongs to.")


def github_token_status(user) -> dict:
    return {"has_token": user.has_github_token, "login": user.github_login}


class UserGitHubTokenSetApi(APIView):
    throttle_classes = [GitHubTokenCheckThrottle]

    @extend_schema_serializer(component_name="GitHubTokenSet")
    class InputSerializer(serializers.Serializer):
        token = StrictCharField(
            trim_whitespace=False,
            allow_blank=True,
            help_text="A GitHub token with push access to your repositories (classic: repo "
            "scope; fine-grained: Administration read). It is checked, then stored encrypted.",
        )

    @extend_schema(
        operation_id="users_github_token_set",
        request={"application/json": InputSerializer},
        responses={
            200: GitHubTokenStatusSerializer,
            **error_responses(400, 401, 405, 413, 429, 503),
        },
    )
    def post(self, request):
        data = body_validate(self.InputSerializer, request.data)
        user = user_github_token_set(user=request.user, token=data["token"])
        return Response(github_token_status(user))


class UserGitHubTokenDeleteApi(APIView):
    @extend_schema(
        operation_id="users_github_token_delete",
        request=None,
        responses={200: GitHubTokenStatusSerializer, **error_responses(401, 405)},
    )
    def post(self, request):
        user = user_github_token_delete(user=request.user)
        return Response(github_token_status(user))
