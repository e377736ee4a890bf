"""Request-body validation shared by every app's APIs."""

from typing import Any

from rest_framework import serializers

from repotraffic.common.exceptions import ApplicationError


def body_validate(serializer_class: type[serializers.Serializer], data: object) -> dict[str, Any]:
    """Validate a request body that must be a JSON object; the fields it declares."""
    if not isinstance(data, dict):
        raise ApplicationError("The request body must be a JSON object.")
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
