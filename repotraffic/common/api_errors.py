"""One exit for every API error: {"error": "<clear message>"} with the right status."""

import logging
import math

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import permission_denied as django_permission_denied
from django.views.defaults import server_error as django_server_error
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.response import Response

from repotraffic.common.exceptions import ApplicationError

logger = logging.getLogger(__name__)


def error_message_from_detail(detail) -> str:
    """Flatten DRF's nested error details into one sentence a person can read."""
    if isinstance(detail, dict):
        parts = []
        for field, value in detail.items():
            message = error_message_from_detail(value)
            if field in ("non_field_errors", "detail"):
                parts.append(message)
            else:
                parts.append(f"{field}: {message}")
        return "; ".join(parts)
    if isinstance(detail, list | tuple):
        return " ".join(error_message_from_detail(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response({"error": exc.message}, status=exc.status_code, headers=exc.headers)
    if isinstance(exc, Http404):
        return Response({"error": "Not found."}, status=404)
    if isinstance(exc, PermissionDenied):
        return Response({"error": "Permission denied."}, status=403)
    if isinstance(exc, DjangoValidationError):
        return Response({"error": " ".join(exc.messages)}, status=400)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"error": "The request body is too large: this API takes small JSON objects."},
            status=413,
        )
    if isinstance(exc, drf_exceptions.Throttled):
        wait = max(1, math.ceil(getattr(exc, "wait", None) or 1))
        return Response(
            {"error": f"Too many requests of this kind: try again in {wait} seconds."},
            status=429,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, drf_exceptions.ParseError):
        return Response({"error": f"Malformed JSON in the request body: {exc.detail}"}, status=400)
    if isinstance(exc, drf_exceptions.APIException):
        headers = {}
        # DRF sets these on some exceptions only (authentication failures, throttling).
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)
        if wait:
            headers["Retry-After"] = str(int(wait))
        message = error_message_from_detail(exc.detail)
        return Response({"error": message}, status=exc.status_code, headers=headers)
    return None


@csrf_exempt  # any method, so a POST to a mistyped path is a JSON 404 too, not a CSRF page
def api_not_found(request, *args, **kwargs):
    return JsonResponse({"error": f"No API endpoint at {request.path}."}, status=404)


def _is_api(request) -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def server_error(request, *args, **kwargs):
    """handler500: JSON for the API, Django's plain page elsewhere. Never a traceback."""
    if _is_api(request):
        return JsonResponse({"error": "Internal server error; it has been logged."}, status=500)
    return django_server_error(request, *args, **kwargs)


def bad_request(request, exception, *args, **kwargs):
    """handler400: what Django refuses before a view runs (a host not in ALLOWED_HOSTS,
    a body over the size limit, a malformed request) is JSON under /api/ too."""
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(
                {"error": "The request body is too large: this API takes small JSON objects."},
                status=413,
            )
        return JsonResponse({"error": "Bad request."}, status=400)
    return django_bad_request(request, exception, *args, **kwargs)


def permission_denied(request, exception, *args, **kwargs):
    """handler403: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"error": "Permission denied."}, status=403)
    return django_permission_denied(request, exception, *args, **kwargs)


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """OpenAPI entries for the error statuses an endpoint can answer with."""
    descriptions = {
        400: "Invalid input.",
        401: "Missing or unknown X-API-Token.",
        404: "Not found.",
        403: "Not allowed (sign-ups closed, or a limit reached).",
        405: "Method not allowed.",
        409: "In conflict with what is under way (a collection already running).",
        413: "The request body is too large.",
        429: "Too many requests; see Retry-After.",
        503: "Unavailable: GitHub could not be reached, or (ready) the database failed.",
    }
    return {
        status: OpenApiResponse(ErrorSerializer, description=descriptions.get(status, ""))
        for status in statuses
    }
