from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api import error_responses
from repotraffic.common.exceptions import ApplicationError
from repotraffic.common.fields import StrictCharField
from repotraffic.users.services import user_create


def body_validate(serializer_class, data):
    """Validate a request body that must be a JSON object."""
    if not isinstance(data, dict):
        raise ApplicationError("The request body must be a JSON object.")
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class UserCreateApi(APIView):
    authentication_classes = []
    permission_classes = []

    class InputSerializer(serializers.Serializer):
        email = StrictCharField(trim_whitespace=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="32 hex characters. Shown once; keep it.")

    @extend_schema(
        operation_id="users_create",
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 405)},
        auth=[],
    )
    def post(self, request):
        data = body_validate(self.InputSerializer, request.data)
        created = user_create(email=data["email"])
        return Response(self.OutputSerializer({"token": created.token}).data)
